/**
 * Issue 12: the automatic description backlog is bounded per camera, newest first; the dropped
 * ones fail with a reason, are counted, and manual requests are never dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { openSqliteDatabase } from '../../../adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteDescriptionStore } from '../../../adapters/storage/sqlite/sqlite-description-store.ts';
import { SqliteEventStore } from '../../../adapters/storage/sqlite/sqlite-event-store.ts';
import { SqliteJobQueue } from '../../../adapters/storage/sqlite/sqlite-job-queue.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import type { Logger } from '../../../ports/logger.ts';
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
  let db: Database.Database;
  const events = [...['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((id, i) => event(id, i, 'back')), event('g1', 0, 'gate')];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-backlog-'));
    seedDatabase(dir, events);
    db = openSqliteDatabase(join(dir, 'vigil.db'));
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the newest waiting, drops the oldest with a reason and a count, never a manual request', () => {
    const jobs = new SqliteJobQueue(db, { now: () => T0 });
    const service = new DescriptionService({
      jobs,
      store: new SqliteDescriptionStore(db, { indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' '), now: () => T0 }),
      events: new SqliteEventStore(db),
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
    // b1 asked for by a person first: it is never dropped.
    service.enqueue('b1', { manual: true });
    expect(service.enqueueClosed(events)).toBe(6);
    const status = (id: string) => jobs.get('describe_event', id);
    expect(['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'g1'].map((id) => status(id)?.status)).toEqual(['queued', 'failed', 'failed', 'queued', 'queued', 'queued', 'queued']);
    expect(status('b2')?.lastError).toBe(BACKLOG_DROP_REASON);
    expect(service.backlogDrops()).toEqual([{ camera: 'back', dropped: 2 }]);
    // A dropped description can still be asked for by hand.
    expect(service.enqueue('b2', { manual: true }).status).toBe('queued');
  });
});
