/**
 * The sidecar's messages and write-backs as jobs of the real SQLite queue, worked by the job
 * runner's Frigate lane with a scripted Frigate API (the MQTT and HTTP sides are in
 * test/medium/frigate-sidecar.test.ts).
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../test/factories/stored-events.ts';
import { openSqliteDatabase } from '../../adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteJobQueue } from '../../adapters/storage/sqlite/sqlite-job-queue.ts';
import { VigilError } from '../../domain/errors.ts';
import type { EventNotice } from '../../ports/event-feed.ts';
import type { FrigateApi } from '../../ports/frigate-api.ts';
import type { Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import type { FrigateIngest } from './frigate-ingest.ts';
import { frigateJobLane } from './frigate-job-lane.ts';
import { FrigateSidecar } from './frigate-sidecar.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const ID = '1795000000.5-abc';
const EVENT_ID = 'frigate-1795000000_5-abc';
const message = (type: 'new' | 'update' | 'end', frameTime: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type,
    after: { id: ID, camera: 'front', label: 'person', start_time: 1795000000, frame_time: frameTime, end_time: type === 'end' ? 1795000030 : null, top_score: 0.9, ...extra },
  });

describe('FrigateSidecar with the job queue', () => {
  let db: Database.Database;
  let now: number;
  let queue: SqliteJobQueue;
  let listeners: Array<(notice: EventNotice) => void>;
  let written: Array<[string, string]>;
  let published: Array<[string, string]>;
  let answer: () => Promise<boolean>;
  let ingested: string[];
  let sidecar: FrigateSidecar;
  let runner: JobRunner;
  const clock = { now: () => now };

  beforeEach(() => {
    db = openSqliteDatabase(':memory:');
    now = 1_795_000_100_000;
    queue = new SqliteJobQueue(db, { now: clock.now });
    listeners = [];
    written = [];
    ingested = [];
    answer = async () => true;
    const api = {
      setDescription: async (frigateId: string, description: string) => {
        written.push([frigateId, description]);
        return answer();
      },
    } as Pick<FrigateApi, 'setDescription'> as FrigateApi;
    published = [];
    const bus = {
      subscribe: async () => async () => {},
      publish: async (topic: string, payload: string | Uint8Array) => void published.push([topic, String(payload)]),
    } as Pick<MessageBus, 'subscribe' | 'publish'> as MessageBus;
    sidecar = new FrigateSidecar({
      bus,
      jobs: queue,
      api,
      feed: { subscribe: (listener) => (listeners.push(listener), () => {}) },
      settings: { topicPrefix: 'frigate', writeDescription: true, triggers: ['new', 'update', 'end'], cameras: {} },
      clock,
      logger: silent,
    });
    const ingest = { process: async (job: { key: string }) => void ingested.push(job.key) } as Pick<FrigateIngest, 'process'> as FrigateIngest;
    runner = new JobRunner({ queue, lanes: [frigateJobLane({ ingest, sidecar })], kinds: ['frigate_ingest', 'frigate_write_description'], clock, logger: silent });
  });

  afterEach(() => db.close());

  it('turns messages into one ingest job per Frigate event: replays and late messages change nothing', async () => {
    expect(await sidecar.intake('not json')).toBe('invalid');
    expect(await sidecar.intake(message('new', 1795000000, { false_positive: true }))).toBe('ignored');
    expect(await sidecar.intake(message('new', 1795000000))).toBe('queued');
    expect(await sidecar.intake(message('new', 1795000000))).toBe('unchanged');
    expect(await sidecar.intake(message('update', 1795000020))).toBe('requeued');
    expect(await sidecar.intake(message('end', 1795000030))).toBe('requeued');
    expect(await sidecar.intake(message('update', 1795000010))).toBe('unchanged');
    expect(await queue.get('frigate_ingest', ID)).toMatchObject({ status: 'queued', eventId: EVENT_ID, payload: { eventId: EVENT_ID, message: { type: 'end' } } });
    while ((await runner.processDue()) > 0);
    expect(ingested).toEqual([ID]);
    expect(await sidecar.intake(message('end', 1795000030))).toBe('unchanged');
    expect((await queue.get('frigate_ingest', ID))?.status).toBe('done');
  });

  it('writes descriptions of Frigate events back to Frigate, retrying while it is down, failing when it lost the event', async () => {
    await sidecar.start();
    const described = async (eventId: string, description: string) => {
      listeners.forEach((l) => l({ change: 'described', stored: storedEvent({ id: eventId, startMs: 0, en: 'x', zhHant: 'x' }), description }));
      // The sidecar queues the write-back asynchronously: let it finish.
      await new Promise((resolve) => setImmediate(resolve));
    };
    await described('not-from-frigate', 'ignored');
    expect((await queue.counts()).frigate_write_description.queued).toBe(0);

    await sidecar.intake(message('new', 1795000000));
    await described(EVENT_ID, 'a red coat');
    answer = () => Promise.reject(new VigilError('input_unreachable', 'Frigate is down', { retryable: true }));
    while ((await runner.processDue()) > 0);
    expect(await queue.get('frigate_write_description', ID)).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: now + 5_000, lastError: 'input_unreachable: Frigate is down' });

    // A newer description replaces the one waiting; Frigate is back.
    now += 1;
    await described(EVENT_ID, 'a blue coat');
    answer = async () => true;
    while ((await runner.processDue()) > 0);
    expect(written.at(-1)).toEqual([ID, 'a blue coat']);
    expect((await queue.get('frigate_write_description', ID))?.status).toBe('done');
    // Announced as Frigate's own GenAI announces a description (issue 12); only once written.
    expect(published.map(([topic, text]) => [topic, JSON.parse(text)])).toEqual([
      ['frigate/tracked_object_update', { type: 'description', id: ID, description: 'a blue coat', camera: 'front' }],
    ]);

    now += 1;
    await described(EVENT_ID, 'a green coat');
    answer = async () => false;
    while ((await runner.processDue()) > 0);
    expect(await queue.get('frigate_write_description', ID)).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/^input_not_found: Frigate has no event/) });
    expect(published).toHaveLength(1);
  });

  it('takes a burst in one transaction, in order, and counts arrivals and gaps per camera', async () => {
    const other = (type: 'new' | 'update' | 'end', id: string) =>
      JSON.stringify({ type, after: { id, camera: 'garage', label: 'car', start_time: now / 1000, frame_time: now / 1000 + 1, end_time: type === 'end' ? now / 1000 + 2 : null } });
    const outcomes = await sidecar.intakeMany([
      message('new', 1795000000),
      message('end', 1795000030),
      'not json',
      other('update', '1795000100.1-lost01'), // its `new` never came
      other('end', '1795000100.1-lost01'),
      other('end', '1795000100.2-lost02'), // nothing but its end
    ]);
    expect(outcomes).toEqual(['queued', 'requeued', 'invalid', 'queued', 'requeued', 'queued']);
    expect((await queue.get('frigate_ingest', ID))?.payload.message).toMatchObject({ type: 'end' });
    const garage = sidecar.stats.forCamera('garage');
    expect(garage).toMatchObject({ received: { new: 0, update: 1, end: 2 }, gaps: { updateWithoutNew: 1, endWithoutNew: 1 } });
    // `front`'s object started before Vigil listened: its messages are counted, never held as gaps.
    expect(sidecar.stats.forCamera('front')).toMatchObject({ received: { new: 1, update: 0, end: 1 }, gaps: { updateWithoutNew: 0, endWithoutNew: 0 } });
    expect(sidecar.stats.totals.invalid).toBe(1);
  });

  it('hands messages from the MQTT client to the next batch, and counts what overflows its bound', async () => {
    const handlers = new Map<string, (m: { topic: string; payload: Uint8Array; retained: boolean }) => void>();
    const bus = {
      subscribe: async (filter: string, handler: (m: { topic: string; payload: Uint8Array; retained: boolean }) => void) => (handlers.set(filter, handler), async () => {}),
      publish: async () => {},
    } as Pick<MessageBus, 'subscribe' | 'publish'> as MessageBus;
    const small = new FrigateSidecar({
      bus,
      jobs: queue,
      api: {} as FrigateApi,
      feed: { subscribe: () => () => {} },
      settings: { topicPrefix: 'frigate', writeDescription: false, triggers: ['new', 'update', 'end'], cameras: {} },
      clock,
      logger: silent,
      maxPending: 2,
    });
    await small.start();
    const deliver = handlers.get('frigate/events')!;
    const ids = ['1795000300.1-a', '1795000300.2-b', '1795000300.3-c', '1795000300.4-d'];
    for (const id of ids) deliver({ topic: 'frigate/events', retained: false, payload: new TextEncoder().encode(JSON.stringify({ type: 'new', after: { id, camera: 'front', label: 'person', start_time: 1795000300 } })) });
    // Nothing stored while the client is still handing messages over.
    expect(await queue.get('frigate_ingest', ids[0]!)).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await Promise.all(ids.map(async (id) => (await queue.get('frigate_ingest', id))?.status))).toEqual(['queued', 'queued', undefined, undefined]);
    expect(small.stats.totals.overflow).toBe(2);
    // Mosquitto's own count of dropped messages, from $SYS.
    handlers.get('$SYS/broker/publish/messages/dropped')!({ topic: '$SYS/broker/publish/messages/dropped', retained: true, payload: new TextEncoder().encode('2270') });
    expect(small.stats.totals.brokerDropped).toBe(2270);
    await small.stop();
  });

  it('keeps the id an event was stored under before issue 12, and gives new ones a one-to-one id', async () => {
    // A job from before: its event id used the old encoding ("_" for "_").
    await queue.enqueue({ kind: 'frigate_ingest', key: '1795000200.1-a_b', payload: { eventId: 'frigate-1795000200_1-a_b', progress: 0, message: {} } });
    const msg = (id: string) => JSON.stringify({ type: 'end', after: { id, camera: 'front', label: 'person', start_time: 1795000200, end_time: 1795000210 } });
    await sidecar.intakeMany([msg('1795000200.1-a_b'), msg('1795000200.1-a.b')]);
    expect((await queue.get('frigate_ingest', '1795000200.1-a_b'))?.payload.eventId).toBe('frigate-1795000200_1-a_b');
    // "a.b" would be "frigate-1795000200_1-a_b" too: that id is taken, so its dots are escaped.
    expect((await queue.get('frigate_ingest', '1795000200.1-a.b'))?.payload.eventId).toBe('frigate-1795000200~2e1-a~2eb');
    await sidecar.intake(msg('1795000200.1-c_d'));
    expect((await queue.get('frigate_ingest', '1795000200.1-c_d'))?.payload.eventId).toBe('frigate-1795000200_1-c~5fd');
  });
});
