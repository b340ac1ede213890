/**
 * Retention on a real database and real files: per-camera days, live runs trimmed while they
 * run, whole runs deleted with their folders, the disk cap, orphans, and the invariant that no
 * row points to a missing file and no file lacks a row (walked on disk and in the tables).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirMediaFiles } from '../../src/adapters/media/data-dir-media-files.ts';
import { runDir } from '../../src/adapters/media/media-paths.ts';
import { SqliteRetentionStore } from '../../src/adapters/storage/sqlite/sqlite-retention-store.ts';
import { SqliteJobQueue } from '../../src/adapters/storage/sqlite/sqlite-job-queue.ts';
import { SqliteVectorIndex } from '../../src/adapters/storage/sqlite/sqlite-vector-index.ts';
import { createVigil } from '../../src/app.ts';
import { retentionPolicy } from '../../src/config/settings/index.ts';
import { startVigilServer } from '../../src/app.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { RetentionService } from '../../src/services/retention/retention.service.ts';
import {
  addRun,
  ageAllFiles,
  count,
  DAY,
  facetCounts,
  HOUR,
  mediaFiles,
  mediaInvariant,
  retentionWorkspace,
  strayFile,
  type RetentionWorkspace,
} from './retention-fixture.ts';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

const workspaces: RetentionWorkspace[] = [];
async function workspace(yaml: string): Promise<RetentionWorkspace> {
  const ws = await retentionWorkspace(yaml);
  workspaces.push(ws);
  return ws;
}
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const vigil of opened.splice(0)) await vigil.close();
  for (const ws of workspaces.splice(0)) await ws.close();
});

/** Retention as `vigil serve` builds it, at a fixed time; closed after the test. */
function retentionAt(ws: RetentionWorkspace, now: number) {
  const vigil = createVigil(ws.loaded, { logger: quiet, clock: { now: () => now } });
  opened.push(vigil);
  return vigil.retention;
}

const CAMERAS = `
  retention: { days: 10 }
cameras:
  front: { input: "rtsp://cam/front" }
  back: { input: back.mp4, retention: { days: forever } }
  yard: { input: "rtsp://cam/yard", retention: { days: 2 } }
`;

const eventIds = (ws: RetentionWorkspace) => (ws.db.prepare('SELECT id FROM events ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
const searchIds = async (ws: RetentionWorkspace, q: string) => (await ws.vigil.search.search({ q, limit: 20 })).hits.map((h) => h.stored.event.id);
const frameTimes = (ws: RetentionWorkspace, runId: number) => (ws.db.prepare('SELECT frame_index AS i FROM frames WHERE run_id = ? ORDER BY frame_index').all(runId) as Array<{ i: number }>).map((r) => r.i);

/** Every table retention touches, counted, for "nothing changed" checks. */
function snapshot(ws: RetentionWorkspace) {
  const tables = ['analysis_runs', 'sources', 'frames', 'detections', 'tracks', 'events', 'event_labels', 'jobs'];
  return { rows: Object.fromEntries(tables.map((t) => [t, count(ws.db, `SELECT COUNT(*) AS n FROM ${t}`)])), files: mediaFiles(ws) };
}

/** A mixed data directory: live, Frigate and file runs on three cameras with different days. */
async function seedMixed(ws: RetentionWorkspace, now: number) {
  const ago = (ms: number) => now - ms;
  // A live camera running for 20 days: one frame a day (frame i at 19 - i days and an hour ago).
  const liveFront = await addRun(ws, {
    cameraId: 'front',
    kind: 'live',
    status: 'running',
    startedAt: ago(20 * DAY),
    frames: Array.from({ length: 20 }, (_, i) => ({ ts: ago((19 - i) * DAY + HOUR), bytes: 50 })),
    events: [
      { id: 'front-old', startMs: ago(17 * DAY), endMs: ago(16 * DAY), startFrame: 2, word: 'zebra', label: 'car' },
      // Open since 13 days ago: it and the frames from its first one on stay, whatever its age.
      { id: 'front-open', startMs: ago(13 * DAY), endMs: ago(12 * DAY), startFrame: 6, status: 'open', word: 'okapi' },
      { id: 'front-new', startMs: ago(2 * DAY), endMs: ago(2 * DAY - HOUR), startFrame: 17, word: 'giraffe' },
    ],
    tracks: [
      { id: 'p1', firstMs: ago(17 * DAY), lastMs: ago(16 * DAY), firstFrame: 2, lastFrame: 3 },
      { id: 'p2', firstMs: ago(2 * DAY), lastMs: ago(HOUR), firstFrame: 17, lastFrame: 19 },
    ],
  });
  // An earlier live session of the same camera, ended 22 days ago with an event left open.
  const endedFront = await addRun(ws, {
    cameraId: 'front',
    kind: 'live',
    status: 'failed',
    startedAt: ago(25 * DAY),
    frames: [25, 24, 23, 22].map((d) => ({ ts: ago(d * DAY), bytes: 50 })),
    events: [{ id: 'front-stale', startMs: ago(23 * DAY), endMs: ago(22 * DAY), startFrame: 2, status: 'open' }],
    tracks: [{ id: 'p1', firstMs: ago(23 * DAY), lastMs: ago(22 * DAY), firstFrame: 2, lastFrame: 3 }],
  });
  // `back` keeps forever.
  const back = await addRun(ws, {
    cameraId: 'back',
    kind: 'file',
    status: 'complete',
    startedAt: ago(30 * DAY),
    frames: [{ ts: ago(30 * DAY), bytes: 50 }, { ts: ago(30 * DAY - 1000), bytes: 50 }],
    events: [{ id: 'back-old', startMs: ago(30 * DAY), endMs: ago(30 * DAY - 1000), startFrame: 0 }],
  });
  // `yard` keeps 2 days.
  const yard = await addRun(ws, {
    cameraId: 'yard',
    kind: 'live',
    status: 'running',
    startedAt: ago(6 * DAY),
    frames: [{ ts: ago(5 * DAY), bytes: 50 }, { ts: ago(5 * DAY - 1000) }, { ts: ago(HOUR), bytes: 50 }],
    events: [
      { id: 'yard-old', startMs: ago(5 * DAY), endMs: ago(5 * DAY - 1000), startFrame: 0 },
      { id: 'yard-new', startMs: ago(HOUR), endMs: ago(HOUR - 1000), startFrame: 2 },
    ],
  });
  // A year-old recording analysed yesterday: kept for 10 days from the analysis.
  const recording = await addRun(ws, {
    cameraId: 'front',
    kind: 'file',
    status: 'complete',
    startedAt: ago(DAY),
    frames: [{ ts: ago(400 * DAY), bytes: 50 }, { ts: ago(400 * DAY - 1000), bytes: 50 }],
    events: [{ id: 'clip-old', startMs: ago(400 * DAY), endMs: ago(400 * DAY - 1000), startFrame: 0 }],
  });
  // Unfinished analyses: one entirely expired (goes whole), one not (kept whole: a resume replays it).
  const interruptedOld = await addRun(ws, {
    cameraId: 'front',
    kind: 'file',
    status: 'interrupted',
    startedAt: ago(30 * DAY),
    frames: [{ ts: ago(30 * DAY), bytes: 50 }, { ts: ago(29 * DAY), bytes: 50 }],
    events: [{ id: 'partial-old', startMs: ago(30 * DAY), endMs: ago(29 * DAY), startFrame: 0 }],
  });
  const interruptedMixed = await addRun(ws, {
    cameraId: 'front',
    kind: 'file',
    status: 'interrupted',
    startedAt: ago(30 * DAY),
    frames: [{ ts: ago(30 * DAY), bytes: 50 }, { ts: ago(5 * DAY), bytes: 50 }],
  });
  // Frigate's run: events only, running for good.
  const frigate = await addRun(ws, {
    cameraId: 'front',
    kind: 'frigate',
    status: 'running',
    startedAt: ago(40 * DAY),
    events: [
      { id: 'frigate-old', startMs: ago(20 * DAY), endMs: ago(20 * DAY - 1000), startFrame: 0 },
      { id: 'frigate-new', startMs: ago(DAY), endMs: ago(DAY - 1000), startFrame: 0 },
    ],
  });
  // Jobs of expiring events and of ones that stay (Frigate's, descriptions, embeddings), and a description.
  const jobs = new SqliteJobQueue(ws.db);
  for (const [key, eventId] of [['old.1', 'frigate-old'], ['new.1', 'frigate-new']] as const) {
    await jobs.enqueue({ kind: 'frigate_ingest', key, payload: { eventId, progress: 3, message: {} } });
  }
  for (const id of ['front-old', 'front-new']) {
    await jobs.enqueue({ kind: 'describe_event', key: id, payload: { requestedBy: 'auto' } });
    await jobs.enqueue({ kind: 'embed_event', key: id, payload: {} });
  }
  ws.db.prepare(`INSERT INTO event_descriptions (event_id, provider, model, created_at, raw_text) VALUES ('front-old', 'p', 'm', 0, 'a zebra')`).run();
  return { liveFront, endedFront, back, yard, recording, interruptedOld, interruptedMixed, frigate };
}

describe('retention sweep', () => {
  it.each([
    { batch: 2, label: 'in batches of 2 rows' },
    { batch: 500, label: 'in one batch' },
  ])('deletes by each camera’s days, trims running runs, deletes ended runs whole, keeps open events ($label)', async ({ batch }) => {
    const ws = await workspace(CAMERAS);
    const now = Date.now();
    const runs = await seedMixed(ws, now);
    const vectors = new SqliteVectorIndex(ws.db, { jobs: new SqliteJobQueue(ws.db) });
    await vectors.prepare('test-model', 3);
    for (const [i, id] of ['front-old', 'front-new', 'yard-old', 'back-old'].entries()) await vectors.upsert(id, [1, i, 0]);
    // Leftovers: old files no row points to (a crash, an old version), and one being written now.
    strayFile(ws, join(runDir(runs.liveFront), 'frames', '0009999.jpg'), HOUR);
    strayFile(ws, join(runDir(runs.liveFront), 'events', 'front-new', 'snapshot.jpg.tmp'), HOUR);
    strayFile(ws, join(runDir(999), 'frames', '0000001.jpg'), HOUR);
    const young = join(runDir(runs.liveFront), 'frames', '0009998.jpg');
    strayFile(ws, young, 0);

    expect(await searchIds(ws, 'zebra')).toEqual(['front-old']);
    expect(mediaInvariant(ws).missing).toEqual([]);
    const service = new RetentionService({
      store: new SqliteRetentionStore(ws.db),
      files: new DataDirMediaFiles(ws.dataDir),
      policy: retentionPolicy(ws.loaded.config),
      clock: { now: () => now },
      logger: quiet,
      batchSize: batch,
    });

    // A dry run counts exactly what the sweep then deletes, and changes nothing.
    const before = snapshot(ws);
    const dry = await service.sweep({ dryRun: true });
    expect(snapshot(ws)).toEqual(before);
    const report = await service.sweep();
    expect({ ...dry.deleted, files: 0, bytes: 0 }).toEqual({ ...report.deleted, files: 0, bytes: 0 });
    expect(dry.orphans).toEqual(report.orphans);

    // Events: expired ones gone on every camera by its own days; open, recent, forever-kept and recently analysed ones stay.
    expect(eventIds(ws)).toEqual(['back-old', 'clip-old', 'frigate-new', 'front-new', 'front-open', 'yard-new']);
    expect(report.deleted).toMatchObject({ events: 5, runs: 2 });

    // The running live run stays; of its expired frames only the one the open event shows stays
    // (an event open for days does not keep every frame after its start), with the recent ones.
    expect(frameTimes(ws, runs.liveFront)).toEqual([6, ...Array.from({ length: 10 }, (_, i) => i + 10)]);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM detections WHERE run_id = ?', runs.liveFront)).toBe(11);
    // p1 is an actor of the open event, so its track stays too.
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM tracks WHERE run_id = ?', runs.liveFront)).toBe(2);
    expect(frameTimes(ws, runs.yard)).toEqual([2]);
    expect(frameTimes(ws, runs.back)).toEqual([0, 1]);
    expect(frameTimes(ws, runs.recording)).toEqual([0, 1]);
    expect(frameTimes(ws, runs.interruptedMixed)).toEqual([0, 1]);
    // 9 + 4 + 2 (yard: one frame had no image) + 2 frames.
    expect(report.deleted).toMatchObject({ frames: 17, detections: 17, tracks: 1 });

    // Whole runs: rows and folders gone; running and partly-kept runs stay with theirs.
    const runIds = (ws.db.prepare('SELECT id FROM analysis_runs ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);
    expect(runIds).toEqual([runs.liveFront, runs.back, runs.yard, runs.recording, runs.interruptedMixed, runs.frigate]);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM sources')).toBe(6);
    for (const gone of [runs.endedFront, runs.interruptedOld, 999]) expect(existsSync(join(ws.dataDir, runDir(gone)))).toBe(false);
    expect(existsSync(join(ws.dataDir, runDir(runs.liveFront), 'events', 'front-old'))).toBe(false);

    // The invariant: no row points to a missing file; the only file without a row is the one being written.
    expect(mediaInvariant(ws)).toEqual({ missing: [], unreferenced: [young] });
    expect(report.orphans.files).toBe(3);

    // Search, labels and facet counts follow; jobs, descriptions and Frigate jobs of deleted events are gone.
    expect(await searchIds(ws, 'zebra')).toEqual([]);
    expect(await searchIds(ws, 'giraffe')).toEqual(['front-new']);
    expect(await searchIds(ws, 'okapi')).toEqual(['front-open']);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM events_fts')).toBe(6);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM event_labels WHERE event_rowid NOT IN (SELECT rowid FROM events)')).toBe(0);
    const facets = facetCounts(ws.db);
    expect(facets.stored).toEqual(facets.actual);
    expect(count(ws.db, `SELECT events AS n FROM facet_counts WHERE kind = 'label' AND value = 'car'`)).toBe(0);
    expect(count(ws.db, `SELECT events AS n FROM facet_counts WHERE kind = 'camera' AND value = 'front'`)).toBe(4);
    expect(ws.db.prepare('SELECT kind, event_id FROM jobs ORDER BY kind, event_id').all()).toEqual([
      { kind: 'describe_event', event_id: 'front-new' },
      { kind: 'embed_event', event_id: 'front-new' },
      { kind: 'frigate_ingest', event_id: 'frigate-new' },
    ]);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM event_descriptions')).toBe(0);
    // Vectors of deleted events are gone before the next vector search.
    expect((await vectors.nearest([1, 0, 0], { limit: 10 })).map((m) => m.eventId).sort()).toEqual(['back-old', 'front-new']);

    // Nothing is left to do: a second sweep deletes nothing.
    const again = await service.sweep();
    expect(again.deleted).toEqual({ runs: 0, events: 0, frames: 0, detections: 0, tracks: 0, files: 0, bytes: 0 });
    expect(again.orphans.files).toBe(0);
  });

  it('caps the disk: oldest first across cameras until under the cap; recent analyses and open events stay', async () => {
    // 0.02 MB = 20,972 bytes.
    const ws = await workspace('  retention: { max_disk_mb: 0.02 }\n');
    const now = Date.now();
    const frames = (offset: number) => Array.from({ length: 10 }, (_, i) => ({ ts: now - (10 - i) * DAY + offset, bytes: 1_000 }));
    const front = await addRun(ws, {
      cameraId: 'front',
      kind: 'live',
      status: 'running',
      startedAt: now - 11 * DAY,
      frames: frames(0),
      events: [{ id: 'front-open', startMs: now - DAY, endMs: now - DAY, startFrame: 9, status: 'open', bytes: 500 }],
    });
    const yard = await addRun(ws, { cameraId: 'yard', kind: 'live', status: 'running', startedAt: now - 11 * DAY, frames: frames(HOUR) });
    const recording = await addRun(ws, { cameraId: 'clip', kind: 'file', status: 'complete', startedAt: now - HOUR, frames: [{ ts: now - 400 * DAY, bytes: 3_000 }] });
    const allFrames = ws.db.prepare('SELECT run_id, frame_index, ts_ms FROM frames').all() as Array<{ run_id: number; frame_index: number; ts_ms: number }>;
    const total = () => mediaFiles(ws).reduce((n, p) => n + sizeOf(ws, p), 0);
    expect(total()).toBe(24_000);

    const service = retentionAt(ws, now);
    const report = await service.sweep();
    const cap = Math.round(0.02 * 1024 * 1024);
    expect(report.disk).toMatchObject({ capBytes: cap, beforeBytes: 24_000 });
    expect(report.disk?.afterBytes).toBe(total());
    expect(total()).toBeLessThanOrEqual(cap);
    // Not more than needed: one more frame of each camera would have fitted back.
    expect(total()).toBeGreaterThan(cap - 2_000);

    const kept = new Set((ws.db.prepare('SELECT run_id, frame_index FROM frames').all() as Array<{ run_id: number; frame_index: number }>).map((f) => `${f.run_id}:${f.frame_index}`));
    const deleted = allFrames.filter((f) => !kept.has(`${f.run_id}:${f.frame_index}`));
    const remaining = allFrames.filter((f) => kept.has(`${f.run_id}:${f.frame_index}`) && f.run_id !== recording);
    expect(deleted.length).toBeGreaterThan(0);
    expect(Math.max(...deleted.map((f) => f.ts_ms))).toBeLessThan(Math.min(...remaining.map((f) => f.ts_ms)));
    expect(new Set(deleted.map((f) => f.run_id))).toEqual(new Set([front, yard]));
    // The year-old recording analysed an hour ago is newer than the live frames by that measure.
    expect(frameTimes(ws, recording)).toEqual([0]);
    expect(eventIds(ws)).toEqual(['front-open']);
    expect(mediaInvariant(ws)).toEqual({ missing: [], unreferenced: [] });
  });

  it('makes a crash between rows and files harmless: the next sweep removes the leftovers once old enough', async () => {
    const ws = await workspace('  retention: { days: 1 }\n');
    const now = Date.now();
    const runId = await addRun(ws, {
      cameraId: 'front',
      kind: 'live',
      status: 'running',
      startedAt: now - 5 * DAY,
      frames: [{ ts: now - 4 * DAY, bytes: 50 }, { ts: now - 3 * DAY, bytes: 50 }, { ts: now - HOUR, bytes: 50 }],
      events: [{ id: 'old', startMs: now - 4 * DAY, endMs: now - 3 * DAY, startFrame: 0 }],
    });
    // Rows deleted, then the process dies before the files go.
    const store = new SqliteRetentionStore(ws.db);
    const pointedTo: string[] = [];
    for (let done = false; !done; ) {
      const batch = await store.pruneBefore(runId, now - DAY, 100);
      pointedTo.push(...batch.files);
      done = batch.done;
    }
    expect(pointedTo).toHaveLength(4); // two frames, a snapshot and a thumbnail
    const leftovers = mediaInvariant(ws);
    expect(leftovers.missing).toEqual([]);
    expect(leftovers.unreferenced).toEqual(pointedTo.sort());

    const service = retentionAt(ws, now);
    // Just written (as far as their times say): maybe rows are on their way, so they stay.
    expect((await service.sweep()).orphans.files).toBe(0);
    expect(mediaInvariant(ws).unreferenced).toEqual(leftovers.unreferenced);
    ageAllFiles(ws, HOUR);
    const report = await service.sweep();
    expect(report.orphans.files).toBe(4);
    expect(mediaInvariant(ws)).toEqual({ missing: [], unreferenced: [] });
    expect(frameTimes(ws, runId)).toEqual([2]);
  });

  it('never deletes a file a damaged row points to outside runs/', async () => {
    const ws = await workspace('  retention: { days: 1 }\n');
    const now = Date.now();
    await addRun(ws, {
      cameraId: 'front',
      kind: 'live',
      status: 'running',
      startedAt: now - 5 * DAY,
      frames: [{ ts: now - HOUR }],
      events: [{ id: 'old', startMs: now - 4 * DAY, endMs: now - 3 * DAY, startFrame: 0 }],
    });
    const relativeOutside = join(ws.dir, 'keep-me.jpg');
    const absolute = join(ws.dir, 'absolute.jpg');
    writeFileSync(relativeOutside, 'precious');
    writeFileSync(absolute, 'precious');
    ws.db.prepare(`UPDATE events SET snapshot_path = '../keep-me.jpg', thumbnails_json = json_object('p1', ?) WHERE id = 'old'`).run(absolute);
    const report = await retentionAt(ws, now).sweep();
    expect(report.deleted.events).toBe(1);
    expect(existsSync(relativeOutside)).toBe(true);
    expect(existsSync(absolute)).toBe(true);
  });

  it('runs under vigil serve shortly after start, and stops with it', async () => {
    const ws = await workspace('  retention: { days: 1 }\n');
    const now = Date.now();
    await addRun(ws, {
      cameraId: 'front',
      kind: 'file',
      status: 'complete',
      startedAt: now - 5 * DAY,
      frames: [{ ts: now - 5 * DAY, bytes: 50 }],
      events: [{ id: 'old', startMs: now - 5 * DAY, endMs: now - 5 * DAY, startFrame: 0 }],
    });
    const server = await startVigilServer(ws.loaded, { host: '127.0.0.1', port: 0, logger: quiet, retentionFirstDelayMs: 10 });
    try {
      // The sweep is counted in /metrics once it is over.
      const deadline = Date.now() + 10_000;
      let metrics = '';
      while (!/vigil_retention_deleted_total\{kind="runs"\} [1-9]/.test(metrics) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        metrics = await (await fetch(`${server.url}/metrics`)).text();
      }
      expect(count(ws.db, 'SELECT COUNT(*) AS n FROM events')).toBe(0);
      expect(count(ws.db, 'SELECT COUNT(*) AS n FROM analysis_runs')).toBe(0);
      expect(mediaFiles(ws)).toEqual([]);
      expect(metrics).toMatch(/vigil_retention_deleted_total\{kind="events"\} 1\b/);
      expect(metrics).toMatch(/vigil_retention_deleted_total\{kind="runs"\} 1\b/);
      expect(metrics).toMatch(/vigil_retention_freed_bytes_total 250\b/);
    } finally {
      await server.close();
    }
  });
});

function sizeOf(ws: RetentionWorkspace, path: string): number {
  return statSync(join(ws.dataDir, path)).size;
}
