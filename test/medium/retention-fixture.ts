/**
 * Builders for the retention tests: a data directory with a real database and real files, runs
 * as live cameras, Frigate and file analyses leave them, and the invariant retention keeps (every
 * file has a row, every row's file exists).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type Database from 'better-sqlite3';
import { eventDir, frameImagePath } from '../../src/adapters/media/media-paths.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { createTextAnalyzer } from '../../src/adapters/text/text-analyzer.ts';
import { createVigil, DATABASE_FILE, type Vigil } from '../../src/app.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { createEventIndexer } from '../../src/services/search/event-indexer.ts';
import { loadConfig, type LoadedConfig } from '../../src/config/index.ts';
import type { RunStatus, StoredEvent, StoredFrame, TrackSummary } from '../../src/ports/analysis-store.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { silentLogger } from '../support/live.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface RetentionWorkspace {
  dir: string;
  configFile: string;
  dataDir: string;
  loaded: LoadedConfig;
  /** Vigil over the workspace (search, retention), as `vigil serve` builds it. */
  vigil: Vigil;
  /** A connection of the test's own, for building and inspecting rows. */
  db: Database.Database;
  store: SqliteAnalysisStore;
  close(): Promise<void>;
}

export async function retentionWorkspace(yaml: string): Promise<RetentionWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-retention-'));
  const configFile = join(dir, 'vigil.yml');
  writeFileSync(configFile, `storage:\n  data_dir: data\n${yaml}`);
  const loaded = await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir });
  const vigil = createVigil(loaded, { logger: silentLogger });
  mkdirSync(loaded.config.storage.data_dir, { recursive: true });
  const db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
  const store = new SqliteAnalysisStore(db, { indexer: createEventIndexer(createTextAnalyzer(), cameraDirectory(loaded.config)) });
  return {
    dir,
    configFile,
    dataDir: loaded.config.storage.data_dir,
    loaded,
    vigil,
    db,
    store,
    async close() {
      await vigil.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EventSpec {
  id: string;
  startMs: number;
  endMs: number;
  startFrame: number;
  status?: 'open' | 'closed';
  /** A word only this event's summary has, to find it by search. */
  word?: string;
  label?: string;
  /** Bytes of its snapshot and of one thumbnail (none when 0). */
  bytes?: number;
}

export interface RunSpec {
  cameraId: string;
  /** `stream` with a session: a live camera; `frigate`: the Frigate sidecar's run; `file`: `vigil analyze`. */
  kind: 'live' | 'frigate' | 'file';
  status: RunStatus;
  startedAt: number;
  /** Frame i at times[i]; frames with a size > 0 have an image file of that many bytes. */
  frames?: Array<{ ts: number; bytes?: number }>;
  events?: EventSpec[];
  tracks?: Array<{ id: string; firstMs: number; lastMs: number; firstFrame: number; lastFrame: number }>;
}

let sequence = 0;

function writeFile(dataDir: string, path: string, bytes: number): void {
  const absolute = join(dataDir, path);
  mkdirSync(dirname(absolute), { recursive: true });
  writeFileSync(absolute, Buffer.alloc(bytes, 7));
}

/** Stores a run with its frames (one detection each), tracks and events, and writes their files. */
export async function addRun(ws: RetentionWorkspace, spec: RunSpec): Promise<number> {
  sequence++;
  const kind = spec.kind === 'file' ? 'file' : 'stream';
  const sourceId = await ws.store.upsertSource(
    { uri: spec.kind === 'frigate' ? `frigate://${spec.cameraId}` : `${spec.cameraId}-${sequence}`, kind, fingerprint: `fp-${sequence}`, codec: 'h264', width: 640, height: 480, fps: 5 },
    spec.cameraId,
  );
  const settings = spec.kind === 'live' ? { session: sequence } : spec.kind === 'frigate' ? { source: 'frigate' } : { fps: 5 };
  const runId = (
    await ws.store.createRun({ sourceId, cameraId: spec.cameraId, settingsKey: `k${sequence}`, settings, startTimeMs: spec.startedAt, startTimeSource: 'test', startedAt: spec.startedAt })
  ).id;
  const frames: StoredFrame[] = (spec.frames ?? []).map((f, index) => {
    const imagePath = f.bytes ? frameImagePath(runId, index) : undefined;
    if (imagePath && f.bytes) writeFile(ws.dataDir, imagePath, f.bytes);
    return {
      index,
      timestampMs: f.ts,
      ptsSeconds: index,
      detected: true,
      changedFraction: 0.1,
      detections: [{ label: 'person', score: 0.9, box: { x1: 1, y1: 1, x2: 20, y2: 40 }, confident: true, trackId: 'p1' }],
      ...(imagePath ? { imagePath } : {}),
    };
  });
  const tracks: TrackSummary[] = (spec.tracks ?? []).map((t) => ({ trackId: t.id, label: 'person', family: 'person', firstMs: t.firstMs, lastMs: t.lastMs, firstFrame: t.firstFrame, lastFrame: t.lastFrame, hits: 3 }));
  const events = (spec.events ?? []).map((e): StoredEvent => {
    const base = storedEvent({ id: e.id, cameraId: spec.cameraId, startMs: e.startMs, durationMs: e.endMs - e.startMs, labels: [e.label ?? 'person'], en: `Someone ${e.word ?? 'walked'} by`, zhHant: '有人經過', runId });
    const bytes = e.bytes ?? 100;
    const snapshotPath = bytes ? join(eventDir(runId, e.id), 'snapshot.jpg') : undefined;
    const thumb = bytes ? join(eventDir(runId, e.id), 'thumb-p1.jpg') : undefined;
    const thumbnails: Record<string, string> = {};
    if (snapshotPath && thumb) {
      writeFile(ws.dataDir, snapshotPath, bytes);
      writeFile(ws.dataDir, thumb, bytes);
      thumbnails['p1'] = thumb;
    }
    return {
      ...base,
      event: { ...base.event, status: e.status ?? 'closed', startFrameIndex: e.startFrame, endFrameIndex: e.startFrame, snapshotFrameIndex: e.startFrame, evidence: base.event.evidence.map((x) => ({ ...x, frameIndex: e.startFrame })) },
      ...(snapshotPath ? { snapshotPath } : {}),
      thumbnails,
    };
  });
  await ws.store.commitFrames(runId, frames, { tracks, events });
  if (spec.status !== 'running') await ws.store.finishRun(runId, spec.status, spec.startedAt + HOUR);
  return runId;
}

/** Writes a file no row points to, modified `ageMs` ago. */
export function strayFile(ws: RetentionWorkspace, path: string, ageMs: number, bytes = 10): void {
  writeFile(ws.dataDir, path, bytes);
  const when = new Date(Date.now() - ageMs);
  utimesSync(join(ws.dataDir, path), when, when);
}

/** Marks every file under `runs/` as modified `ageMs` ago (written by an earlier session). */
export function ageAllFiles(ws: RetentionWorkspace, ageMs: number): void {
  const when = new Date(Date.now() - ageMs);
  for (const path of mediaFiles(ws)) utimesSync(join(ws.dataDir, path), when, when);
}

export function mediaFiles(ws: RetentionWorkspace): string[] {
  const root = join(ws.dataDir, 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ws.dataDir, join(e.parentPath, e.name)))
    .sort();
}

/** Every path a row points to. */
export function referencedFiles(db: Database.Database): string[] {
  const frames = db.prepare('SELECT image_path AS p FROM frames WHERE image_path IS NOT NULL').all() as Array<{ p: string }>;
  const events = db.prepare('SELECT snapshot_path AS s, thumbnails_json AS t, clip_frames_json AS c FROM events').all() as Array<{ s: string | null; t: string; c: string }>;
  const paths = [
    ...frames.map((f) => f.p),
    ...events.flatMap((e) => [...(e.s ? [e.s] : []), ...Object.values(JSON.parse(e.t) as Record<string, string>), ...(JSON.parse(e.c) as string[])]),
  ];
  return paths.sort();
}

/** The retention invariant, walked on disk and in the tables: rows pointing to missing files, and files with no row. */
export function mediaInvariant(ws: RetentionWorkspace): { missing: string[]; unreferenced: string[] } {
  const files = mediaFiles(ws);
  const referenced = referencedFiles(ws.db);
  const onDisk = new Set(files);
  const rows = new Set(referenced);
  return { missing: referenced.filter((p) => !onDisk.has(p)), unreferenced: files.filter((f) => !rows.has(f)) };
}

/** Facet counts as stored by the triggers, and as counted from the rows (non-zero only). */
export function facetCounts(db: Database.Database): { stored: unknown[]; actual: unknown[] } {
  const stored = db.prepare('SELECT kind, value, events FROM facet_counts WHERE events <> 0 ORDER BY kind, value').all();
  const actual = db
    .prepare(
      `SELECT kind, value, events FROM (
         SELECT 'camera' AS kind, camera_id AS value, COUNT(*) AS events FROM events GROUP BY camera_id
         UNION ALL SELECT 'type', type, COUNT(*) FROM events GROUP BY type
         UNION ALL SELECT 'label', label, COUNT(*) FROM event_labels GROUP BY label)
       ORDER BY kind, value`,
    )
    .all();
  return { stored, actual };
}

export function count(db: Database.Database, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}
