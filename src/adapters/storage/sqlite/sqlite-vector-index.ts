import type Database from 'better-sqlite3';
import { crossingCondition, SQLITE_ACTOR_COUNT, SQLITE_ACTOR_STAYS, sqliteDetailsField, stayCondition, togetherCondition } from '../event-conditions.ts';
import * as sqliteVec from 'sqlite-vec';
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import type { SqliteJobQueue } from './sqlite-job-queue.ts';
import type { PrepareOutcome, VectorFilter, VectorIndex, VectorIndexInfo, VectorMatch } from '../../../ports/vector-index.ts';

/** Largest dimension accepted (bge-m3: 1024, OpenAI text-embedding-3-large: 3072). */
export const MAX_VECTOR_DIMENSION = 8192;
/** sqlite-vec refuses larger `k` in a KNN query. */
const MAX_K = 4096;

const metaSchema = z.object({ model: z.string(), dimension: z.number().int().positive() });
const matchSchema = z.object({ event_id: z.string(), distance: z.number() });
const rowidSchema = z.object({ rowid: z.number() });

export interface SqliteVectorIndexOptions {
  /** Where every event is queued to be embedded again when the index is replaced. */
  jobs: Pick<SqliteJobQueue, 'enqueueEveryEventNow'>;
  now?: () => number;
  /** Loads sqlite-vec into the connection; by default the `sqlite-vec` package's loader. */
  loadExtension?: (db: Database.Database) => void;
}

type Params = Record<string, string | number>;

/**
 * Event vectors in a sqlite-vec `vec0` table (`event_vectors`, cosine distance, keyed by the
 * events rowid), on the app's database.
 *
 * - sqlite-vec is loaded into the connection on the first call that touches vectors, so the rest
 *   of Vigil works where the extension cannot be loaded.
 * - The vec0 table is created when the first vector's dimension is known; `vector_meta` records
 *   its model and dimension. Another model or dimension drops it and queues every event again.
 * - Filters are applied before the KNN search: sqlite-vec 0.1.9 takes `rowid IN (subquery)` as a
 *   constraint of the KNN query itself, so the k nearest are chosen among the events passing the
 *   filters, never k among all then filtered down. The search is exact (vec0 is brute force), so
 *   the cost is O(events x dimension) (measured once: ~60 ms for 30,000 vectors of 1024 floats;
 *   a filter skips the distances of the rows it rejects). `limit` is capped at 4096 (sqlite-vec's k).
 * - Deleted events leave a tombstone (migration 6 explains why not a trigger on the vec0 table);
 *   their vectors are deleted before the next vector operation, so neither a deleted event nor
 *   a new event reusing its rowid ever gets the old vector.
 */
export class SqliteVectorIndex implements VectorIndex {
  private readonly statements;
  private readonly now: () => number;
  private loaded = false;

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteVectorIndexOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.statements = {
      meta: db.prepare('SELECT model, dimension FROM vector_meta WHERE id = 1'),
      setMeta: db.prepare('INSERT OR REPLACE INTO vector_meta (id, model, dimension, created_at) VALUES (1, ?, ?, ?)'),
      deleteMeta: db.prepare('DELETE FROM vector_meta'),
      tableExists: db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_vectors'`),
      hasTombstones: db.prepare('SELECT 1 FROM vector_tombstones LIMIT 1'),
      tombstones: db.prepare('SELECT event_rowid AS rowid FROM vector_tombstones'),
      clearTombstones: db.prepare('DELETE FROM vector_tombstones'),
      eventRowid: db.prepare('SELECT rowid FROM events WHERE id = ?'),
    };
  }

  // ---- vectors ----

  /** sqlite-vec compares every vector: exact by design, nothing to tell. */
  async searchMode(): Promise<{ mode: 'exact' }> {
    return { mode: 'exact' };
  }

  async info(): Promise<VectorIndexInfo | undefined> {
    const meta = this.meta();
    if (!meta || !this.tableExists()) return undefined;
    this.load();
    const count = z.object({ n: z.number() }).parse(this.db.prepare('SELECT COUNT(*) AS n FROM event_vectors').get()).n;
    return { ...meta, count };
  }

  async prepare(model: string, dimension: number): Promise<PrepareOutcome> {
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_VECTOR_DIMENSION) {
      throw new VigilError('invalid_argument', `vector dimension must be an integer from 1 to ${MAX_VECTOR_DIMENSION}, got ${dimension}`);
    }
    this.load();
    // Called before every batch is stored: the common answer needs no write lock.
    const current = this.meta();
    if (current && current.model === model && current.dimension === dimension && this.tableExists()) return 'ready';
    const run = this.db.transaction((): PrepareOutcome => {
      const meta = this.meta();
      const exists = this.tableExists();
      if (meta && exists && meta.model === model && meta.dimension === dimension) return 'ready';
      const rebuild = meta !== undefined || exists;
      this.dropVectors();
      // The dimension is validated above and cannot carry SQL.
      this.db.exec(`CREATE VIRTUAL TABLE event_vectors USING vec0(embedding float[${dimension}] distance_metric=cosine)`);
      this.statements.setMeta.run(model, dimension, this.now());
      if (rebuild) this.requeueAll();
      return rebuild ? 'rebuilt' : 'created';
    });
    return run.immediate();
  }

  async clear(): Promise<void> {
    this.load();
    this.db
      .transaction(() => {
        this.dropVectors();
        this.requeueAll();
      })
      .immediate();
  }

  async upsert(eventId: string, vector: readonly number[]): Promise<boolean> {
    return this.upsertNow(eventId, vector);
  }

  /** `upsert`, synchronously: inside another transaction (a job's completion) it joins it. */
  upsertNow(eventId: string, vector: readonly number[]): boolean {
    this.checkVector(vector);
    const run = this.db.transaction((): boolean => {
      const rowid = this.rowidOf(eventId);
      if (rowid === undefined) return false;
      this.purge();
      this.write(rowid, vector);
      return true;
    });
    return run.immediate();
  }

  async remove(eventIds: readonly string[]): Promise<number> {
    if (!this.tableExists()) return 0;
    this.load();
    const remove = this.db.prepare('DELETE FROM event_vectors WHERE rowid = ?');
    const run = this.db.transaction((): number => {
      let removed = 0;
      for (const id of eventIds) {
        const rowid = this.rowidOf(id);
        if (rowid !== undefined) removed += remove.run(BigInt(rowid)).changes;
      }
      return removed;
    });
    return run.immediate();
  }

  async nearest(vector: readonly number[], options: { limit: number; filter?: VectorFilter }): Promise<VectorMatch[]> {
    const limit = Math.min(Math.floor(options.limit), MAX_K);
    const meta = this.meta();
    if (limit <= 0 || !meta || !this.tableExists()) return [];
    if (vector.length !== meta.dimension) {
      throw new VigilError('invalid_argument', `query vector has ${vector.length} dimensions; the index holds ${meta.dimension} (${meta.model})`);
    }
    this.load();
    if (this.statements.hasTombstones.get() !== undefined) this.db.transaction(() => this.purge()).immediate();
    const { sql, params } = filterSql(options.filter ?? {});
    const prefilter = sql.length ? `AND rowid IN (SELECT e.rowid FROM events e WHERE ${sql.join(' AND ')})` : '';
    const rows = this.db
      .prepare(
        `WITH knn AS MATERIALIZED (
           SELECT rowid, distance FROM event_vectors WHERE embedding MATCH @vector AND k = @k ${prefilter})
         SELECT e.id AS event_id, knn.distance FROM knn JOIN events e ON e.rowid = knn.rowid
         ORDER BY knn.distance, e.id`,
      )
      .all({ ...params, vector: toBlob(vector), k: limit });
    return rows.map((row) => {
      const r = matchSchema.parse(row);
      return { eventId: r.event_id, distance: r.distance };
    });
  }

  // ---- internals ----

  private load(): void {
    if (this.loaded) return;
    try {
      (this.options.loadExtension ?? sqliteVec.load)(this.db);
    } catch (cause) {
      throw new VigilError('storage_failed', `The sqlite-vec extension could not be loaded: ${(cause as Error).message}`, { cause });
    }
    this.loaded = true;
  }

  private meta(): { model: string; dimension: number } | undefined {
    const row = this.statements.meta.get();
    return row === undefined ? undefined : metaSchema.parse(row);
  }

  private tableExists(): boolean {
    return this.statements.tableExists.get() !== undefined;
  }

  private rowidOf(eventId: string): number | undefined {
    const row = this.statements.eventRowid.get(eventId);
    return row === undefined ? undefined : rowidSchema.parse(row).rowid;
  }

  /** Inside a transaction: the vec0 table, its tombstones and its meta row go. */
  private dropVectors(): void {
    this.db.exec('DROP TABLE IF EXISTS event_vectors');
    this.statements.clearTombstones.run();
    this.statements.deleteMeta.run();
  }

  /** Inside a transaction: every event is to be embedded (again); workers still at it for the old index are fenced off. */
  private requeueAll(): void {
    this.options.jobs.enqueueEveryEventNow('embed_event', { onlyMissing: false });
  }

  /** Inside a transaction: deletes the vectors of deleted events (one point delete each; a scan would read every vector). */
  private purge(): void {
    if (!this.tableExists()) return;
    const rows = this.statements.tombstones.all();
    if (rows.length === 0) return;
    const remove = this.db.prepare('DELETE FROM event_vectors WHERE rowid = ?');
    for (const row of rows) remove.run(BigInt(rowidSchema.parse(row).rowid));
    this.statements.clearTombstones.run();
  }

  /** Inside a transaction. vec0 has no INSERT OR REPLACE; rowids must be bound as integers (BigInt), not doubles. */
  private write(rowid: number, vector: readonly number[]): void {
    this.db.prepare('DELETE FROM event_vectors WHERE rowid = ?').run(BigInt(rowid));
    this.db.prepare('INSERT INTO event_vectors (rowid, embedding) VALUES (?, ?)').run(BigInt(rowid), toBlob(vector));
  }

  private checkVector(vector: readonly number[]): void {
    const meta = this.meta();
    if (!meta || !this.tableExists()) throw new VigilError('invalid_argument', 'the vector index is not prepared: call prepare(model, dimension) first');
    if (vector.length !== meta.dimension) {
      throw new VigilError('invalid_argument', `vector has ${vector.length} dimensions; the index holds ${meta.dimension} (${meta.model})`);
    }
    if (!vector.every(Number.isFinite)) throw new VigilError('invalid_argument', 'vector has a component that is not a finite number');
    this.load();
  }
}

function toBlob(vector: readonly number[]): Float32Array {
  return Float32Array.from(vector);
}

/**
 * The keyword search's filters (SqliteSearchStore) as SQL on the `events` alias `e`; every value
 * is bound, never interpolated.
 */
function filterSql(filter: VectorFilter): { sql: string[]; params: Params } {
  const sql: string[] = [];
  const params: Params = {};
  const list = (name: string, values: readonly string[]) =>
    values
      .map((v, i) => {
        params[`${name}${i}`] = v;
        return `@${name}${i}`;
      })
      .join(', ');
  if (filter.cameraIds?.length) sql.push(`e.camera_id IN (${list('cam', filter.cameraIds)})`);
  if (filter.types?.length) sql.push(`e.type IN (${list('type', filter.types)})`);
  if (filter.labels?.length) sql.push(`e.rowid IN (SELECT event_rowid FROM event_labels WHERE label IN (${list('label', filter.labels)}))`);
  if (filter.directions?.length) {
    let n = 0;
    const bind = (value: string) => {
      params[`dir${n}`] = value;
      return `@dir${n++}`;
    };
    sql.push(crossingCondition(filter.directions, bind, sqliteDetailsField));
  }
  if (filter.stay) {
    params.stay = filter.stay.seconds;
    sql.push(stayCondition(filter.stay, () => '@stay', SQLITE_ACTOR_STAYS, filter.labels?.length ? `a.label IN (${list('stayLabel', filter.labels)})` : undefined));
  }
  if (filter.minActors !== undefined) {
    params.minActors = filter.minActors;
    sql.push(togetherCondition(filter.minActors, () => '@minActors', SQLITE_ACTOR_COUNT));
  }
  if (filter.eventIds) sql.push(filter.eventIds.length ? `e.id IN (${list('id', filter.eventIds)})` : '0');
  if (filter.fromMs !== undefined) {
    sql.push('e.end_ms >= @from');
    params.from = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    sql.push('e.start_ms < @to');
    params.to = filter.toMs;
  }
  return { sql, params };
}
