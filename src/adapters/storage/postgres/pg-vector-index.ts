import { z } from 'zod';
import { crossingCondition, PG_ACTOR_COUNT, PG_ACTOR_STAYS, pgDetailsField, stayCondition, togetherCondition } from '../event-conditions.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { PrepareOutcome, VectorFilter, VectorIndex, VectorIndexInfo, VectorMatch } from '../../../ports/vector-index.ts';
import { JOBS_CHANNEL } from './pg-notifications.ts';
import type { PgStoreOptions } from './pg-store-options.ts';
import { sqlState, type SqlClient } from './sql-client.ts';

/** Largest dimension accepted, as in SQLite (bge-m3: 1024, OpenAI text-embedding-3-large: 3072). */
export const MAX_VECTOR_DIMENSION = 8192;
/** The largest `limit` of a search, as in SQLite (sqlite-vec's k). */
const MAX_K = 4096;
/** pgvector's HNSW indexes `vector` columns of at most 2000 dimensions; larger ones are searched exactly. */
const MAX_HNSW_DIMENSION = 2000;
/** The first pgvector whose HNSW scans can go on past `ef_search` until enough rows pass the filters. */
const ITERATIVE_SCAN_VERSION = [0, 8, 0];
/** pgvector's default `hnsw.ef_search`, and its largest allowed value. */
const EF_SEARCH = { min: 40, max: 1000 };

const INDEX_NAME = 'event_vectors_hnsw';
/**
 * Transaction-level advisory locks ("vigvpr", "vigvec" in ASCII). PREPARE serialises prepare and
 * clear across processes. VECTORS is taken shared by every write of a vector and exclusively by
 * a rebuild once its jobs are requeued, so no write checks the old dimension and then stores
 * into the new index (a lock on the vector_meta row would do the same but dirty that one row on
 * every write, from every worker).
 */
const PREPARE_LOCK = 0x76_69_67_76_70_72;
const VECTORS_LOCK = 0x76_69_67_76_65_63;

const stateSchema = z.object({
  model: z.string(),
  dimension: z.number().int().positive(),
  indexed: z.boolean(),
  pgvector: z.string().nullable(),
});
type IndexState = z.infer<typeof stateSchema>;

const matchSchema = z.object({ event_id: z.string(), distance: z.number() });

/**
 * Event vectors in `event_vectors` (real[], schema v1), with the recorded model and dimension in
 * `vector_meta`. Two ways of searching, chosen by what the database has:
 *
 * - Without pgvector (any PostgreSQL): exact cosine distance computed in SQL over every vector
 *   passing the filters. Correct and O(events x dimension): measured on the local server,
 *   see `nearestExact`.
 * - With pgvector (installed, or `CREATE EXTENSION` allowed when `prepare` runs): an HNSW
 *   expression index on `(embedding::vector(dim))` with cosine ops, made when the dimension is
 *   known. The vectors stay in the real[] column, so every write is the same in both modes, a
 *   database that gains pgvector keeps its vectors (prepare adds the index), and no vector is
 *   stored twice. The search is approximate (see `nearestApproximate` for how filters stay correct).
 *
 * Deleting an event deletes its vector (foreign key, ON DELETE CASCADE): no tombstones. Replacing
 * the index (another model or dimension) drops the vectors and queues every event's `embed_event`
 * job again in the same transaction, fencing off the workers still embedding for the old index.
 */
export class PgVectorIndex implements VectorIndex {
  private pgvector: Promise<boolean> | undefined;

  constructor(
    protected readonly db: SqlClient,
    protected readonly options: PgStoreOptions,
  ) {}

  async info(): Promise<VectorIndexInfo | undefined> {
    const { rows } = await this.db.query(
      'SELECT m.model, m.dimension, (SELECT COUNT(*) FROM event_vectors) AS count FROM vector_meta m WHERE m.id = 1',
    );
    return rows[0] === undefined ? undefined : z.object({ model: z.string(), dimension: z.number(), count: z.number() }).parse(rows[0]);
  }

  /** 'approximate' with pgvector's HNSW index, 'exact' without it (no pgvector, more than 2000 dimensions, or before prepare). */
  async searchMode(): Promise<{ mode: 'exact' | 'approximate'; note?: string }> {
    const state = await this.state(this.db);
    if (state?.indexed) return { mode: 'approximate' };
    return {
      mode: 'exact',
      ...(state ? { note: `vectors compared one by one (no pgvector index: the extension is not installed in this database, or vectors have more than ${MAX_HNSW_DIMENSION} dimensions); exact, slower on large stores` } : {}),
    };
  }

  async prepare(model: string, dimension: number): Promise<PrepareOutcome> {
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_VECTOR_DIMENSION) {
      throw new VigilError('invalid_argument', `vector dimension must be an integer from 1 to ${MAX_VECTOR_DIMENSION}, got ${dimension}`);
    }
    const indexable = dimension <= MAX_HNSW_DIMENSION && (await this.ensurePgvector());
    // Called before every batch is stored: the common answer takes no lock.
    const current = await this.state(this.db);
    if (current && current.model === model && current.dimension === dimension && current.indexed === indexable) return 'ready';
    return this.db.transaction(
      async (tx): Promise<PrepareOutcome> => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [PREPARE_LOCK]);
        const state = await this.state(tx);
        if (state && state.model === model && state.dimension === dimension) {
          // Same vectors; pgvector appeared since they were stored: index them, keep them.
          if (indexable && !state.indexed) await this.createIndex(tx, dimension);
          return 'ready';
        }
        // Jobs first, then the vectors' lock: a job's completion locks its job row and then writes
        // its vector, so taking them in the other order could deadlock with it.
        if (state) await this.requeueAll(tx);
        await tx.query('SELECT pg_advisory_xact_lock($1)', [VECTORS_LOCK]);
        await this.dropVectors(tx);
        if (indexable) await this.createIndex(tx, dimension);
        await tx.query('INSERT INTO vector_meta (id, model, dimension, created_at) VALUES (1, $1, $2, $3)', [model, dimension, this.options.now()]);
        return state ? 'rebuilt' : 'created';
      },
      { retries: 3 },
    );
  }

  async clear(): Promise<void> {
    await this.db.transaction(
      async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [PREPARE_LOCK]);
        await this.requeueAll(tx);
        await tx.query('SELECT pg_advisory_xact_lock($1)', [VECTORS_LOCK]);
        await this.dropVectors(tx);
      },
      { retries: 3 },
    );
  }

  async upsert(eventId: string, vector: readonly number[]): Promise<boolean> {
    checkComponents(vector);
    try {
      return await this.db.transaction((tx) => this.upsertIn(tx, eventId, vector));
    } catch (error) {
      // Not expected (upsertIn locks the event first), but a vector for an event deleted meanwhile is that event missing.
      if (sqlState(error) === '23503') return false;
      throw error;
    }
  }

  /**
   * `upsert` inside the transaction `tx` (a job's completion): false when the event does not exist.
   * Locks the event's key, so an event deleted concurrently is simply not found and the insert
   * cannot fail on the foreign key (which would abort `tx`).
   */
  async upsertIn(tx: SqlClient, eventId: string, vector: readonly number[]): Promise<boolean> {
    checkComponents(vector);
    await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [VECTORS_LOCK]);
    const { rows } = await tx.query('SELECT model, dimension FROM vector_meta WHERE id = 1');
    const meta = rows[0] === undefined ? undefined : z.object({ model: z.string(), dimension: z.number() }).parse(rows[0]);
    if (!meta) throw new VigilError('invalid_argument', 'the vector index is not prepared: call prepare(model, dimension) first');
    if (vector.length !== meta.dimension) {
      throw new VigilError('invalid_argument', `vector has ${vector.length} dimensions; the index holds ${meta.dimension} (${meta.model})`);
    }
    const { rowCount } = await tx.query(
      `INSERT INTO event_vectors (event_rowid, embedding)
       SELECT e.rowid, $2::real[] FROM events e WHERE e.id = $1 FOR KEY SHARE
       ON CONFLICT (event_rowid) DO UPDATE SET embedding = EXCLUDED.embedding`,
      [eventId, vector],
    );
    return rowCount > 0;
  }

  async remove(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const { rowCount } = await this.db.query(
      'DELETE FROM event_vectors v USING events e WHERE v.event_rowid = e.rowid AND e.id = ANY($1::text[])',
      [eventIds],
    );
    return rowCount;
  }

  async nearest(vector: readonly number[], options: { limit: number; filter?: VectorFilter }): Promise<VectorMatch[]> {
    const limit = Math.min(Math.floor(options.limit), MAX_K);
    if (!(limit > 0)) return [];
    // One snapshot for the recorded dimension and the vectors: a rebuild committing meanwhile is not seen halfway.
    return this.db.transaction(
      async (tx) => {
        const state = await this.state(tx);
        if (!state) return [];
        if (vector.length !== state.dimension) {
          throw new VigilError('invalid_argument', `query vector has ${vector.length} dimensions; the index holds ${state.dimension} (${state.model})`);
        }
        checkComponents(vector);
        const filter = filterSql(options.filter ?? {}, 3);
        if (state.indexed && !options.filter?.eventIds) {
          const found = await this.nearestApproximate(tx, state, vector, limit, filter);
          if (found.length === limit) return found;
        }
        return state.indexed ? this.nearestExactPgvector(tx, state.dimension, vector, limit, filter) : this.nearestExact(tx, vector, limit, filter);
      },
      { isolation: 'repeatable read' },
    );
  }

  // ---- searching ----

  /**
   * HNSW, filters in the same query. An HNSW scan yields about `ef_search` candidates and the
   * filters then reject some, so a plain filtered query can return fewer than `limit`. pgvector
   * 0.8's iterative scan keeps scanning until `limit` rows pass (or hnsw.max_scan_tuples is
   * reached); without it, or when the scan stops short, the caller falls back to the exact
   * search: fewer than `limit` rows means either the filters let fewer through (then the exact
   * search over them is cheap) or the scan gave up (then only the exact search is right).
   * `relaxed_order` gives better recall than `strict_order`; the outer ORDER BY puts it right.
   */
  private async nearestApproximate(tx: SqlClient, state: IndexState, vector: readonly number[], limit: number, filter: FilterSql): Promise<VectorMatch[]> {
    const ef = Math.max(EF_SEARCH.min, Math.min(limit, EF_SEARCH.max));
    // SET takes no parameters; set_config(..., true) is SET LOCAL with bound values.
    await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(ef)]);
    if (state.pgvector !== null && atLeast(state.pgvector, ITERATIVE_SCAN_VERSION)) {
      await tx.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
    }
    // The dimension is an integer from vector_meta (checked on the way in), not input: safe in the
    // text, and it must be there for the expression to match the index's.
    const cast = `v.embedding::vector(${state.dimension})`;
    const { rows } = await tx.query(
      `WITH knn AS MATERIALIZED (
         SELECT e.id AS event_id, ${cast} <=> $1::vector(${state.dimension}) AS distance
         FROM event_vectors v JOIN events e ON e.rowid = v.event_rowid
         WHERE ${filter.where}
         ORDER BY ${cast} <=> $1::vector(${state.dimension})
         LIMIT $2)
       SELECT event_id, distance FROM knn ORDER BY distance, event_id`,
      [vectorLiteral(vector), limit, ...filter.params],
    );
    return rows.map(toMatch);
  }

  /**
   * Exact search with pgvector's distance function (C, much faster than SQL arithmetic). A
   * function call, not the `<=>` operator, so the planner cannot answer it from the HNSW index.
   */
  private async nearestExactPgvector(tx: SqlClient, dimension: number, vector: readonly number[], limit: number, filter: FilterSql): Promise<VectorMatch[]> {
    const { rows } = await tx.query(
      `SELECT e.id AS event_id, cosine_distance(v.embedding::vector(${dimension}), $1::vector(${dimension})) AS distance
       FROM event_vectors v JOIN events e ON e.rowid = v.event_rowid
       WHERE ${filter.where}
       ORDER BY distance, e.id LIMIT $2`,
      [vectorLiteral(vector), limit, ...filter.params],
    );
    return rows.map(toMatch);
  }

  /**
   * Exact cosine distance in SQL over real[], on any PostgreSQL: 1 - (v . q) / |v|, with q
   * normalised here. Clamped to 0..2 as pgvector and sqlite-vec are (rounding can leave 1e-7 outside).
   */
  private async nearestExact(tx: SqlClient, vector: readonly number[], limit: number, filter: FilterSql): Promise<VectorMatch[]> {
    const norm = Math.hypot(...vector);
    const { rows } = await tx.query(
      `SELECT e.id AS event_id, LEAST(2, GREATEST(0, 1 - d.dot / sqrt(d.squares))) AS distance
       FROM event_vectors v JOIN events e ON e.rowid = v.event_rowid
       CROSS JOIN LATERAL (
         SELECT SUM(a::float8 * b) AS dot, SUM(a::float8 * a) AS squares FROM unnest(v.embedding, $1::float8[]) AS t(a, b)) d
       WHERE cardinality(v.embedding) = cardinality($1::float8[]) AND d.squares > 0 AND ${filter.where}
       ORDER BY distance, e.id LIMIT $2`,
      [vector.map((x) => x / norm), limit, ...filter.params],
    );
    return rows.map(toMatch);
  }

  // ---- internals ----

  /** The recorded model and dimension, whether the HNSW index exists, and pgvector's version. */
  private async state(db: SqlClient): Promise<IndexState | undefined> {
    const { rows } = await db.query(
      `SELECT m.model, m.dimension, to_regclass($1) IS NOT NULL AS indexed,
              (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector
       FROM vector_meta m WHERE m.id = 1`,
      [INDEX_NAME],
    );
    return rows[0] === undefined ? undefined : stateSchema.parse(rows[0]);
  }

  /**
   * Whether pgvector is installed, installing it when the server has it and this user may
   * (once per process; otherwise the search is exact). Outside any transaction: a refused
   * CREATE EXTENSION would abort it.
   */
  private ensurePgvector(): Promise<boolean> {
    this.pgvector ??= (async () => {
      const installed = async () => (await this.db.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`)).rowCount > 0;
      if (await installed()) return true;
      if ((await this.db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)).rowCount === 0) return false;
      try {
        await this.db.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch (error) {
        // No privilege (42501), or another process creating it at the same moment (23505):
        // whether it is installed now is what counts.
        if (!['42501', '23505'].includes(sqlState(error) ?? '')) throw error;
      }
      return installed();
    })();
    return this.pgvector;
  }

  /** Inside a transaction. The dimension is a checked integer (see prepare): safe in the text. */
  private async createIndex(tx: SqlClient, dimension: number): Promise<void> {
    await tx.query(`CREATE INDEX ${INDEX_NAME} ON event_vectors USING hnsw ((embedding::vector(${dimension})) vector_cosine_ops)`);
  }

  /** Inside a transaction holding VECTORS_LOCK: the vectors, their index and the meta row go. */
  private async dropVectors(tx: SqlClient): Promise<void> {
    await tx.query(`DROP INDEX IF EXISTS ${INDEX_NAME}`);
    // TRUNCATE frees the space at once; nothing refers to event_vectors.
    await tx.query('TRUNCATE event_vectors');
    await tx.query('DELETE FROM vector_meta');
  }

  /**
   * Inside a transaction: every event is to be embedded again, due now (the job queue's
   * enqueueEveryEvent without onlyMissing, on this transaction). The claim is bumped, so workers
   * still embedding for the old index have their results refused.
   */
  private async requeueAll(tx: SqlClient): Promise<void> {
    const now = this.options.now();
    await tx.query(
      `UPDATE jobs SET status = 'queued', attempts = 0, next_attempt_at = $1, last_error = NULL, claim = claim + 1,
         lease_until = NULL, updated_at = $1
       WHERE kind = 'embed_event'`,
      [now],
    );
    await tx.query(
      `INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
       SELECT 'embed_event', e.id, e.id, '{}', 'queued', 0, 0, $1, $1, $1 FROM events e
       WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'embed_event' AND j.key = e.id)
       ON CONFLICT (kind, key) DO NOTHING`,
      [now],
    );
    // Wakes the embedding workers of every process (this one's too: the origin is no queue's own)
    // when this transaction commits, as PgJobQueue's enqueues do: "<origin> <kind>".
    await tx.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, 'vector-index embed_event']);
  }
}

function checkComponents(vector: readonly number[]): void {
  if (!vector.every(Number.isFinite)) throw new VigilError('invalid_argument', 'vector has a component that is not a finite number');
  // Cosine distance has no meaning without a direction (sqlite-vec returns NULL for it).
  if (vector.every((x) => x === 0)) throw new VigilError('invalid_argument', 'vector has no direction: every component is 0');
}

/** pgvector's text form; the components are finite numbers (checkComponents). */
function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

function toMatch(row: Record<string, unknown>): VectorMatch {
  const r = matchSchema.parse(row);
  return { eventId: r.event_id, distance: r.distance };
}

function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (const [i, want] of minimum.entries()) {
    const have = parts[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

interface FilterSql {
  /** Conditions on the `events` alias `e`, joined by AND ('TRUE' without filters). */
  where: string;
  params: unknown[];
}

/**
 * The keyword search's filters as SQL on `e`, parameters numbered from `first`; every value is
 * bound, never interpolated. Time: events overlapping [fromMs, toMs); an event overlapping
 * fromMs started at most the longest event's duration before it (event_stats), which lets the
 * start_ms indexes bound the range from both ends.
 */
function filterSql(filter: VectorFilter, first: number): FilterSql {
  const sql: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${first + params.length - 1}::${type}`;
  };
  if (filter.cameraIds?.length) sql.push(`e.camera_id = ANY(${param(filter.cameraIds, 'text[]')})`);
  if (filter.types?.length) sql.push(`e.type = ANY(${param(filter.types, 'text[]')})`);
  if (filter.labels?.length) sql.push(`e.rowid IN (SELECT l.event_rowid FROM event_labels l WHERE l.label = ANY(${param(filter.labels, 'text[]')}))`);
  if (filter.directions?.length) sql.push(crossingCondition(filter.directions, (value) => param(value, 'text'), pgDetailsField));
  if (filter.stay) sql.push(stayCondition(filter.stay, (value) => param(value, 'float8'), PG_ACTOR_STAYS, filter.labels?.length ? `a.label = ANY(${param(filter.labels, 'text[]')})` : undefined));
  if (filter.minActors !== undefined) sql.push(togetherCondition(filter.minActors, (value) => param(value, 'int4'), PG_ACTOR_COUNT));
  if (filter.eventIds) sql.push(`e.id = ANY(${param(filter.eventIds, 'text[]')})`);
  // Times are whole milliseconds: rounding a bound up keeps `>=` and `<` exact against them.
  if (filter.fromMs !== undefined) {
    const from = param(Math.ceil(filter.fromMs), 'int8');
    sql.push(`e.end_ms >= ${from}`, `e.start_ms >= ${from} - (SELECT s.max_duration_ms FROM event_stats s WHERE s.id = 1)`);
  }
  if (filter.toMs !== undefined) sql.push(`e.start_ms < ${param(Math.ceil(filter.toMs), 'int8')}`);
  return { where: sql.length ? sql.join(' AND ') : 'TRUE', params };
}
