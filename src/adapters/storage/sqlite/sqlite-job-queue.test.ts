import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import type { JobKind, JobOutput } from '../../../ports/job-queue.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { openSqliteDatabase } from './sqlite-analysis-store.ts';
import { SqliteJobQueue } from './sqlite-job-queue.ts';

const EVENTS = ['e1', 'e2', 'e3'].map((id, i) => storedEvent({ id, startMs: Date.UTC(2024, 4, 1, 14, i), en: `Person p1 crossed the door line (${id})`, zhHant: '人物 p1 穿越門口警戒線' }));
const LEASE = { leaseMs: 60_000 };
const describeJob = (key: string, requestedBy: 'auto' | 'manual' = 'auto', provider?: string) => ({
  kind: 'describe_event' as const,
  key,
  payload: { requestedBy, ...(provider !== undefined ? { provider } : {}) },
});
const embedJob = (key: string) => ({ kind: 'embed_event' as const, key, payload: {} });

describe('SqliteJobQueue', () => {
  let dir: string;
  let db: Database.Database;
  let now: number;
  let queue: SqliteJobQueue;
  /** What the queue stored for finished jobs, in order (the storage writes descriptions and vectors here). */
  let written: Array<{ eventId: string; output: JobOutput }>;
  let writeOutput: (eventId: string, output: JobOutput) => void;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-jobs-'));
    await seedDatabase(dir, EVENTS);
    db = openSqliteDatabase(join(dir, 'vigil.db'));
    now = 1_000_000;
    written = [];
    writeOutput = (eventId, output) => written.push({ eventId, output });
    queue = new SqliteJobQueue(db, { now: () => now, writeOutput: (eventId, output) => writeOutput(eventId, output) });
  });

  const vector = (v: number): JobOutput => ({ kind: 'vector', vector: [v, 0, 0] });
  const described = (text: string): JobOutput => ({ kind: 'description', description: { provider: 'vlm', model: 'llava', flagged: false, textForSearch: text } });

  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('claims and leases', () => {
    it('an output that cannot be stored leaves the job and its event as they were, for the failure to be recorded', async () => {
      await queue.enqueue(describeJob('e1'));
      const [job] = await queue.claimDue(['describe_event'], 1, LEASE);
      const summary = () => db.prepare(`SELECT summary_en FROM events WHERE id = 'e1'`).get();
      const before = summary();
      writeOutput = (eventId) => {
        db.prepare(`UPDATE events SET summary_en = 'half written' WHERE id = ?`).run(eventId);
        throw new Error('disk full');
      };
      await expect(queue.complete(job!, { output: described('a red coat') })).rejects.toThrow('disk full');
      // Written in the completion's transaction: rolled back with it.
      expect(summary()).toEqual(before);
      expect((await queue.get('describe_event', 'e1'))?.status).toBe('running');
      expect(await queue.fail(job!, 'disk full', { retryAt: now + 1 })).toBe(true);
    });

    it('refuses to complete a job with an output when built without a writer for outputs', async () => {
      const bare = new SqliteJobQueue(db, { now: () => now });
      await bare.enqueue(embedJob('e1'));
      const [job] = await bare.claimDue(['embed_event'], 1, LEASE);
      await expect(bare.complete(job!, { output: vector(1) })).rejects.toThrow(/without a writer/);
      expect((await bare.get('embed_event', 'e1'))?.status).toBe('running');
      expect(await bare.complete(job!)).toBe('done');
    });

  });

  describe('state', () => {
    it('checks payloads read back from storage', async () => {
      await queue.enqueue(describeJob('e1'));
      db.prepare(`UPDATE jobs SET payload_json = '{"requestedBy":"someone"}' WHERE key = 'e1'`).run();
      await expect(queue.get('describe_event', 'e1')).rejects.toThrow();
    });

  });
});

describe('migration 13', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('carries every queued, running, failed and done job of the three old tables into jobs, and drops them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-jobs-migration-'));
    const path = join(dir, 'vigil.db');
    const old = new Database(path);
    old.pragma('foreign_keys = ON');
    // The schema as the previous Vigil left it: every migration before this one.
    for (const [i, sql] of MIGRATIONS.slice(0, 12).entries()) {
      old.exec(sql);
      old.pragma(`user_version = ${i + 1}`);
    }
    old.exec(`
      INSERT INTO sources (id, camera_id, fingerprint, uri, kind, codec, width, height, fps, created_at, updated_at)
        VALUES (1, 'back', 'fp', 'back.mp4', 'file', 'h264', 640, 480, 10, 0, 0);
      INSERT INTO analysis_runs (id, source_id, camera_id, settings_key, settings_json, status, start_time_ms, start_time_source, started_at)
        VALUES (1, 1, 'back', 'k', '{}', 'complete', 0, 'config', 0);
    `);
    const addEvent = old.prepare(`
      INSERT INTO events (id, run_id, camera_id, type, rule, status, start_ms, end_ms, start_frame, end_frame, labels_json, actors_json,
        evidence_json, details_json, summary_en, summary_zh_hant, keywords, snapshot_frame)
      VALUES (?, 1, 'back', 'line_crossing', 'door', 'closed', 0, 1, 0, 1, '[]', '[]', '[]', '{}', 's', 's', '', 0)`);
    for (const id of ['e1', 'e2', 'e3', 'e4', 'frigate-f1']) addEvent.run(id);
    old.exec(`
      INSERT INTO description_jobs (event_id, status, attempts, next_attempt_at, last_error, provider, requested_by, claim, created_at, updated_at) VALUES
        ('e1', 'queued', 2, 5000, 'provider_unavailable: down', 'vlm', 'auto', 2, 100, 200),
        ('e2', 'running', 1, 1000, NULL, NULL, 'manual', 1, 100, 300),
        ('e3', 'failed', 1, 1000, 'provider_auth: no', 'vlm', 'auto', 1, 100, 400),
        ('e4', 'done', 1, 1000, NULL, 'vlm', 'manual', 3, 100, 500);
      INSERT INTO embedding_jobs (event_id, status, attempts, next_attempt_at, last_error, claim, updated_at) VALUES
        ('e1', 'done', 1, 1000, NULL, 1, 600),
        ('e2', 'queued', 0, 1000, NULL, 0, 700),
        ('e3', 'running', 1, 1000, NULL, 4, 800),
        ('e4', 'failed', 3, 1000, 'provider_bad_output: zero vector', 3, 900);
      INSERT INTO frigate_jobs (kind, frigate_id, event_id, payload_json, progress, status, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES
        ('ingest', 'f1', 'frigate-f1', '{"type":"end","after":{"id":"f1","camera":"front"}}', 20000000001.5, 'running', 1, 1000, NULL, 10, 20),
        ('write_description', 'f1', 'frigate-f1', '{"description":"a red coat"}', 1700000000000, 'queued', 2, 9000, 'input_unreachable: down', 30, 40),
        ('ingest', 'f2', 'frigate-f2', '{"type":"new","after":{"id":"f2"}}', 5, 'failed', 5, 1000, 'boom', 50, 60);
    `);
    old.close();

    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('description_jobs', 'embedding_jobs', 'frigate_jobs', 'jobs')`).all();
    expect(tables).toEqual([{ name: 'jobs' }]);

    const queue = new SqliteJobQueue(db, { now: () => 10_000 });
    const state = async (kind: JobKind, key: string) => {
      const { createdAt: _c, ...rest } = (await queue.get(kind, key))!;
      return rest;
    };
    expect(await state('describe_event', 'e1')).toEqual({
      kind: 'describe_event', key: 'e1', eventId: 'e1', payload: { requestedBy: 'auto', provider: 'vlm' },
      status: 'queued', attempts: 2, nextAttemptAt: 5000, lastError: 'provider_unavailable: down', updatedAt: 200,
    });
    // Left running by the old process: queued again, due as it was.
    expect(await state('describe_event', 'e2')).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: 1000, payload: { requestedBy: 'manual' } });
    expect((await queue.get('describe_event', 'e2'))?.payload).toEqual({ requestedBy: 'manual' });
    expect(await state('describe_event', 'e3')).toMatchObject({ status: 'failed', lastError: 'provider_auth: no' });
    expect(await state('describe_event', 'e4')).toMatchObject({ status: 'done', payload: { requestedBy: 'manual', provider: 'vlm' } });
    expect((await queue.get('describe_event', 'e1'))?.createdAt).toBe(100);

    expect(await Promise.all(['e1', 'e2', 'e3', 'e4'].map(async (id) => (await queue.get('embed_event', id))?.status))).toEqual(['done', 'queued', 'queued', 'failed']);
    expect(await state('embed_event', 'e4')).toMatchObject({ attempts: 3, lastError: 'provider_bad_output: zero vector', payload: {}, updatedAt: 900 });

    expect(await state('frigate_ingest', 'f1')).toEqual({
      kind: 'frigate_ingest', key: 'f1', eventId: 'frigate-f1',
      payload: { eventId: 'frigate-f1', progress: 20000000001.5, message: { type: 'end', after: { id: 'f1', camera: 'front' } } },
      status: 'queued', attempts: 1, nextAttemptAt: 1000, updatedAt: 20,
    });
    expect(await state('frigate_write_description', 'f1')).toMatchObject({
      payload: { eventId: 'frigate-f1', progress: 1700000000000, description: 'a red coat' }, status: 'queued', attempts: 2, nextAttemptAt: 9000, lastError: 'input_unreachable: down',
    });
    expect(await state('frigate_ingest', 'f2')).toMatchObject({ status: 'failed', attempts: 5, lastError: 'boom', eventId: 'frigate-f2' });

    // The claims carried over keep fencing: the next claim is a new one.
    const [claimed] = await queue.claimDue(['describe_event'], 1, LEASE);
    expect(claimed).toMatchObject({ key: 'e2', claim: 2 });
    expect((await queue.counts()).embed_event).toEqual({ queued: 2, running: 0, done: 1, failed: 1, oldestDueAt: 1000 });

    // Deleting an event still deletes its jobs (the old foreign keys cascaded).
    db.prepare(`DELETE FROM events WHERE id = 'frigate-f1'`).run();
    db.prepare(`DELETE FROM events WHERE id = 'e3'`).run();
    expect(db.prepare(`SELECT kind, key FROM jobs WHERE key IN ('e3', 'f1')`).all()).toEqual([]);
    db.close();
  });
});
