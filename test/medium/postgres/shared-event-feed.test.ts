import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SharedEventFeed } from '../../../src/adapters/announce/shared-event-feed.ts';
import { createPostgresStorage } from '../../../src/adapters/storage/postgres/pg-storage.ts';
import { createTextAnalyzer } from '../../../src/adapters/text/text-analyzer.ts';
import type { StoredEvent } from '../../../src/ports/analysis-store.ts';
import type { EventNotice } from '../../../src/ports/event-feed.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { createEventIndexer } from '../../../src/services/search/event-indexer.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storeEventsInOwnRuns } from '../../support/seed-storage.ts';
import { adminQuery, createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';

const skip = await skipWithoutPostgres('event notices between processes on PostgreSQL');
const text = createTextAnalyzer();
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** Two processes' storages on one database (each with its own pool and LISTEN connection). */
function openStorage(url: string): Storage {
  return createPostgresStorage({ database: url, indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' '), logger: silent });
}

async function storeEvent(storage: Storage, id: string): Promise<StoredEvent> {
  const event = storedEvent({ id, cameraId: 'door', startMs: T0, en: 'A person crossed', zhHant: '有人經過' });
  const runs = await storeEventsInOwnRuns(storage, [event]);
  return { ...event, runId: runs.get(id)! };
}

function collect(feed: SharedEventFeed): EventNotice[] {
  const heard: EventNotice[] = [];
  feed.subscribe((notice) => heard.push(notice));
  return heard;
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(skip)('SharedEventFeed over PostgreSQL NOTIFY', () => {
  let database: TestDatabase;
  let worker: Storage;
  let server: Storage;
  const feeds: SharedEventFeed[] = [];
  const feedOf = (storage: Storage, origin: string, describedText?: (id: string) => Promise<string | undefined>) => {
    const feed = new SharedEventFeed({ broadcast: storage.broadcast!, events: storage.events, origin, logger: silent, ...(describedText ? { describedText } : {}) });
    feeds.push(feed);
    return feed;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
    worker = openStorage(database.url);
    server = openStorage(database.url);
    await Promise.all([worker.open(), server.open()]);
  });
  afterEach(async () => {
    for (const feed of feeds.splice(0)) await feed.close();
    await worker.close();
    await server.close();
    await database.drop();
  });

  it('tells one process the events another stored, read back from the database, once each and in order', async () => {
    expect(worker.broadcast).toBeDefined();
    const workerFeed = feedOf(worker, 'worker');
    const serverFeed = feedOf(server, 'server');
    const heardByServer = collect(serverFeed);
    const heardByWorker = collect(workerFeed);
    await Promise.all([serverFeed.listening(), workerFeed.listening()]);

    const first = await storeEvent(worker, 'e1');
    const second = await storeEvent(worker, 'e2');
    workerFeed.notify([
      { change: 'new', stored: first },
      { change: 'new', stored: second },
    ]);
    workerFeed.notify([{ change: 'described', stored: second, description: '一個人經過門口' }]);

    await until(() => heardByServer.length === 3, 'the server to hear three notices');
    expect(heardByServer.map((n) => [n.change, n.stored.event.id])).toEqual([
      ['new', 'e1'],
      ['new', 'e2'],
      ['described', 'e2'],
    ]);
    // Read from the shared database: the whole event, as stored.
    expect(heardByServer[0]?.stored).toEqual(first);
    expect(heardByServer[2]).toMatchObject({ change: 'described', description: '一個人經過門口' });
    // The sender heard its own notices at once, and not a second time through the database.
    await new Promise((r) => setTimeout(r, 200));
    expect(heardByWorker.map((n) => n.stored.event.id)).toEqual(['e1', 'e2', 'e2']);
    expect(heardByServer).toHaveLength(3);
  });

  it('skips a notice whose event is gone, and a broadcast that is not a notice, and goes on', async () => {
    const workerFeed = feedOf(worker, 'worker');
    const serverFeed = feedOf(server, 'server');
    const heard = collect(serverFeed);
    await serverFeed.listening();

    const kept = await storeEvent(worker, 'kept');
    const gone = storedEvent({ id: 'never-stored', startMs: T0, en: 'x', zhHant: 'x' });
    await worker.broadcast!.publish('events', '{"not":"a notice"}');
    workerFeed.notify([{ change: 'new', stored: gone }]);
    workerFeed.notify([{ change: 'update', stored: kept }]);

    await until(() => heard.length === 1, 'the kept event');
    expect(heard[0]).toMatchObject({ change: 'update', stored: { event: { id: 'kept' } } });
  });

  it('reads a description too long for a message from the storage, whole', async () => {
    const long = '一個人在門口停留了很久，'.repeat(1_000);
    const workerFeed = feedOf(worker, 'worker');
    const serverFeed = feedOf(server, 'server', async (id) => (id === 'e1' ? long : undefined));
    const heard = collect(serverFeed);
    await serverFeed.listening();
    const stored = await storeEvent(worker, 'e1');
    workerFeed.notify([{ change: 'described', stored, description: long }]);
    await until(() => heard.length === 1, 'the described notice');
    expect(heard[0]).toMatchObject({ change: 'described', description: long });
  });

  it('stops listening (its connection closed) once its last listener left, and listens again for a new one', async () => {
    const serverFeed = feedOf(server, 'server');
    const listenConnections = async () =>
      Number((await adminQuery<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN vigil_events'", [database.name])).rows[0]!.n);
    const unsubscribe = serverFeed.subscribe(() => {});
    await serverFeed.listening();
    expect(await listenConnections()).toBe(1);
    unsubscribe();
    const deadline = Date.now() + 5_000;
    while ((await listenConnections()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await listenConnections()).toBe(0);
    const heard = collect(serverFeed);
    await serverFeed.listening();
    const workerFeed = feedOf(worker, 'worker');
    workerFeed.notify([{ change: 'new', stored: await storeEvent(worker, 'again') }]);
    await until(() => heard.length === 1, 'a notice after listening again');
  });

  it('sends nothing a closed process would lose: notices sent before close are delivered', async () => {
    const workerFeed = feedOf(worker, 'worker');
    const serverFeed = feedOf(server, 'server');
    const heard = collect(serverFeed);
    await serverFeed.listening();
    const events = await Promise.all(['a', 'b', 'c'].map((id) => storeEvent(worker, id)));
    for (const stored of events) workerFeed.notify([{ change: 'new', stored }]);
    await workerFeed.close();
    await until(() => heard.length === 3, 'three notices');
    expect(heard.map((n) => n.stored.event.id)).toEqual(['a', 'b', 'c']);
  });
});
