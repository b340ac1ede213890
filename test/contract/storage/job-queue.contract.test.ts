import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewDescription } from '../../../src/ports/description-store.ts';
import type { JobKind, JobOutput, JobQueue } from '../../../src/ports/job-queue.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storeEventsInOwnRuns } from '../../support/seed-storage.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const EVENTS = ['e1', 'e2', 'e3'].map((id, i) => storedEvent({ id, startMs: Date.UTC(2024, 4, 1, 14, i), en: `Person p1 crossed the door line (${id})`, zhHant: '人物 p1 穿越門口警戒線' }));
const LEASE = { leaseMs: 60_000 };
const describeJob = (key: string, requestedBy: 'auto' | 'manual' = 'auto', provider?: string) => ({
  kind: 'describe_event' as const,
  key,
  payload: { requestedBy, ...(provider !== undefined ? { provider } : {}) },
});
const embedJob = (key: string) => ({ kind: 'embed_event' as const, key, payload: {} });
const ingestJob = (frigateId: string, progress: number, type = 'new', eventId = `frigate-${frigateId}`) => ({
  kind: 'frigate_ingest' as const,
  key: frigateId,
  payload: { eventId, progress, message: { type, after: { id: frigateId } } },
});
const writeBackJob = (frigateId: string, progress: number, description: string) => ({
  kind: 'frigate_write_description' as const,
  key: frigateId,
  payload: { eventId: `frigate-${frigateId}`, progress, description },
});
const newDescription = (text: string): NewDescription => ({ provider: 'vlm', model: 'llava', json: { scene: text }, flagged: false, textForSearch: text });
/** A job's output as the storage writes it: a description (vectors need an index prepared first). */
const described = (text: string): JobOutput => ({ kind: 'description', description: newDescription(text) });

describe.each(await storageBackends())('JobQueue on %s', (backend) => {
  let test: TestStorage;
  let storage: Storage;
  let queue: JobQueue;
  let now: number;
  let runs: Map<string, number>;

  beforeEach(async () => {
    now = 1_000_000;
    test = await backend.create({ now: () => now });
    storage = test.storage;
    runs = await storeEventsInOwnRuns(storage, EVENTS);
    queue = storage.jobs;
  });

  afterEach(async () => {
    await test.dispose();
  });

  describe('enqueue rules', () => {
    it('describe_event: once; only a manual request queues a done or failed job again', async () => {
      expect(await queue.enqueue(describeJob('e1'))).toBe('queued');
      expect(await queue.enqueue(describeJob('e1'))).toBe('unchanged');
      expect(await queue.enqueue(describeJob('nope'))).toBe('unknown_event');
      const [job] = await queue.claimDue(['describe_event'], 10, LEASE);
      expect(await queue.complete(job!)).toBe('done');
      expect(await queue.enqueue(describeJob('e1'))).toBe('unchanged');
      expect(await queue.get('describe_event', 'e1')).toMatchObject({ status: 'done', attempts: 1, payload: { requestedBy: 'auto' } });
      now += 5;
      expect(await queue.enqueue(describeJob('e1', 'manual', 'vlm'))).toBe('requeued');
      expect(await queue.get('describe_event', 'e1')).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: now, payload: { requestedBy: 'manual', provider: 'vlm' } });

      const [again] = await queue.claimDue(['describe_event'], 1, LEASE);
      await queue.fail(again!, 'provider_auth: wrong key', { permanent: true });
      expect(await queue.enqueue(describeJob('e1', 'manual'))).toBe('requeued');
      expect(await queue.get('describe_event', 'e1')).toMatchObject({ status: 'queued', attempts: 0, payload: { requestedBy: 'manual', provider: 'vlm' } });
      expect((await queue.get('describe_event', 'e1'))?.lastError).toBeUndefined();
    });

    it('describe_event: a manual request makes a job waiting for a retry due now, and leaves a running one alone', async () => {
      await queue.enqueue(describeJob('e1'));
      const [job] = await queue.claimDue(['describe_event'], 1, LEASE);
      expect(await queue.enqueue(describeJob('e1', 'manual'))).toBe('unchanged');
      expect((await queue.get('describe_event', 'e1'))?.status).toBe('running');
      await queue.fail(job!, 'provider_unavailable: down', { retryAt: now + 60_000 });
      expect(await queue.enqueue(describeJob('e1', 'manual'))).toBe('requeued');
      expect(await queue.get('describe_event', 'e1')).toMatchObject({ status: 'queued', nextAttemptAt: now, attempts: 1, lastError: 'provider_unavailable: down', payload: { requestedBy: 'manual' } });
      expect(await queue.enqueue(describeJob('e1', 'manual'))).toBe('unchanged');
    });

    it('embed_event: a waiting job keeps its schedule; a running one is queued again and its result does not mark it done', async () => {
      expect(await queue.enqueueMany([embedJob('e1'), embedJob('e2'), embedJob('nope')])).toEqual(['queued', 'queued', 'unknown_event']);
      const [first, second] = await queue.claimDue(['embed_event'], 2, LEASE);
      await queue.fail(second!, 'provider_unavailable: down', { retryAt: now + 30_000 });
      expect(await queue.enqueue(embedJob('e2'))).toBe('unchanged');
      expect(await queue.get('embed_event', 'e2')).toMatchObject({ status: 'queued', nextAttemptAt: now + 30_000, attempts: 1 });

      // The event's text changed while e1 was being embedded: the result is still stored.
      now += 10;
      expect(await queue.enqueue(embedJob('e1'))).toBe('requeued');
      expect(await queue.complete(first!, { output: described('first result') })).toBe('requeued');
      expect((await storage.descriptions.get('e1'))?.textForSearch).toBe('first result');
      expect(await queue.get('embed_event', 'e1')).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: now });
      // A failure of the outdated try changes nothing either.
      expect(await queue.fail(first!, 'late', { permanent: true })).toBe(false);

      const [done] = await queue.claimDue(['embed_event'], 1, LEASE);
      expect(await queue.complete(done!)).toBe('done');
      expect(await queue.enqueue(embedJob('e1'))).toBe('requeued');
      now += 30_000;
      const [refused] = await queue.claimDue(['embed_event'], 1, LEASE);
      await queue.fail(refused!, 'provider_auth: bad key', { permanent: true });
      expect(await queue.enqueue(embedJob(refused!.key))).toBe('requeued');
      expect(await queue.get('embed_event', refused!.key)).toEqual(expect.objectContaining({ status: 'queued', attempts: 0, nextAttemptAt: now }));
      expect((await queue.get('embed_event', refused!.key))?.lastError).toBeUndefined();
    });

    it('frigate jobs: only a message further along replaces the job; a write-back wins at equal progress', async () => {
      expect(await queue.enqueue(ingestJob('f1', 10))).toBe('queued');
      expect(await queue.enqueue(ingestJob('f1', 10, 'update'))).toBe('unchanged');
      expect(await queue.enqueue(ingestJob('f1', 5, 'update'))).toBe('unchanged');
      const [job] = await queue.claimDue(['frigate_ingest'], 1, LEASE);
      expect(await queue.enqueue(ingestJob('f1', 20, 'end'))).toBe('requeued');
      // The worker that held the older message finishes: the newer one stays queued.
      expect(await queue.complete(job!)).toBe('requeued');
      expect(await queue.get('frigate_ingest', 'f1')).toMatchObject({ status: 'queued', attempts: 0, eventId: 'frigate-f1', payload: { progress: 20, message: { type: 'end' } } });

      expect(await queue.enqueue(writeBackJob('f1', 100, 'a red coat'))).toBe('queued');
      expect(await queue.enqueue(writeBackJob('f1', 100, 'a blue coat'))).toBe('requeued');
      expect(await queue.enqueue(writeBackJob('f1', 99, 'stale'))).toBe('unchanged');
      expect((await queue.get('frigate_write_description', 'f1'))?.payload.description).toBe('a blue coat');
      expect((await queue.findByEvent('frigate_ingest', 'frigate-f1'))?.key).toBe('f1');
      expect(await queue.findByEvent('frigate_ingest', 'e1')).toBeUndefined();
    });

    it('applies offers of the same job in one batch one after the other, as separate calls would', async () => {
      expect(
        await queue.enqueueMany([
          describeJob('e1'),
          describeJob('e1', 'manual', 'vlm'),
          ingestJob('f1', 10),
          ingestJob('f1', 20, 'end'),
          ingestJob('f1', 15, 'update'),
          describeJob('nope'),
          embedJob('e2'),
          embedJob('e2'),
        ]),
      ).toEqual(['queued', 'unchanged', 'queued', 'requeued', 'unchanged', 'unknown_event', 'queued', 'unchanged']);
      // A queued job asked for by hand becomes manual (and keeps the provider it had).
      expect((await queue.get('describe_event', 'e1'))?.payload).toEqual({ requestedBy: 'manual' });
      expect(await queue.get('frigate_ingest', 'f1')).toMatchObject({ status: 'queued', attempts: 0, payload: { progress: 20, message: { type: 'end' } } });
      expect(await queue.enqueueMany([])).toEqual([]);
    });

    it('tells listeners which kinds got new work', async () => {
      const heard: JobKind[] = [];
      const stop = queue.onEnqueued((kind) => heard.push(kind));
      await queue.enqueue(describeJob('e1'));
      await queue.enqueue(describeJob('e1'));
      await queue.enqueueMany([embedJob('e1'), embedJob('e2')]);
      await queue.enqueue(ingestJob('f1', 1));
      stop();
      await queue.enqueue(describeJob('e2'));
      expect(heard).toEqual(['describe_event', 'embed_event', 'frigate_ingest']);
    });
  });

  describe('claims and leases', () => {
    it('claims due jobs of the asked kinds atomically, oldest first, up to the limit, each once', async () => {
      for (const id of ['e3', 'e1', 'e2']) {
        await queue.enqueue(describeJob(id));
        now += 1;
      }
      await queue.enqueue(embedJob('e1'));
      const first = await queue.claimDue(['describe_event'], 2, LEASE);
      expect(first.map((j) => j.key)).toEqual(['e3', 'e1']);
      expect(first.map((j) => [j.attempts, j.payload, j.eventId])).toEqual([
        [1, { requestedBy: 'auto' }, 'e3'],
        [1, { requestedBy: 'auto' }, 'e1'],
      ]);
      expect((await queue.claimDue(['describe_event'], 2, LEASE)).map((j) => j.key)).toEqual(['e2']);
      expect(await queue.claimDue(['describe_event'], 2, LEASE)).toEqual([]);
      expect((await queue.claimDue(['embed_event', 'frigate_ingest'], 5, LEASE)).map((j) => [j.kind, j.key])).toEqual([['embed_event', 'e1']]);
      expect((await queue.counts()).describe_event).toEqual({ queued: 0, running: 3, done: 0, failed: 0 });
      expect(await queue.claimDue([], 5, LEASE)).toEqual([]);
      expect(await queue.claimDue(['embed_event'], 0, LEASE)).toEqual([]);
    });

    it('orders jobs due at the same time by kind and key, bytewise (as SQLite compares them)', async () => {
      const keys = ['b', 'B', 'a-2', 'a_1', 'A', 'é', 'z'];
      for (const key of keys) await queue.enqueue(ingestJob(key, 1));
      // Claimed three at a time, so the database's choice of which come first is what is tested.
      const claimed: string[] = [];
      for (let batch = await queue.claimDue(['frigate_ingest'], 3, LEASE); batch.length; batch = await queue.claimDue(['frigate_ingest'], 3, LEASE)) {
        claimed.push(...batch.map((j) => j.key));
      }
      expect(claimed).toEqual(['A', 'B', 'a-2', 'a_1', 'b', 'z', 'é']);
    });

    it('never hands the same job to two concurrent claimers, also from two processes', async () => {
      const keys = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}`);
      await queue.enqueueMany(keys.map((key) => ingestJob(key, 1)));
      const other = test.another().jobs;
      const claimers = [queue, other, queue, other, queue, other, queue, other];
      const round = async () => (await Promise.all(claimers.map((q) => q.claimDue(['frigate_ingest'], 3, LEASE)))).flat().map((j) => j.key);
      const claimed = await round();
      expect(claimed).toHaveLength(24);
      expect(new Set(claimed).size).toBe(24);
      // The rest go to the next claimers, again each once.
      const rest = await round();
      expect([...claimed, ...rest].sort()).toEqual(keys);
      expect((await queue.counts()).frigate_ingest).toEqual({ queued: 0, running: 40, done: 0, failed: 0 });
    });

    it('applies concurrent offers of the same jobs one after the other, also from two processes', async () => {
      const other = test.another().jobs;
      const offers = Array.from({ length: 10 }, (_, i) => (i % 2 ? other : queue).enqueueMany([ingestJob('f1', i), describeJob('e1'), embedJob('e2')]));
      const outcomes = await Promise.all(offers);
      // Each job is new to exactly one of them.
      for (const column of [0, 1, 2]) expect(outcomes.filter((o) => o[column] === 'queued')).toHaveLength(1);
      expect(outcomes.map((o) => o[1]).filter((o) => o !== 'queued')).toEqual(Array(9).fill('unchanged'));
      // Whatever the order, the furthest message is the one kept.
      expect((await queue.get('frigate_ingest', 'f1'))?.payload.progress).toBe(9);
      expect((await queue.counts()).frigate_ingest).toMatchObject({ queued: 1 });
    });

    it('does not hand out a job before its retry time', async () => {
      await queue.enqueue(describeJob('e1'));
      const [job] = await queue.claimDue(['describe_event'], 1, LEASE);
      await queue.fail(job!, 'provider_unavailable: down', { retryAt: now + 30_000 });
      now += 29_999;
      expect(await queue.claimDue(['describe_event'], 1, LEASE)).toEqual([]);
      now += 1;
      expect((await queue.claimDue(['describe_event'], 1, LEASE)).map((j) => [j.key, j.attempts])).toEqual([['e1', 2]]);
    });

    it('takes over a running job whose lease ran out, and fences off the old claimer', async () => {
      await queue.enqueue(describeJob('e1'));
      const start = now;
      const [old] = await queue.claimDue(['describe_event'], 1, LEASE);
      now = start + LEASE.leaseMs - 1;
      expect(await queue.claimDue(['describe_event'], 1, LEASE)).toEqual([]);
      // Extending renews the lease from now.
      now = start + 1000;
      expect(await queue.extendLease(old!, LEASE)).toBe(true);
      now = start + LEASE.leaseMs;
      expect(await queue.claimDue(['describe_event'], 1, LEASE)).toEqual([]);
      now = start + 1000 + LEASE.leaseMs;
      const [taken] = await queue.claimDue(['describe_event'], 1, LEASE);
      expect(taken).toMatchObject({ key: 'e1', attempts: 2, claim: old!.claim + 1 });

      expect(await queue.extendLease(old!, LEASE)).toBe(false);
      expect(await queue.complete(old!, { output: described('stale') })).toBe('stale');
      expect(await queue.fail(old!, 'stale', { permanent: true })).toBe(false);
      expect(await storage.descriptions.get('e1')).toBeUndefined();
      expect(await queue.complete(taken!, { output: described('fresh') })).toBe('done');
      expect(await storage.descriptions.get('e1')).toMatchObject({ textForSearch: 'fresh', createdAt: now });
      expect(await queue.get('describe_event', 'e1')).toMatchObject({ status: 'done', attempts: 2 });
    });

    it('claims one job now whatever its state (a user waits), fencing off its worker', async () => {
      await queue.enqueue(describeJob('e1'));
      const [background] = await queue.claimDue(['describe_event'], 1, LEASE);
      const now_ = await queue.claim('describe_event', 'e1', LEASE);
      expect(now_).toMatchObject({ key: 'e1', attempts: 2, eventId: 'e1', payload: { requestedBy: 'auto' } });
      expect(await queue.complete(background!)).toBe('stale');
      expect(await queue.claim('describe_event', 'nope', LEASE)).toBeUndefined();
    });

    it('recovers running jobs: every one at the start of the worker process, else only expired leases', async () => {
      await queue.enqueue(describeJob('e1'));
      await queue.enqueue(describeJob('e2'));
      await queue.enqueue(ingestJob('f1', 1));
      const [a] = await queue.claimDue(['describe_event'], 2, LEASE);
      await queue.claimDue(['frigate_ingest'], 1, { leaseMs: 1000 });
      expect(await queue.recover([])).toBe(0);
      expect(await queue.recover(['describe_event', 'frigate_ingest'])).toBe(0);
      now += 1000;
      expect(await queue.recover(['describe_event', 'frigate_ingest'])).toBe(1);
      expect(await queue.recover(['describe_event'], { all: true })).toBe(2);
      expect((await queue.counts()).describe_event).toMatchObject({ queued: 2, running: 0 });
      // The dead process's worker cannot finish them any more.
      expect(await queue.complete(a!)).toBe('stale');
      expect((await queue.claimDue(['describe_event'], 5, LEASE)).map((j) => j.attempts)).toEqual([2, 2]);
    });

    it('queues every event for a kind: the missing ones, or all again (fencing off running work)', async () => {
      await queue.enqueue(embedJob('e1'));
      const [running] = await queue.claimDue(['embed_event'], 1, LEASE);
      const heard: JobKind[] = [];
      queue.onEnqueued((kind) => heard.push(kind));
      expect(await queue.enqueueEveryEvent('embed_event', { onlyMissing: true })).toBe(2);
      expect(await queue.enqueueEveryEvent('embed_event', { onlyMissing: true })).toBe(0);
      expect(await queue.enqueueEveryEvent('embed_event', { onlyMissing: false })).toBe(3);
      expect(heard).toEqual(['embed_event', 'embed_event']);
      expect(await queue.complete(running!)).toBe('stale');
      expect((await queue.counts()).embed_event).toMatchObject({ queued: 3, running: 0 });
      expect(await queue.get('embed_event', 'e2')).toMatchObject({ eventId: 'e2', payload: {}, attempts: 0, nextAttemptAt: now });
    });
  });

  describe('state', () => {
    it('records permanent failures with their reason, and lists recent failures', async () => {
      await queue.enqueue(describeJob('e1'));
      await queue.enqueue(describeJob('e2'));
      const [one, two] = await queue.claimDue(['describe_event'], 2, LEASE);
      expect(await queue.fail(one!, 'provider_auth: wrong key', { permanent: true })).toBe(true);
      now += 10;
      await queue.fail(two!, 'provider_unavailable: down', { retryAt: now + 5000 });
      expect(await queue.get('describe_event', 'e1')).toEqual({
        kind: 'describe_event',
        key: 'e1',
        eventId: 'e1',
        payload: { requestedBy: 'auto' },
        status: 'failed',
        attempts: 1,
        nextAttemptAt: 1_000_000,
        lastError: 'provider_auth: wrong key',
        createdAt: 1_000_000,
        updatedAt: 1_000_000,
      });
      expect((await queue.recentFailures('describe_event', 5)).map((j) => [j.key, j.status])).toEqual([
        ['e2', 'queued'],
        ['e1', 'failed'],
      ]);
      expect((await queue.recentFailures('describe_event', 1)).map((j) => j.key)).toEqual(['e2']);
      expect(await queue.claimDue(['describe_event'], 5, LEASE)).toEqual([]);
    });

    it('counts per kind and status, with the oldest due time', async () => {
      await queue.enqueue(describeJob('e1'));
      now += 100;
      await queue.enqueue(describeJob('e2'));
      await queue.enqueue(ingestJob('f1', 1));
      now += 50;
      const counts = await queue.counts();
      expect(counts.describe_event).toEqual({ queued: 2, running: 0, done: 0, failed: 0, oldestDueAt: 1_000_000 });
      expect(counts.frigate_ingest).toEqual({ queued: 1, running: 0, done: 0, failed: 0, oldestDueAt: 1_000_100 });
      expect(counts.embed_event).toEqual({ queued: 0, running: 0, done: 0, failed: 0 });
    });

    it('goes with its event: describe, embed and Frigate jobs alike', async () => {
      await queue.enqueue(describeJob('e1'));
      await queue.enqueue(embedJob('e1'));
      await queue.enqueue(ingestJob('f1', 1, 'new', 'e1'));
      await queue.enqueue(describeJob('e2'));
      await storage.analyses.deleteRun(runs.get('e1')!);
      expect(await queue.get('describe_event', 'e1')).toBeUndefined();
      expect(await queue.get('embed_event', 'e1')).toBeUndefined();
      expect(await queue.get('frigate_ingest', 'f1')).toBeUndefined();
      expect(await queue.get('describe_event', 'e2')).toMatchObject({ status: 'queued' });
      expect(await queue.enqueue(describeJob('e1'))).toBe('unknown_event');
    });
  });
});
