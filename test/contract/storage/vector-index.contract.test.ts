import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/ports/storage.ts';
import type { VectorFilter, VectorIndex } from '../../../src/ports/vector-index.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storeEventsInOneRun } from '../../support/seed-storage.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const MINUTE = 60_000;
const LEASE = { leaseMs: 10 * MINUTE };

/** e1..e6 on two cameras, a minute apart; e5 is a car. */
const VECTOR_EVENTS = [
  storedEvent({ id: 'e1', cameraId: 'back', type: 'line_crossing', startMs: T0, en: 'one', zhHant: '一' }),
  storedEvent({ id: 'e2', cameraId: 'back', type: 'intrusion', startMs: T0 + MINUTE, en: 'two', zhHant: '二' }),
  storedEvent({ id: 'e3', cameraId: 'front', type: 'line_crossing', startMs: T0 + 2 * MINUTE, en: 'three', zhHant: '三' }),
  storedEvent({ id: 'e4', cameraId: 'front', type: 'loitering', startMs: T0 + 3 * MINUTE, en: 'four', zhHant: '四' }),
  storedEvent({ id: 'e5', cameraId: 'front', type: 'object_seen', labels: ['car'], startMs: T0 + 4 * MINUTE, en: 'five', zhHant: '五' }),
  storedEvent({ id: 'e6', cameraId: 'back', type: 'line_crossing', startMs: T0 + 5 * MINUTE, en: 'six', zhHant: '六' }),
];

/** Unit vectors at growing angles from [1, 0, 0]: e1 is nearest to it, e6 farthest. */
const angle = (i: number): number[] => [Math.cos(i * 0.25), Math.sin(i * 0.25), 0];
const QUERY = [1, 0, 0];

/**
 * The vector index through the port on every backend (SQLite: sqlite-vec; PostgreSQL without
 * pgvector: exact search over real[]). test/medium/postgres/pgvector.test.ts runs the key cases
 * on PostgreSQL with pgvector's HNSW index.
 */
describe.each(await storageBackends())('VectorIndex on %s', (backend) => {
  let test: TestStorage;
  let storage: Storage;
  let index: VectorIndex;
  let now: number;

  const fill = async () => {
    await index.prepare('bge-m3', 3);
    for (const [i, e] of VECTOR_EVENTS.entries()) expect(await index.upsert(e.event.id, angle(i))).toBe(true);
  };
  const nearestIds = async (limit: number, filter?: VectorFilter, vector = QUERY) =>
    (await index.nearest(vector, { limit, ...(filter ? { filter } : {}) })).map((m) => m.eventId);

  beforeEach(async () => {
    now = 1_000_000;
    test = await backend.create({ now: () => now });
    storage = test.storage;
    index = storage.vectors;
    await storeEventsInOneRun(storage, VECTOR_EVENTS.slice(1, 5), { startMs: T0 });
    // e1 and e6 in a run of their own, so that a test can delete them.
    await storeEventsInOneRun(storage, [VECTOR_EVENTS[0]!, VECTOR_EVENTS[5]!], { runKey: 'doomed', startMs: T0 });
  });

  afterEach(async () => {
    await test.dispose();
  });

  it('holds nothing before the first prepare', async () => {
    expect(await index.info()).toBeUndefined();
    expect(await index.nearest(QUERY, { limit: 5 })).toEqual([]);
    await expect(index.upsert('e1', QUERY)).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/not prepared/) }));
    await expect(index.prepare('bge-m3', 0)).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await expect(index.prepare('bge-m3', 1.5)).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it('says how it searches: exact everywhere here, with a note where PostgreSQL lacks pgvector', async () => {
    await index.prepare('bge-m3', 3);
    const how = await index.searchMode();
    expect(how.mode).toBe('exact');
    // SQLite's sqlite-vec is exact by design; the local PostgreSQL server has no pgvector.
    if (backend.name === 'postgres') expect(how.note).toMatch(/no pgvector index/);
    else expect(how.note).toBeUndefined();
  });

  it('stores vectors and finds the nearest by cosine distance, replacing on upsert', async () => {
    expect(await index.prepare('bge-m3', 3)).toBe('created');
    expect(await index.prepare('bge-m3', 3)).toBe('ready');
    for (const [i, e] of VECTOR_EVENTS.entries()) await index.upsert(e.event.id, angle(i).map((x) => x * (i + 1))); // length does not matter to cosine
    const matches = await index.nearest(QUERY, { limit: 3 });
    expect(matches.map((m) => m.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(matches[0]?.distance).toBeCloseTo(0, 5);
    expect(matches[1]?.distance).toBeCloseTo(1 - Math.cos(0.25), 5);
    expect(await index.nearest([-1, 0, 0], { limit: 1 })).toEqual([{ eventId: 'e6', distance: expect.closeTo(1 + Math.cos(1.25), 5) }]);
    expect(await index.upsert('e6', QUERY)).toBe(true);
    expect(await nearestIds(2)).toEqual(['e1', 'e6']);
    expect(await index.info()).toEqual({ model: 'bge-m3', dimension: 3, count: 6 });
    expect(await index.upsert('nope', QUERY)).toBe(false);
    await expect(index.upsert('e1', [1, 0])).rejects.toThrow(/2 dimensions; the index holds 3/);
    await expect(index.upsert('e1', [1, Number.NaN, 0])).rejects.toThrow(/finite/);
    await expect(index.nearest([1, 0], { limit: 1 })).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(await nearestIds(100_000)).toHaveLength(6);
    expect(await nearestIds(0)).toEqual([]);
  });

  it('chooses the k nearest among the events passing the filters, not k among all then filtered', async () => {
    await fill();
    expect(await nearestIds(2, { cameraIds: ['front'] })).toEqual(['e3', 'e4']);
    expect(await nearestIds(2, { types: ['line_crossing'] })).toEqual(['e1', 'e3']);
    expect(await nearestIds(2, { labels: ['car'] })).toEqual(['e5']);
    expect(await nearestIds(5, { fromMs: T0 + 3 * MINUTE, toMs: T0 + 5 * MINUTE })).toEqual(['e4', 'e5']);
    expect(await nearestIds(5, { cameraIds: ['back'], types: ['line_crossing'], fromMs: T0 + MINUTE })).toEqual(['e6']);
    expect(await nearestIds(5, { eventIds: ['e6', 'e2'] })).toEqual(['e2', 'e6']);
    expect(await nearestIds(5, { eventIds: [] })).toEqual([]);
    expect(await nearestIds(5, { cameraIds: [], types: [], labels: [] })).toHaveLength(5);
    // The farthest vector is still found when it is the only one allowed.
    expect(await nearestIds(1, { cameraIds: ['back'], fromMs: T0 + 5 * MINUTE })).toEqual(['e6']);
  });

  it('rebuilds for another dimension or model, queueing every event again', async () => {
    await fill();
    await storage.jobs.enqueueMany([
      { kind: 'embed_event', key: 'e1', payload: {} },
      { kind: 'embed_event', key: 'e2', payload: {} },
    ]);
    const [job] = await storage.jobs.claimDue(['embed_event'], 1, LEASE);
    expect(await storage.jobs.complete(job!, { output: { kind: 'vector', vector: angle(0) } })).toBe('done');
    now += 1000;
    expect(await index.prepare('bge-m3', 4)).toBe('rebuilt');
    expect(await index.info()).toEqual({ model: 'bge-m3', dimension: 4, count: 0 });
    expect((await storage.jobs.counts()).embed_event).toEqual({ queued: 6, running: 0, done: 0, failed: 0, oldestDueAt: now });
    expect(await storage.jobs.get('embed_event', 'e1')).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: now });
    expect(await index.upsert('e1', [1, 0, 0, 0])).toBe(true);
    expect(await index.prepare('nomic-embed-text', 4)).toBe('rebuilt');
    expect(await index.info()).toMatchObject({ model: 'nomic-embed-text', count: 0 });
    await index.upsert('e1', [1, 0, 0, 0]);
    await index.clear();
    expect(await index.info()).toBeUndefined();
    expect((await storage.jobs.counts()).embed_event.queued).toBe(6);
    expect(await index.nearest([1, 0, 0, 0], { limit: 3 })).toEqual([]);
    expect(await index.prepare('nomic-embed-text', 4)).toBe('created');
  });

  it('refuses a vector made for the index it replaced, and queues its job again', async () => {
    await index.prepare('bge-m3', 3);
    await storage.jobs.enqueue({ kind: 'embed_event', key: 'e1', payload: {} });
    const [job] = await storage.jobs.claimDue(['embed_event'], 1, LEASE);
    await index.prepare('bge-m3', 4);
    expect(await storage.jobs.complete(job!, { output: { kind: 'vector', vector: angle(0) } })).toBe('stale');
    expect(await storage.jobs.get('embed_event', 'e1')).toMatchObject({ status: 'queued' });
    const [again] = await storage.jobs.claimDue(['embed_event'], 1, LEASE);
    expect(await storage.jobs.complete(again!, { output: { kind: 'vector', vector: [0, 1, 0, 0] } })).toBe('done');
    expect((await index.info())?.count).toBe(1);
    expect(await index.nearest([0, 1, 0, 0], { limit: 1 })).toEqual([{ eventId: 'e1', distance: expect.closeTo(0, 5) }]);
  });

  it('never returns the vector of a deleted event, not even to a new event of the same id', async () => {
    await fill();
    const doomed = await storage.events.getEvent('e1');
    await storage.analyses.deleteRun(doomed!.runId);
    expect(await nearestIds(6)).toEqual(['e2', 'e3', 'e4', 'e5']);
    expect((await index.info())?.count).toBe(4);
    expect(await index.upsert('e6', QUERY)).toBe(false);
    await storeEventsInOneRun(storage, [VECTOR_EVENTS[0]!], { runKey: 'again', startMs: T0 });
    expect(await nearestIds(6)).toEqual(['e2', 'e3', 'e4', 'e5']);
    expect(await index.upsert('e1', angle(5))).toBe(true);
    expect(await nearestIds(6)).toEqual(['e2', 'e3', 'e4', 'e5', 'e1']);
  });

  it('removes vectors on request', async () => {
    await fill();
    expect(await index.remove(['e1', 'e2', 'missing'])).toBe(2);
    expect(await index.remove([])).toBe(0);
    expect(await nearestIds(2)).toEqual(['e3', 'e4']);
    expect((await index.info())?.count).toBe(4);
  });
});
