/**
 * Issue 12: the automatic description backlog is bounded per camera, newest first; the dropped
 * ones fail with a reason, are counted, and manual requests are never dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { createSqliteStorage } from '../../../adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import type { JobQueue } from '../../../ports/job-queue.ts';
import type { Logger } from '../../../ports/logger.ts';
import type { Storage } from '../../../ports/storage.ts';
import { createEventIndexer } from '../../search/event-indexer.ts';
import { BACKLOG_DROP_REASON, DescriptionService } from './description.service.ts';
import { DEFAULT_CAMERA_GENAI } from './description-settings.ts';
import { registryOf, ScriptedProvider } from './testing/descriptions.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T0 = Date.UTC(2026, 11, 1, 20, 0, 0);
const text = createTextAnalyzer();

const event = (id: string, i: number, cameraId: string) => {
  const base = storedEvent({ id, startMs: T0 + i * 60_000, durationMs: 5000, en: `Person p1 at the door (${id})`, zhHant: '人物 p1', snapshotPath: `runs/run-1/events/${id}/snapshot.jpg` });
  return { ...base, event: { ...base.event, cameraId } };
};

describe('the description backlog per camera', () => {
  let dir: string;
  let storage: Storage;
  const events = [...['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((id, i) => event(id, i, 'back')), event('g1', 0, 'gate')];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-backlog-'));
    await seedDatabase(dir, events);
    storage = createSqliteStorage({ file: join(dir, 'vigil.db'), indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' '), now: () => T0 });
  });

  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serviceOn = (jobs: JobQueue) =>
    new DescriptionService({
      jobs,
      store: storage.descriptions,
      events: storage.events,
      providers: registryOf(new ScriptedProvider(() => ({ text: '{}' }))),
      providerName: 'local_vlm',
      preparer: { prepare: async ({ data }) => ({ data, mimeType: 'image/jpeg' }) },
      readFile: async () => undefined,
      genai: { object_prompts: {}, languages: ['en'], image_max_size: 512 },
      cameras: ['back', 'gate'].map((id) => ({ id, name: id, timeZone: 'UTC', genai: { ...DEFAULT_CAMERA_GENAI }, ruleNames: {} })),
      defaultTimeZone: 'UTC',
      clock: { now: () => T0 },
      logger: silent,
      maxBacklogPerCamera: 3,
    });
  const statuses = (ids: readonly string[]) => Promise.all(ids.map(async (id) => (await storage.jobs.get('describe_event', id))?.status));

  it('keeps the newest waiting, drops the oldest with a reason and a count, never a manual request', async () => {
    const service = serviceOn(storage.jobs);
    // b1 asked for by a person first: it is never dropped.
    await service.enqueue('b1', { manual: true });
    expect(await service.enqueueClosed(events)).toBe(6);
    expect(await statuses(['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'g1'])).toEqual(['queued', 'failed', 'failed', 'queued', 'queued', 'queued', 'queued']);
    expect((await storage.jobs.get('describe_event', 'b2'))?.lastError).toBe(BACKLOG_DROP_REASON);
    expect(service.backlogDrops()).toEqual([{ camera: 'back', dropped: 2 }]);
    // A dropped description can still be asked for by hand.
    expect((await service.enqueue('b2', { manual: true })).status).toBe('queued');
  });

  it('gives back, due at once, a job asked for by a person or taken by a worker between its read and its drop', async () => {
    const jobs = storage.jobs;
    // Someone acts on the job just before the bound claims it: a person asks for b1, another process's describe takes b2.
    const meddle = new Map<string, () => Promise<unknown>>([
      ['b1', () => jobs.enqueue({ kind: 'describe_event', key: 'b1', payload: { requestedBy: 'manual' } })],
      ['b2', () => jobs.claim('describe_event', 'b2', { leaseMs: 60_000 })],
    ]);
    const racing = new Proxy(jobs, {
      get(target, property, receiver) {
        if (property !== 'claim') return Reflect.get(target, property, receiver) as unknown;
        const claim: JobQueue['claim'] = async (kind, key, options) => {
          await meddle.get(key)?.();
          meddle.delete(key);
          return target.claim(kind, key, options);
        };
        return claim;
      },
    });
    const service = serviceOn(racing);
    expect(await service.enqueueClosed(events)).toBe(7);
    // b1 and b2 were the oldest waiting, but not backlog any more when taken: queued again, not dropped.
    expect(await statuses(['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'g1'])).toEqual(['queued', 'queued', 'failed', 'queued', 'queued', 'queued', 'queued']);
    expect(await jobs.get('describe_event', 'b1')).toMatchObject({ payload: { requestedBy: 'manual' }, nextAttemptAt: T0 });
    expect(await jobs.get('describe_event', 'b2')).toMatchObject({ payload: { requestedBy: 'auto' }, nextAttemptAt: T0 });
    expect(service.backlogDrops()).toEqual([{ camera: 'back', dropped: 1 }]);
  });
});
