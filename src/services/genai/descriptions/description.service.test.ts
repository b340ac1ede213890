/**
 * Medium tests: the real service over a real SQLite database (seeded like the app's), with a
 * scripted provider standing in for the model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { SqliteSearchStore } from '../../../adapters/storage/sqlite/sqlite-search-store.ts';
import { createSqliteStorage } from '../../../adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import { VigilError } from '../../../domain/errors.ts';
import { textQuery } from '../../../domain/search/text-query.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { GenerateRequest } from '../../../ports/llm-provider.ts';
import type { Logger } from '../../../ports/logger.ts';
import type { Storage } from '../../../ports/storage.ts';
import { JobRunner } from '../../jobs/job-runner.ts';
import { createEventIndexer } from '../../search/event-indexer.ts';
import { DescriptionService } from './description.service.ts';
import { DEFAULT_CAMERA_GENAI, type DescriptionCamera } from './description-settings.ts';
import { down, registryOf, ScriptedProvider, validDescription, type Reply } from './testing/descriptions.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const text = createTextAnalyzer();
const indexer = createEventIndexer(text, []);
const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const MINUTE = 60_000;
const IDS = ['e1', 'e2', 'e3', 'e4', 'e5'];

function event(id: string, i: number): StoredEvent {
  const base = storedEvent({
    id,
    startMs: T0 + i * MINUTE,
    durationMs: 5000,
    en: `Person p1 crossed the door line (${id})`,
    zhHant: '人物 p1 穿越門口警戒線',
    snapshotPath: `runs/run-1/events/${id}/snapshot.jpg`,
  });
  return { ...base, thumbnails: { p1: `runs/run-1/events/${id}/thumb-p1.jpg` } };
}

const EVENTS = IDS.map(event);
/** Every snapshot and thumbnail of the seeded events, as bytes the fake preparer passes on. */
const FILES = new Map(EVENTS.flatMap((e) => [e.snapshotPath!, ...Object.values(e.thumbnails)].map((p) => [p, new TextEncoder().encode(p)] as const)));

/** Which event a request is about: the seed puts the id in the summary the prompt quotes. */
const eventOf = (request: GenerateRequest) => /\((e\d+)\)/.exec(request.prompt)?.[1] ?? '?';
const good = (request: GenerateRequest): Reply => ({ text: JSON.stringify(validDescription(`coat-${eventOf(request)}`)) });

describe('DescriptionService', () => {
  let dir: string;
  let now: number;
  const clock = { now: () => now };
  let cameras: DescriptionCamera[];
  const opened: Storage[] = [];

  /** One "process": a connection, the stores, a service and its job runner, as app.ts would build them. */
  function start(provider: ScriptedProvider, options: { concurrency?: number; pollMs?: number } = {}) {
    const storage = createSqliteStorage({ file: join(dir, 'vigil.db'), indexer, tokenize: (t) => text.indexTokens(t).join(' '), now: clock.now });
    opened.push(storage);
    const { db, jobs } = storage;
    const registry = registryOf(provider);
    const service = new DescriptionService({
      jobs,
      store: storage.descriptions,
      events: storage.events,
      providers: registry,
      providerName: 'local_vlm',
      preparer: { prepare: async ({ data }) => ({ data, mimeType: 'image/jpeg' }) },
      readFile: async (path) => FILES.get(path),
      genai: { object_prompts: {}, languages: ['en', 'zh-Hant'], image_max_size: 512 },
      cameras,
      defaultTimeZone: 'UTC',
      clock,
      logger: silent,
      concurrency: options.concurrency ?? 2,
      retry: { baseMs: 10_000, maxMs: 30 * MINUTE },
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    const runner = new JobRunner({ queue: jobs, lanes: [service.jobLane()], kinds: ['describe_event'], clock, logger: silent });
    return { db, jobs, service, runner, registry };
  }

  /** Runs the runner's passes until nothing is due now. */
  async function drain(runner: JobRunner): Promise<void> {
    while ((await runner.processDue()) > 0);
  }

  const descriptionCount = (db: Database.Database) => (db.prepare('SELECT COUNT(*) AS n FROM event_descriptions').get() as { n: number }).n;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-describe-'));
    await seedDatabase(dir, EVENTS);
    now = T0 + 10 * MINUTE;
    cameras = [{ id: 'back', name: 'Back door', timeZone: 'Asia/Taipei', genai: { ...DEFAULT_CAMERA_GENAI }, ruleNames: { door: 'Door' } }];
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('describes queued events in the background and makes the description searchable at once', async () => {
    const provider = new ScriptedProvider(good);
    const { db, service, runner, registry } = start(provider);
    expect(await service.enqueueClosed(EVENTS)).toBe(5);
    expect(await service.enqueueClosed(EVENTS)).toBe(0);
    await drain(runner);
    expect(await service.counts()).toEqual({ queued: 0, running: 0, done: 5, failed: 0 });
    expect(registry.contexts.every((c) => c.priority === 'background' && c.camera === 'back')).toBe(true);
    // Each request carries the key frames (thumbnail + snapshot of a crossing) and the schema.
    expect(provider.requests[0]?.images?.map((i) => new TextDecoder().decode(i.data))).toEqual([
      'runs/run-1/events/e1/thumb-p1.jpg',
      'runs/run-1/events/e1/snapshot.jpg',
    ]);
    expect(provider.requests[0]?.jsonSchema?.name).toBe('event_description');

    expect(await service.state('e3')).toEqual({
      status: 'done',
      attempts: 1,
      requestedBy: 'auto',
      description: { provider: 'local_vlm', model: 'llava:test', createdAt: now, flagged: false, json: validDescription('coat-e3') },
    });
    const search = new SqliteSearchStore(db);
    const hits = await search.search({ text: textQuery(text.queryTokens('coat e3 parcel'), 'all')!, limit: 10, order: 'relevance' });
    expect(hits.hits.map((h) => h.stored.event.id)).toEqual(['e3']);
  });

  it('keeps every job through an hour-long outage and completes each exactly once when the provider is back', async () => {
    const provider = new ScriptedProvider(down);
    const { db, jobs, service, runner } = start(provider);
    await service.enqueueClosed(EVENTS);

    const tries = new Map<string, number[]>(IDS.map((id) => [id, []]));
    provider.answer = (request) => {
      tries.get(eventOf(request))!.push(now);
      return down();
    };
    const outageEnd = now + 65 * MINUTE;
    const previousDue = new Map<string, number>();
    while (now < outageEnd) {
      await drain(runner);
      for (const id of IDS) {
        const job = (await jobs.get('describe_event', id))!;
        expect(job.status).toBe('queued');
        expect(job.lastError).toBe('provider_unavailable: connection refused');
        expect(job.nextAttemptAt).toBeGreaterThan(now);
        expect(job.nextAttemptAt).toBeGreaterThanOrEqual(previousDue.get(id) ?? 0);
        previousDue.set(id, job.nextAttemptAt);
      }
      now += MINUTE;
    }
    for (const times of tries.values()) {
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // Backoff grows (10 s, 20 s, ... rounded up to the minute ticks) and never spaces tries more than 30 min.
      expect(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]!)).toBe(true);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(30 * MINUTE + MINUTE);
      expect(times.length).toBeGreaterThanOrEqual(5);
      expect(times.length).toBeLessThan(15);
    }
    expect(descriptionCount(db)).toBe(0);

    provider.answer = good;
    const before = provider.requests.length;
    now += 30 * MINUTE;
    await drain(runner);
    expect(await service.counts()).toEqual({ queued: 0, running: 0, done: 5, failed: 0 });
    expect(provider.requests.slice(before).map(eventOf).sort()).toEqual(IDS);
    expect(descriptionCount(db)).toBe(5);
  });

  it('waits as long as the provider queue or circuit asks', async () => {
    const provider = new ScriptedProvider(() => ({ error: new VigilError('circuit_open', 'failing', { retryable: true, retryAfterMs: 7 * MINUTE }) }));
    const { jobs, service, runner } = start(provider);
    await service.enqueueClosed(EVENTS.slice(0, 1));
    await drain(runner);
    expect(await jobs.get('describe_event', 'e1')).toMatchObject({ status: 'queued', nextAttemptAt: now + 7 * MINUTE, lastError: 'circuit_open: failing' });
  });

  it('after a crash, a new process finishes the jobs left running; the old worker cannot store a second description', async () => {
    const hanging = new ScriptedProvider(() => ({ hang: true }));
    const before = start(hanging, { concurrency: 5 });
    await before.service.enqueueClosed(EVENTS);
    const interrupted = before.runner.processDue();
    await vi.waitFor(() => expect(hanging.requests).toHaveLength(5));
    expect(await before.service.counts()).toEqual({ queued: 0, running: 5, done: 0, failed: 0 });

    // The "restarted" process: another connection to the same database, a working provider.
    const provider = new ScriptedProvider(good);
    const after = start(provider, { pollMs: 5 });
    const stop = new AbortController();
    const worker = after.runner.run({ signal: stop.signal });
    await vi.waitFor(async () => expect(await after.service.counts()).toEqual({ queued: 0, running: 0, done: 5, failed: 0 }));
    stop.abort();
    await worker;
    expect(provider.requests.map(eventOf).sort()).toEqual(IDS);

    // The old worker's calls come back late: their claims are stale, nothing is overwritten.
    hanging.release();
    await interrupted;
    expect(descriptionCount(after.db)).toBe(5);
    for (const id of IDS) {
      expect(await after.service.state(id)).toMatchObject({ status: 'done', attempts: 2, description: { json: validDescription(`coat-${id}`) } });
    }
  });

  it('wakes the worker when events close instead of waiting for the next poll', async () => {
    const provider = new ScriptedProvider(good);
    const { service, runner } = start(provider, { pollMs: 3_600_000 });
    const stop = new AbortController();
    const worker = runner.run({ signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await service.enqueueClosed(EVENTS.slice(0, 2));
    await vi.waitFor(async () => expect((await service.counts()).done).toBe(2), { timeout: 2000 });
    stop.abort();
    await worker;
  });

  it('fails for good on refusals and on events without key frames, with the reason', async () => {
    const provider = new ScriptedProvider(() => ({ error: new VigilError('provider_auth', 'the API key was refused') }));
    const { service, runner } = start(provider);
    await service.enqueueClosed(EVENTS.slice(0, 1));
    await drain(runner);
    now += 24 * 60 * MINUTE;
    await drain(runner);
    expect(provider.requests).toHaveLength(1);
    expect(await service.state('e1')).toEqual({ status: 'failed', attempts: 1, requestedBy: 'auto', lastError: 'provider_auth: the API key was refused' });

    FILES.delete('runs/run-1/events/e2/snapshot.jpg');
    FILES.delete('runs/run-1/events/e2/thumb-p1.jpg');
    await service.enqueueClosed(EVENTS.slice(1, 2));
    await drain(runner);
    expect(provider.requests).toHaveLength(1);
    expect(await service.state('e2')).toMatchObject({ status: 'failed', lastError: 'input_not_found: no key frames: event e2 has no readable snapshot or thumbnails' });
    for (const p of ['snapshot.jpg', 'thumb-p1.jpg']) FILES.set(`runs/run-1/events/e2/${p}`, new Uint8Array([1]));
  });

  it('stores output that stays invalid after the repair as flagged raw text, done', async () => {
    const provider = new ScriptedProvider(() => ({ text: 'I see a person.' }));
    const { service, runner } = start(provider);
    await service.enqueueClosed(EVENTS.slice(0, 1));
    await drain(runner);
    expect(provider.requests).toHaveLength(2);
    expect(await service.state('e1')).toEqual({
      status: 'done',
      attempts: 1,
      requestedBy: 'auto',
      description: { provider: 'local_vlm', model: 'llava:test', createdAt: now, flagged: true, rawText: 'I see a person.' },
    });
  });

  it('follows the camera policy automatically; a manual describe bypasses it at interactive priority', async () => {
    const provider = new ScriptedProvider(good);
    cameras[0]!.genai = { ...DEFAULT_CAMERA_GENAI, required_zones: ['porch'] };
    const { service, registry } = start(provider);
    expect(service.shouldDescribe(EVENTS[0]!.event)).toBe(false);
    expect(service.shouldDescribe(EVENTS[0]!.event, DEFAULT_CAMERA_GENAI)).toBe(true);
    expect(service.shouldDescribe({ ...EVENTS[0]!.event, status: 'open' }, DEFAULT_CAMERA_GENAI)).toBe(false);
    expect(await service.enqueueClosed(EVENTS)).toBe(0);
    await expect(service.describe('e1', { manual: false })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(service.describe('nope', { manual: true })).rejects.toMatchObject({ code: 'input_not_found' });
    expect(await service.state('e1')).toEqual({ status: 'none', attempts: 0 });

    const view = await service.describe('e1', { manual: true });
    expect(view).toMatchObject({ status: 'done', requestedBy: 'manual', description: { json: validDescription('coat-e1') } });
    expect(registry.contexts).toEqual([{ priority: 'interactive', camera: 'back' }]);

    // Regenerate: a new description replaces the old one.
    provider.answer = () => ({ text: JSON.stringify(validDescription('scarf')) });
    now += MINUTE;
    expect(await service.describe('e1', { manual: true })).toMatchObject({ status: 'done', description: { createdAt: now, json: validDescription('scarf') } });
  });

  it('a manual describe during an outage throws and leaves the job for the worker', async () => {
    const provider = new ScriptedProvider(down);
    const { service, runner } = start(provider);
    await expect(service.describe('e4', { manual: true })).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(await service.state('e4')).toEqual({
      status: 'queued',
      attempts: 1,
      requestedBy: 'manual',
      lastError: 'provider_unavailable: connection refused',
      nextAttemptAt: now + 10_000,
    });
    provider.answer = good;
    now += 10_000;
    await drain(runner);
    expect((await service.state('e4')).status).toBe('done');
  });

  it('skips an automatic job whose camera was switched off before it ran', async () => {
    const provider = new ScriptedProvider(good);
    const { service, runner } = start(provider);
    await service.enqueueClosed(EVENTS.slice(0, 1));
    cameras[0]!.genai = { ...DEFAULT_CAMERA_GENAI, enabled: false };
    await drain(runner);
    expect(provider.requests).toHaveLength(0);
    expect(await service.state('e1')).toMatchObject({ status: 'failed', lastError: 'invalid_argument: skipped: descriptions are disabled for camera back' });
  });
});
