/**
 * Medium tests: the real service over a real SQLite database with sqlite-vec, with a scripted
 * provider standing in for the embedding model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { createSqliteStorage } from '../../../adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { StoredDescription } from '../../../ports/description-store.ts';
import type { JobQueue } from '../../../ports/job-queue.ts';
import type { Logger } from '../../../ports/logger.ts';
import type { Storage } from '../../../ports/storage.ts';
import type { VectorIndex } from '../../../ports/vector-index.ts';
import { JobRunner } from '../../jobs/job-runner.ts';
import { createEventIndexer } from '../../search/event-indexer.ts';
import { registryOf } from '../descriptions/testing/descriptions.ts';
import { EmbeddingService, type EmbeddingServiceDeps } from './embedding.service.ts';
import { down, ScriptedEmbedder, up, type EmbedReply } from './testing/fake-embedder.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const text = createTextAnalyzer();
const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const MINUTE = 60_000;
const IDS = ['e1', 'e2', 'e3', 'e4', 'e5'];
const EVENTS = IDS.map((id, i) =>
  storedEvent({ id, cameraId: i < 3 ? 'back' : 'front', startMs: T0 + i * MINUTE, en: `Person p1 crossed the door line (${id})`, zhHant: '人物 p1 穿越門口警戒線', keywords: ['person', 'crossing'] }),
);

/** Which event a text is about: the seed puts the id in the summary. */
const idOf = (text: string) => /\((e\d+)\)/.exec(text)?.[1] ?? '?';
/** A direction per event, so that a stored vector tells which text it was made from. */
const byEvent = (text: string) => {
  const i = IDS.indexOf(idOf(text));
  return [Math.cos(i), Math.sin(i), 0.5];
};

describe('EmbeddingService', () => {
  let dir: string;
  let now: number;
  const clock = { now: () => now };
  const opened: Storage[] = [];

  /** One "process": a connection, the stores, a service and its job runner, as app.ts would build them. */
  function start(provider: ScriptedEmbedder, options: Partial<EmbeddingServiceDeps> & { sleep?: (ms: number, signal: AbortSignal) => Promise<void> } = {}) {
    const storage = createSqliteStorage({ file: join(dir, 'vigil.db'), indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' '), now: clock.now });
    opened.push(storage);
    const { jobs, vectors: index } = storage;
    const registry = registryOf(provider);
    const { sleep, ...deps } = options;
    const service = new EmbeddingService({
      jobs,
      index,
      events: storage.events,
      providers: registry,
      providerName: 'local_embed',
      model: 'bge-m3',
      clock,
      logger: silent,
      batchSize: 2,
      retry: { baseMs: 10_000, maxMs: 30 * MINUTE },
      ...deps,
    });
    const runner = new JobRunner({ queue: jobs, lanes: [service.jobLane()], kinds: ['embed_event'], clock, logger: silent, ...(sleep ? { sleep } : {}) });
    return { jobs, index, service, runner, registry };
  }

  /** Runs the runner's passes, moving the clock to each next due time, until nothing is left to do. */
  async function drain(runner: JobRunner, jobs: JobQueue, maxPasses = 50) {
    for (let pass = 0; pass < maxPasses; pass++) {
      if ((await runner.processDue()) > 0) continue;
      const next = (await Promise.all(IDS.map((id) => jobs.get('embed_event', id)))).filter((j) => j?.status === 'queued').map((j) => j!.nextAttemptAt);
      if (next.length === 0) return;
      now = Math.max(now, Math.min(...next));
    }
    throw new Error('the queue did not drain');
  }

  /** The event each stored vector was made from, by looking up each event's own direction. */
  const storedFrom = async (index: VectorIndex) =>
    (await Promise.all(IDS.map(async (id) => (await index.nearest(byEvent(`(${id})`), { limit: 1, filter: { eventIds: [id] } }))[0]))).map((m) =>
      m && m.distance < 1e-6 ? m.eventId : undefined,
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-embeddings-'));
    await seedDatabase(dir, EVENTS);
    now = T0 + 10 * MINUTE;
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('embeds queued events in batches, one background call each, with both summaries and the keywords', async () => {
    const provider = new ScriptedEmbedder(up, byEvent);
    const { service, index, jobs, runner, registry } = start(provider);
    expect(await service.enqueue(IDS)).toBe(5);
    await drain(runner, jobs);
    expect(provider.calls.map((c) => c.texts.map(idOf))).toEqual([['e1', 'e2'], ['e3', 'e4'], ['e5']]);
    expect(provider.calls[0]?.texts[0]).toBe('Person p1 crossed the door line (e1)\n人物 p1 穿越門口警戒線\nperson crossing');
    expect(registry.contexts).toEqual([
      { priority: 'background', camera: 'back' },
      { priority: 'background' },
      { priority: 'background', camera: 'front' },
    ]);
    expect(await service.status()).toEqual({ provider: 'local_embed', model: 'bge-m3', index: { model: 'bge-m3', dimension: 3, count: 5 }, jobs: { queued: 0, running: 0, done: 5, failed: 0 } });
    expect(await storedFrom(index)).toEqual(IDS);
  });

  it('loses and repeats nothing through an outage, honouring Retry-After', async () => {
    // Down for three calls, then rate limited for two minutes, then up.
    const script = (_texts: readonly string[], call: number): EmbedReply =>
      call < 3 ? down() : call === 3 ? { error: new VigilError('provider_rate_limited', 'slow down', { retryable: true, retryAfterMs: 2 * MINUTE }) } : up();
    const provider = new ScriptedEmbedder(script, byEvent);
    const { service, index, jobs, runner } = start(provider);
    await service.enqueue(IDS);
    const started = now;
    await runner.processDue();
    expect(await jobs.get('embed_event', 'e1')).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: started + 10_000, lastError: 'provider_unavailable: connection refused' });
    await drain(runner, jobs);
    expect((await service.status()).jobs).toEqual({ queued: 0, running: 0, done: 5, failed: 0 });
    // Every event embedded by exactly one successful call.
    expect(provider.embedded().map(idOf).sort()).toEqual(IDS);
    expect(await storedFrom(index)).toEqual(IDS);
    expect((await index.info())?.count).toBe(5);
    const rateLimited = provider.calls[3]!.texts.map(idOf);
    const retried = provider.calls.findIndex((c, i) => i > 3 && c.texts.map(idOf).includes(rateLimited[0]!));
    expect(retried).toBeGreaterThan(3);
  });

  it('waits at least as long as the provider asks', async () => {
    const provider = new ScriptedEmbedder(() => ({ error: new VigilError('circuit_open', 'resting', { retryable: true, retryAfterMs: 7 * MINUTE }) }), byEvent);
    const { service, jobs, runner } = start(provider);
    await service.enqueue(['e1']);
    await runner.processDue();
    expect(await jobs.get('embed_event', 'e1')).toMatchObject({ status: 'queued', nextAttemptAt: now + 7 * MINUTE, lastError: 'circuit_open: resting' });
  });

  it('fails a refused batch for good, and an enqueue brings it back', async () => {
    const provider = new ScriptedEmbedder(() => ({ error: new VigilError('provider_bad_request', 'model "bge-m3" not found') }), byEvent);
    const { service, jobs, runner } = start(provider);
    await service.enqueue(['e1', 'e2']);
    await runner.processDue();
    expect(await jobs.get('embed_event', 'e1')).toMatchObject({ status: 'failed', lastError: 'provider_bad_request: model "bge-m3" not found' });
    provider.answer = up;
    await service.enqueue(['e1']);
    await drain(runner, jobs);
    expect((await service.status()).jobs).toEqual({ queued: 0, running: 0, done: 1, failed: 1 });
  });

  it('treats unusable vectors as bad output and gives up after a few tries', async () => {
    const provider = new ScriptedEmbedder(up, () => [0, 0, 0]);
    const { service, jobs, runner } = start(provider, { retry: { baseMs: 1000, maxMs: 1000, maxUnexpectedAttempts: 3 } });
    await service.enqueue(['e1']);
    await drain(runner, jobs);
    expect(provider.calls).toHaveLength(3);
    expect(await jobs.get('embed_event', 'e1')).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/^provider_bad_output: .*zero vector/) });
  });

  it('after a crash, embeds the jobs the dead process left running, once', async () => {
    const hanging = new ScriptedEmbedder(() => ({ hang: true }), () => [0, 0, 1]);
    const first = start(hanging);
    await first.service.enqueue(['e1', 'e2']);
    const lost = first.runner.processDue();
    // The claim and the reads before the call are asynchronous: wait for the call itself.
    await vi.waitFor(() => expect(hanging.calls).toHaveLength(1));
    expect((await first.jobs.counts()).embed_event).toMatchObject({ running: 2 });

    // That process is gone; a new one starts its worker, which stops when it runs out of work.
    const provider = new ScriptedEmbedder(up, byEvent);
    const stop = new AbortController();
    const second = start(provider, { sleep: async () => stop.abort() });
    await second.runner.run({ signal: stop.signal });
    // e1 and e2 taken over; e3..e5, never queued, found by the start-up sweep.
    expect(provider.embedded().map(idOf).sort()).toEqual(IDS);
    expect((await second.service.status()).jobs).toEqual({ queued: 0, running: 0, done: 5, failed: 0 });

    // The old call answers at last: its vectors ([0, 0, 1]) are refused.
    hanging.release();
    await lost;
    expect(await storedFrom(second.index)).toEqual(IDS);
    expect((await second.service.status()).jobs.done).toBe(5);
  });

  it('takes over a job whose worker went silent past its lease, and refuses the late answer', async () => {
    const hanging = new ScriptedEmbedder(() => ({ hang: true }), () => [0, 0, 1]);
    const a = start(hanging, { leaseMs: MINUTE });
    await a.service.enqueue(['e1']);
    const late = a.runner.processDue();
    // The claim and the reads before the call are asynchronous: wait for the call itself.
    await vi.waitFor(() => expect(hanging.calls).toHaveLength(1));
    const provider = new ScriptedEmbedder(up, byEvent);
    const b = start(provider, { leaseMs: MINUTE });
    expect(await b.runner.processDue()).toBe(0);
    now += MINUTE;
    expect(await b.runner.processDue()).toBe(1);
    hanging.release();
    await late;
    expect(await b.jobs.get('embed_event', 'e1')).toMatchObject({ status: 'done', attempts: 2 });
    expect((await storedFrom(b.index))[0]).toBe('e1');
  });

  it('rebuilds the index when the model answers with another dimension, and when the model changes', async () => {
    const provider = new ScriptedEmbedder(up, byEvent);
    const { service, index, jobs, runner } = start(provider, { batchSize: 5 });
    await service.enqueue(IDS);
    await drain(runner, jobs);
    provider.embedText = (text) => [...byEvent(text), 1];
    await service.enqueue(['e1']);
    await drain(runner, jobs);
    expect(await index.info()).toEqual({ model: 'bge-m3', dimension: 4, count: 5 });
    expect((await service.status()).jobs.done).toBe(5);

    const upgraded = new ScriptedEmbedder(up, byEvent);
    const stop = new AbortController();
    const next = start(upgraded, { model: 'bge-m3-v2', batchSize: 5, sleep: async () => stop.abort() });
    await next.runner.run({ signal: stop.signal });
    expect(await next.index.info()).toEqual({ model: 'bge-m3-v2', dimension: 3, count: 5 });
    expect(upgraded.embedded()).toHaveLength(5);
  });

  it('queues events stored before embeddings were set up when the worker starts', async () => {
    const stop = new AbortController();
    const p = start(new ScriptedEmbedder(up, byEvent), { sleep: async () => stop.abort() });
    await p.runner.run({ signal: stop.signal });
    expect((await p.index.info())?.count).toBe(5);
  });

  it('embeds the model description with the event', async () => {
    const provider = new ScriptedEmbedder(up, byEvent);
    const descriptions = {
      get: async (eventId: string): Promise<StoredDescription | undefined> =>
        eventId === 'e2' ? { provider: 'vlm', model: 'llava', createdAt: 0, flagged: false, textForSearch: 'A courier in a red jacket carries a parcel.' } : undefined,
    };
    const { service, jobs, runner } = start(provider, { descriptions });
    await service.enqueue(['e1', 'e2']);
    await drain(runner, jobs);
    expect(provider.calls[0]?.texts[1]).toBe('Person p1 crossed the door line (e2)\n人物 p1 穿越門口警戒線\nperson crossing\nA courier in a red jacket carries a parcel.');
  });

  describe('questions', () => {
    it('embeds a question at interactive priority and finds the nearest events within the filters', async () => {
      const provider = new ScriptedEmbedder(up, byEvent);
      const { service, jobs, runner, registry } = start(provider);
      await service.enqueue(IDS);
      await drain(runner, jobs);
      registry.contexts.length = 0;
      expect(await service.embedQuery('  what happened at (e2)? ')).toEqual({ vector: byEvent('(e2)') });
      expect(provider.calls.at(-1)?.texts).toEqual(['what happened at (e2)?']);
      expect(registry.contexts).toEqual([{ priority: 'interactive' }]);
      const all = await service.similarEvents('(e1)', { limit: 2 });
      expect(all.matches?.map((m) => m.eventId)).toEqual(['e1', 'e2']);
      const front = await service.similarEvents('(e1)', { limit: 2, filter: { cameraIds: ['front'] } });
      expect(front.matches?.map((m) => m.eventId)).toEqual(['e5', 'e4']);
      const near = await service.similarEvents('(e1)', { limit: 5, maxDistance: 0.2 });
      expect(near.matches?.map((m) => m.eventId)).toEqual(['e1']);
    });

    it('says why there are no vectors instead of failing the search', async () => {
      const provider = new ScriptedEmbedder(down, byEvent);
      const { service, index } = start(provider);
      expect(await service.similarEvents('anyone?', { limit: 5 })).toMatchObject({ matches: undefined, reason: 'index_empty' });
      await index.prepare('bge-m3', 3);
      await index.upsert('e1', [1, 0, 0]);
      expect(await service.embedQuery('   ')).toMatchObject({ vector: undefined, reason: 'empty_query' });
      expect(await service.similarEvents('anyone?', { limit: 5 })).toEqual({ matches: undefined, reason: 'provider_failed', detail: 'provider_unavailable: connection refused' });
      provider.answer = () => ({ hang: true });
      const slow = start(provider, { queryTimeoutMs: 20 }).service;
      expect(await slow.embedQuery('anyone?')).toEqual({ vector: undefined, reason: 'provider_failed', detail: 'no answer within 20 ms' });
      const cancelled = new AbortController();
      const pending = service.embedQuery('anyone?', { signal: cancelled.signal });
      cancelled.abort();
      provider.release();
      expect(await pending).toMatchObject({ reason: 'aborted' });
      const unnamed = start(provider, { providerName: 'nowhere' }).service;
      expect(await unnamed.embedQuery('anyone?')).toMatchObject({ reason: 'no_provider' });
      const other = start(provider, { model: 'another-model' }).service;
      expect(await other.similarEvents('anyone?', { limit: 5 })).toMatchObject({ reason: 'index_stale' });
    });

    it('rebuilds when the model starts answering with another dimension', async () => {
      const provider = new ScriptedEmbedder(up, byEvent);
      const { service, index, jobs, runner } = start(provider);
      await service.enqueue(IDS);
      await drain(runner, jobs);
      provider.embedText = () => [1, 0, 0, 0];
      expect(await service.similarEvents('(e1)', { limit: 5 })).toMatchObject({ matches: undefined, reason: 'index_stale', detail: 'bge-m3 now answers with 4 dimensions, not 3' });
      expect(await index.info()).toBeUndefined();
      expect((await service.status()).jobs.queued).toBe(5);
    });
  });
});
