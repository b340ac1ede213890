/**
 * Medium tests: the vector index on PostgreSQL with pgvector (PGlite, in process: the local server
 * has no pgvector), so the HNSW path runs for real. The port's behaviour on every backend is in
 * test/contract/storage/vector-index.contract.test.ts; this file proves the pgvector SQL: the
 * index, its use by the query, results equal to the exact ones, filters, rebuilds.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '../../../src/adapters/storage/postgres/pg-migrations.ts';
import type { PgVectorIndex } from '../../../src/adapters/storage/postgres/pg-vector-index.ts';
import { createPostgresStorage } from '../../../src/adapters/storage/postgres/pg-storage.ts';
import type { QueryResult, SqlClient, TransactionOptions } from '../../../src/adapters/storage/postgres/sql-client.ts';
import { createTextAnalyzer } from '../../../src/adapters/text/text-analyzer.ts';
import type { EventType } from '../../../src/domain/events/event-types.ts';
import type { StoredEvent } from '../../../src/ports/analysis-store.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import type { VectorFilter } from '../../../src/ports/vector-index.ts';
import { createEventIndexer } from '../../../src/services/search/event-indexer.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storeEventsInOneRun } from '../../support/seed-storage.ts';
import { createPgliteClient, type PgliteSqlClient } from '../../support/pglite.ts';

const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const MINUTE = 60_000;
const DIMENSION = 8;
const COUNT = 200;
const CAMERAS = ['back', 'front', 'garage'];
const TYPES: EventType[] = ['line_crossing', 'intrusion', 'loitering', 'object_seen'];

/** Deterministic pseudo-random numbers (Park-Miller), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 16_807) % 2_147_483_647) / 2_147_483_647 - 0.5;
}
const next = random(42);
const vectors = Array.from({ length: COUNT }, () => Array.from({ length: DIMENSION }, next));
const events: StoredEvent[] = vectors.map((_, i) =>
  storedEvent({
    id: `ev${String(i).padStart(3, '0')}`,
    cameraId: CAMERAS[i % CAMERAS.length]!,
    type: TYPES[i % TYPES.length]!,
    labels: i % 10 === 0 ? ['car'] : ['person'],
    startMs: T0 + i * MINUTE,
    durationMs: 30_000,
    en: `event ${i}`,
    zhHant: `事件 ${i}`,
  }),
);

const cosineDistance = (a: readonly number[], b: readonly number[]): number => {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (const [i, x] of a.entries()) {
    dot += x * b[i]!;
    aa += x * x;
    bb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(aa * bb);
};

/** The exact answer, computed here: what the index must return (ties do not occur with these vectors). */
function exactNearest(query: readonly number[], limit: number, pass: (e: StoredEvent) => boolean = () => true): string[] {
  return events
    .map((e, i) => ({ id: e.event.id, e, distance: cosineDistance(vectors[i]!, query) }))
    .filter((m) => pass(m.e))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit)
    .map((m) => m.id);
}

/** The client, recording the statements run through it (transactions included). */
function recording(inner: SqlClient, log: Array<{ text: string; params: readonly unknown[] }>): SqlClient {
  return {
    query: <R,>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> => {
      log.push({ text, params });
      return inner.query<R>(text, params);
    },
    transaction: <T,>(fn: (tx: SqlClient) => Promise<T>, options?: TransactionOptions) => inner.transaction((tx) => fn(recording(tx, log)), options),
    session: <T,>(fn: (session: SqlClient) => Promise<T>) => inner.session((s) => fn(recording(s, log))),
    close: () => inner.close(),
  };
}

describe('PgVectorIndex with pgvector (PGlite)', () => {
  let pglite: PgliteSqlClient;
  let storage: Storage;
  let index: PgVectorIndex;
  const log: Array<{ text: string; params: readonly unknown[] }> = [];

  const nearestIds = async (query: readonly number[], limit: number, filter?: VectorFilter) =>
    (await index.nearest(query, { limit, ...(filter ? { filter } : {}) })).map((m) => m.eventId);
  const indexDefinition = async () =>
    (await pglite.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'event_vectors_hnsw'`)).rows[0]?.indexdef;
  const fill = async () => {
    await index.prepare('test-model', DIMENSION);
    for (const [i, e] of events.entries()) expect(await index.upsert(e.event.id, vectors[i]!)).toBe(true);
  };

  beforeAll(async () => {
    pglite = await createPgliteClient();
    // A client given to createPostgresStorage is used as it is: migrated here.
    await migratePostgres(pglite);
    const text = createTextAnalyzer();
    const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
    storage = createPostgresStorage({
      database: recording(pglite, log),
      indexer: createEventIndexer(text, []),
      tokenize: (t) => text.indexTokens(t).join(' '),
      logger: silent,
    });
    // One PGlite for the file (it takes seconds to start): the events are stored once.
    index = storage.vectors as PgVectorIndex;
    await storeEventsInOneRun(storage, events, { startMs: T0 });
  });

  afterAll(async () => {
    await storage?.close();
  });

  beforeEach(async () => {
    await index.clear();
    log.length = 0;
  });

  it('searches exactly until prepared, then makes the HNSW index with cosine ops on the typed vector', async () => {
    expect((await index.searchMode()).mode).toBe('exact');
    expect(await indexDefinition()).toBeUndefined();
    expect(await index.prepare('test-model', DIMENSION)).toBe('created');
    expect((await pglite.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`)).rowCount).toBe(1);
    expect(await indexDefinition()).toMatch(/USING hnsw \(\(\(?embedding\)?::vector\(8\)\) vector_cosine_ops\)/);
    expect((await index.searchMode()).mode).toBe('approximate');
  });

  it('uses the HNSW index for the search it runs, and finds what the exact search finds', async () => {
    await fill();
    const query = vectors[17]!.map((x, i) => x + (i % 2 ? 0.05 : -0.05));
    log.length = 0;
    const matches = await index.nearest(query, { limit: 10 });
    expect(matches.map((m) => m.eventId)).toEqual(exactNearest(query, 10));
    for (const m of matches) expect(m.distance).toBeCloseTo(cosineDistance(vectors[events.findIndex((e) => e.event.id === m.eventId)]!, query), 5);
    // The statement it ran can be answered from the index (the planner may still prefer a scan of 200 rows).
    const search = log.find((s) => s.text.includes('<=>'));
    expect(search).toBeDefined();
    // Answered by the approximate search, without falling back to the exact one.
    expect(log.filter((s) => s.text.includes('cosine_distance('))).toEqual([]);
    const plan = await pglite.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${search!.text}`, search!.params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Scan using event_vectors_hnsw/);
  });

  it('applies the filters before choosing the nearest, however few events pass them', async () => {
    await fill();
    const query = vectors[3]!;
    const cases: Array<[VectorFilter, (e: StoredEvent) => boolean]> = [
      [{ cameraIds: ['front'] }, (e) => e.event.cameraId === 'front'],
      [{ types: ['loitering', 'intrusion'] }, (e) => e.event.type === 'loitering' || e.event.type === 'intrusion'],
      [{ labels: ['car'] }, (e) => e.event.labels.includes('car')],
      [{ fromMs: T0 + 50 * MINUTE, toMs: T0 + 60 * MINUTE }, (e) => e.event.endMs >= T0 + 50 * MINUTE && e.event.startMs < T0 + 60 * MINUTE],
      [{ cameraIds: ['garage'], labels: ['car'], fromMs: T0 + 100 * MINUTE }, (e) => e.event.cameraId === 'garage' && e.event.labels.includes('car') && e.event.endMs >= T0 + 100 * MINUTE],
      [{ eventIds: ['ev199', 'ev001', 'ev100'] }, (e) => ['ev199', 'ev001', 'ev100'].includes(e.event.id)],
    ];
    for (const [filter, pass] of cases) {
      const want = exactNearest(query, 10, pass);
      expect(want.length).toBeGreaterThan(0);
      log.length = 0;
      expect(await nearestIds(query, 10, filter), JSON.stringify(filter)).toEqual(want);
      // HNSW first (not for an id list); the exact search only where it found fewer than asked.
      expect(log.some((s) => s.text.includes('<=>'))).toBe(!filter.eventIds);
      expect(log.some((s) => s.text.includes('cosine_distance('))).toBe(want.length < 10);
    }
    // The single event farthest from the query is still found when it is the only one allowed.
    const farthest = exactNearest(query, COUNT).at(-1)!;
    expect(await nearestIds(query, 1, { eventIds: [farthest] })).toEqual([farthest]);
    const farStart = events.find((e) => e.event.id === farthest)!.event.startMs;
    expect(await nearestIds(query, 3, { fromMs: farStart, toMs: farStart + 1 })).toEqual(exactNearest(query, 3, (e) => e.event.endMs >= farStart && e.event.startMs < farStart + 1));
  });

  it('rebuilds the index for a new dimension, queueing every event again; re-indexes kept vectors when the index is missing', async () => {
    await fill();
    expect(await index.prepare('test-model', DIMENSION + 1)).toBe('rebuilt');
    expect(await indexDefinition()).toMatch(/::vector\(9\)/);
    expect(await index.info()).toEqual({ model: 'test-model', dimension: DIMENSION + 1, count: 0 });
    expect((await storage.jobs.counts()).embed_event.queued).toBe(COUNT);
    const nine = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(await index.upsert('ev005', nine)).toBe(true);
    expect(await index.upsert('ev006', [0, 1, 0, 0, 0, 0, 0, 0, 0])).toBe(true);
    expect(await nearestIds(nine, 5)).toEqual(['ev005', 'ev006']);
    await expect(index.upsert('ev007', vectors[7]!)).rejects.toThrow(/8 dimensions; the index holds 9/);
    // As when pgvector is installed on a database that already holds vectors: prepare indexes them, keeps them.
    await pglite.query('DROP INDEX event_vectors_hnsw');
    expect((await index.searchMode()).mode).toBe('exact');
    expect(await index.prepare('test-model', DIMENSION + 1)).toBe('ready');
    expect(await indexDefinition()).toMatch(/::vector\(9\)/);
    expect((await index.info())?.count).toBe(2);
    expect(await nearestIds(nine, 5)).toEqual(['ev005', 'ev006']);
  });

  it('searches exactly, with pgvector, a dimension HNSW cannot index', async () => {
    expect(await index.prepare('wide-model', 2001)).toBe('created');
    expect(await indexDefinition()).toBeUndefined();
    expect((await index.searchMode()).mode).toBe('exact');
    const wide = (i: number) => Array.from({ length: 2001 }, (_, k) => (k === i ? 1 : k === 0 ? 0.5 : 0));
    expect(await index.upsert('ev001', wide(1))).toBe(true);
    expect(await index.upsert('ev002', wide(2))).toBe(true);
    expect(await nearestIds(wide(2), 5)).toEqual(['ev002', 'ev001']);
  });
});
