import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import type {
  AnalysisStore,
  FrameBatchExtras,
  NewRun,
  RunClaim,
  RunOwner,
  RunRecord,
  RunStatus,
  StoredEvent,
  StoredFrame,
  WriteFence,
} from '../../../ports/analysis-store.ts';
import type { EventIndexer, SearchIndexMaintenance } from '../../../ports/search-index.ts';
import type { VideoInfo } from '../../../ports/video-input.ts';
import { migrate } from './migrations.ts';
import { searchEntryWriter } from './search-entry.ts';
import { withStorageErrors } from './sqlite-errors.ts';
import { toStoredEvent } from '../event-row.ts';
import { toStoredFrames } from '../frame-rows.ts';
import { parseOwner, processExists, RUN_STALE_AFTER_MS, runRowSchema, toRunRecord, type OwnerRecord } from '../run-rows.ts';

/** Events (re)indexed per transaction by reindexEvents. */
const REINDEX_BATCH = 2_000;

function eventRow(stored: StoredEvent) {
  const e = stored.event;
  return {
    id: e.id,
    run_id: stored.runId,
    camera_id: e.cameraId,
    type: e.type,
    rule: e.rule,
    status: e.status,
    start_ms: e.startMs,
    end_ms: e.endMs,
    start_frame: e.startFrameIndex,
    end_frame: e.endFrameIndex,
    labels_json: JSON.stringify(e.labels),
    actors_json: JSON.stringify(e.actors),
    evidence_json: JSON.stringify(e.evidence),
    details_json: JSON.stringify(e.details),
    summary_en: e.summary.en,
    summary_zh_hant: e.summary.zhHant,
    keywords: e.keywords.join(' '),
    snapshot_frame: e.snapshotFrameIndex,
    snapshot_path: stored.snapshotPath ?? null,
    thumbnails_json: JSON.stringify(stored.thumbnails),
    clip_frames_json: JSON.stringify(stored.clipFrames ?? []),
  };
}

/** Opens (creating if needed) the SQLite database in WAL mode and brings its schema up to date. */
export function openSqliteDatabase(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the last commit.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Searches read rows scattered over a large file: a bigger page cache and memory-mapped reads
    // (no read() call per page) make a large store several times faster (bench:search).
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 1073741824');
    // One IMMEDIATE transaction around the upgrade: two processes opening a new database at once
    // (two `vigil analyze`) take turns, and the second finds the schema already up to date.
    db.transaction(() => migrate(db)).immediate();
    return db;
  } catch (cause) {
    throw new VigilError('storage_failed', `The database ${path} could not be opened: ${(cause as Error).message}`, { cause });
  }
}

export interface SqliteAnalysisStoreOptions {
  now?: () => number;
  indexer?: EventIndexer;
  /** This process, as recorded on the runs it claims (default: this host and pid). */
  owner?: RunOwner;
  /** Whether a process of this host exists (default: signal 0). */
  processExists?: (pid: number) => boolean;
  staleAfterMs?: number;
}

export class SqliteAnalysisStore implements AnalysisStore, SearchIndexMaintenance {
  private readonly statements;
  private readonly writeSearchEntry: ReturnType<typeof searchEntryWriter>;
  private readonly owner: OwnerRecord;
  /** Runs this store claimed: it writes into them only while it still owns them. */
  private readonly claimed = new Set<number>();
  /** Runs this store claimed and another process then took over: never written to again. */
  private readonly lost = new Set<number>();

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteAnalysisStoreOptions = {},
  ) {
    this.writeSearchEntry = searchEntryWriter(db);
    this.owner = { ...(options.owner ?? { host: hostname(), pid: process.pid }), token: randomUUID() };
    this.statements = {
      upsertSource: db.prepare(`
        INSERT INTO sources (camera_id, fingerprint, uri, kind, codec, width, height, fps, duration_s, size_bytes, mtime_ms, created_at, updated_at)
        VALUES (@camera_id, @fingerprint, @uri, @kind, @codec, @width, @height, @fps, @duration_s, @size_bytes, @mtime_ms, @now, @now)
        ON CONFLICT (fingerprint, camera_id) DO UPDATE SET uri = excluded.uri, mtime_ms = excluded.mtime_ms, updated_at = excluded.updated_at
        RETURNING id`),
      findRun: db.prepare('SELECT * FROM analysis_runs WHERE source_id = ? AND camera_id = ? AND settings_key = ?'),
      getRun: db.prepare('SELECT * FROM analysis_runs WHERE id = ?'),
      insertRun: db.prepare(`
        INSERT INTO analysis_runs (id, source_id, camera_id, settings_key, settings_json, status, start_time_ms, start_time_source, started_at)
        VALUES ((SELECT id + 1 FROM run_id_high_water), @source_id, @camera_id, @settings_key, @settings_json, 'running', @start_time_ms, @start_time_source, @started_at)
        RETURNING *`),
      reopenRun: db.prepare(`UPDATE analysis_runs SET status = 'running', started_at = ?, finished_at = NULL, error = NULL WHERE id = ?`),
      dropFramesAfter: db.prepare('DELETE FROM frames WHERE run_id = ? AND frame_index > ?'),
      insertFrame: db.prepare(`
        INSERT INTO frames (run_id, frame_index, ts_ms, pts_s, detected, changed_fraction, image_path)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      insertDetection: db.prepare(`
        INSERT INTO detections (run_id, frame_index, label, score, x1, y1, x2, y2, track_id, confident) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      upsertTrack: db.prepare(`
        INSERT INTO tracks (run_id, track_id, label, family, first_ms, last_ms, first_frame, last_frame, hits)
        VALUES (@run_id, @track_id, @label, @family, @first_ms, @last_ms, @first_frame, @last_frame, @hits)
        ON CONFLICT (run_id, track_id) DO UPDATE SET label = excluded.label, last_ms = excluded.last_ms,
          last_frame = excluded.last_frame, hits = excluded.hits`),
      upsertEvent: db.prepare(`
        INSERT INTO events (id, run_id, camera_id, type, rule, status, start_ms, end_ms, start_frame, end_frame,
          labels_json, actors_json, evidence_json, details_json, summary_en, summary_zh_hant, keywords,
          snapshot_frame, snapshot_path, thumbnails_json, clip_frames_json)
        VALUES (@id, @run_id, @camera_id, @type, @rule, @status, @start_ms, @end_ms, @start_frame, @end_frame,
          @labels_json, @actors_json, @evidence_json, @details_json, @summary_en, @summary_zh_hant, @keywords,
          @snapshot_frame, @snapshot_path, @thumbnails_json, @clip_frames_json)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_ms = excluded.end_ms, end_frame = excluded.end_frame,
          labels_json = excluded.labels_json, actors_json = excluded.actors_json, evidence_json = excluded.evidence_json,
          details_json = excluded.details_json, summary_en = excluded.summary_en, summary_zh_hant = excluded.summary_zh_hant,
          keywords = excluded.keywords, snapshot_frame = excluded.snapshot_frame, snapshot_path = excluded.snapshot_path,
          thumbnails_json = excluded.thumbnails_json, clip_frames_json = excluded.clip_frames_json`),
      framesUpTo: db.prepare('SELECT frame_index, ts_ms, pts_s, detected, changed_fraction, image_path FROM frames WHERE run_id = ? AND frame_index <= ? ORDER BY frame_index'),
      detectionsUpTo: db.prepare('SELECT frame_index, label, score, x1, y1, x2, y2, track_id, confident FROM detections WHERE run_id = ? AND frame_index <= ? ORDER BY frame_index, id'),
      eventRowid: db.prepare('SELECT rowid FROM events WHERE id = ?'),
      clearLabels: db.prepare('DELETE FROM event_labels WHERE event_rowid = ?'),
      addLabel: db.prepare('INSERT OR IGNORE INTO event_labels (event_rowid, label) VALUES (?, ?)'),
      otherRuns: db.prepare('SELECT id FROM analysis_runs WHERE source_id = ? AND camera_id = ? AND id <> ? ORDER BY id'),
      advanceRun: db.prepare(`
        UPDATE analysis_runs SET last_frame_index = @last, frames_decoded = frames_decoded + @decoded,
          frames_detected = frames_detected + @detected, frames_skipped = frames_skipped + @skipped,
          detections = detections + @detections, heartbeat_at = @now
        WHERE id = @id`),
      runOwner: db.prepare('SELECT owner FROM analysis_runs WHERE id = ?'),
      takeRun: db.prepare(`UPDATE analysis_runs SET status = 'running', started_at = @started_at, finished_at = NULL, error = NULL,
        input_incomplete = NULL, owner = @owner, heartbeat_at = @now WHERE id = @id`),
      rekeyRun: db.prepare('UPDATE analysis_runs SET settings_key = ?, settings_json = ? WHERE id = ?'),
      heartbeat: db.prepare('UPDATE analysis_runs SET heartbeat_at = ? WHERE id = ? AND owner = ?'),
      markIncomplete: db.prepare('UPDATE analysis_runs SET input_incomplete = ? WHERE id = ?'),
      updateSettings: db.prepare('UPDATE analysis_runs SET settings_json = ? WHERE id = ?'),
      finishRun: db.prepare('UPDATE analysis_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?'),
      hasDescription: db.prepare('SELECT 1 FROM event_descriptions WHERE event_id = ?'),
      copyDescription: db.prepare(`
        INSERT INTO event_descriptions (event_id, provider, model, created_at, json, raw_text, flagged, text_for_search)
        SELECT @to, provider, model, created_at, json, raw_text, flagged, text_for_search FROM event_descriptions WHERE event_id = @from`),
      // The new event's automatic job (queued as it closed) would pay for the same description again:
      // it takes over the old event's finished job instead. A job a worker is running is left alone.
      copyDescribeJob: db.prepare(`
        INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, lease_until, last_error, created_at, updated_at)
        SELECT kind, @to, @to, payload_json, status, attempts, 0, next_attempt_at, NULL, last_error, created_at, @now
        FROM jobs WHERE kind = 'describe_event' AND key = @from AND status = 'done'
        ON CONFLICT (kind, key) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, payload_json = excluded.payload_json,
          last_error = excluded.last_error, updated_at = excluded.updated_at
        WHERE jobs.status <> 'running'`),
      deleteRun: db.prepare('DELETE FROM analysis_runs WHERE id = ? RETURNING source_id'),
      deleteSourceIfUnused: db.prepare('DELETE FROM sources WHERE id = ? AND NOT EXISTS (SELECT 1 FROM analysis_runs WHERE source_id = ?)'),
      // What users call detections: confident ones, and low-score ones that continued a track.
      countsByLabel: db.prepare(
        'SELECT label, COUNT(*) AS n FROM detections WHERE run_id = ? AND (confident = 1 OR track_id IS NOT NULL) GROUP BY label ORDER BY label',
      ),
    };
  }

  async upsertSource(info: VideoInfo, cameraId: string): Promise<number> {
    const row = this.write(() => this.statements.upsertSource.get({
      camera_id: cameraId,
      fingerprint: info.fingerprint,
      uri: info.uri,
      kind: info.kind,
      codec: info.codec,
      width: info.width,
      height: info.height,
      fps: info.fps,
      duration_s: info.durationSeconds ?? null,
      size_bytes: info.sizeBytes ?? null,
      mtime_ms: info.mtimeMs === undefined ? null : Math.round(info.mtimeMs),
      now: this.now(),
    }));
    return z.object({ id: z.number() }).parse(row).id;
  }

  async findRun(sourceId: number, cameraId: string, settingsKey: string): Promise<RunRecord | undefined> {
    const row = this.statements.findRun.get(sourceId, cameraId, settingsKey);
    return row === undefined ? undefined : toRunRecord(row);
  }

  async createRun(run: NewRun): Promise<RunRecord> {
    return this.insertRun(run);
  }

  private insertRun(run: NewRun): RunRecord {
    return toRunRecord(
      this.statements.insertRun.get({
        source_id: run.sourceId,
        camera_id: run.cameraId,
        settings_key: run.settingsKey,
        settings_json: JSON.stringify(run.settings),
        start_time_ms: run.startTimeMs,
        start_time_source: run.startTimeSource,
        started_at: run.startedAt,
      }),
    );
  }

  async claimRun(run: NewRun, options: { legacyKeys?: readonly string[] } = {}): Promise<RunClaim> {
    return this.write(() =>
      // IMMEDIATE: the write lock is taken before reading, so two processes claiming the same run
      // at once are serialised and the second sees what the first did.
      this.db.transaction((): RunClaim => {
        const now = this.now();
        let row = this.statements.findRun.get(run.sourceId, run.cameraId, run.settingsKey);
        for (const legacy of options.legacyKeys ?? []) {
          if (row !== undefined) break;
          const old = this.statements.findRun.get(run.sourceId, run.cameraId, legacy);
          if (old === undefined) continue;
          const id = runRowSchema.parse(old).id;
          this.statements.rekeyRun.run(run.settingsKey, JSON.stringify(run.settings), id);
          row = this.statements.getRun.get(id);
        }
        if (row === undefined) {
          const created = this.insertRun(run);
          this.statements.takeRun.run({ id: created.id, started_at: run.startedAt, owner: JSON.stringify(this.owner), now });
          this.claimed.add(created.id);
          return { kind: 'created', run: this.getRun(created.id) };
        }
        const existing = runRowSchema.parse(row);
        const record = toRunRecord(row);
        if (existing.status === 'complete') return { kind: 'complete', run: record };
        if (existing.status === 'running') {
          const owner = parseOwner(existing.owner);
          const heartbeatAgeMs = existing.heartbeat_at === null || existing.heartbeat_at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now - existing.heartbeat_at);
          if (this.isLiveWriter(existing.id, owner, heartbeatAgeMs)) {
            return { kind: 'busy', run: record, ...(owner ? { owner: { host: owner.host, pid: owner.pid } } : {}), heartbeatAgeMs };
          }
        }
        // Frames are committed with the run's progress in one transaction, so nothing should lie
        // past last_frame_index; the delete makes that an invariant rather than an assumption.
        this.statements.dropFramesAfter.run(existing.id, existing.last_frame_index);
        this.statements.takeRun.run({ id: existing.id, started_at: run.startedAt, owner: JSON.stringify(this.owner), now });
        this.claimed.add(existing.id);
        this.lost.delete(existing.id);
        return { kind: 'reopened', run: this.getRun(existing.id) };
      }).immediate(),
    );
  }

  /**
   * Another process is writing a run while it has been heard of recently and, on this host, its
   * process still exists (so a run whose process was killed is resumed at once, not after 30 s).
   * A run without a heartbeat (written before heartbeats, or by Frigate ingest) has no live writer.
   */
  private isLiveWriter(runId: number, owner: OwnerRecord | undefined, heartbeatAgeMs: number): boolean {
    // This very store: busy while one of its analyses still writes the run (two requests in one server).
    if (owner?.token === this.owner.token) return this.claimed.has(runId);
    if (heartbeatAgeMs >= (this.options.staleAfterMs ?? RUN_STALE_AFTER_MS)) return false;
    if (owner === undefined) return true;
    if (owner.host === this.owner.host) return (this.options.processExists ?? processExists)(owner.pid);
    return true;
  }

  async heartbeat(runId: number): Promise<void> {
    this.write(() => this.statements.heartbeat.run(this.now(), runId, JSON.stringify(this.owner)));
  }

  async markInputIncomplete(runId: number, message: string): Promise<RunRecord> {
    return this.write(() => {
      this.statements.markIncomplete.run(message, runId);
      return this.getRun(runId);
    });
  }

  async updateRunSettings(runId: number, settings: unknown): Promise<void> {
    this.write(() => this.statements.updateSettings.run(JSON.stringify(settings), runId));
  }

  async rewriteEvents(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.write(() =>
      this.db.transaction(() => {
        for (const e of events) {
          this.statements.upsertEvent.run(eventRow(e));
          this.indexEvent(e);
        }
      })(),
    );
  }

  async carryOverDescriptions(pairs: ReadonlyArray<{ from: string; to: string }>): Promise<number> {
    return this.write(() =>
      this.db.transaction(() => {
        let carried = 0;
        for (const { from, to } of pairs) {
          if (this.statements.hasDescription.get(from) === undefined || this.statements.hasDescription.get(to) !== undefined) continue;
          if (this.statements.eventRowid.get(to) === undefined) continue;
          this.statements.copyDescription.run({ from, to });
          this.statements.copyDescribeJob.run({ from, to, now: this.now() });
          // The search entry carries the description's words: rebuild it with them.
          const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(to);
          if (row !== undefined) this.indexEvent(toStoredEvent(row));
          carried++;
        }
        return carried;
      })(),
    );
  }

  /**
   * Live sessions of these cameras still marked running when `vigil serve` starts: the process
   * that ran them died without stopping them (kill -9, a power cut). They are marked interrupted
   * so they read as ended, and retention can delete them whole once expired; their events stay
   * as stored. Frigate's run and file analyses (no session in their settings) are left alone.
   */
  async interruptAbandonedSessions(cameraIds: readonly string[], nowMs: number): Promise<number> {
    return this.db
      .transaction((): number => {
        const candidates = z
          .array(z.object({ id: z.number(), owner: z.string().nullable(), heartbeat_at: z.number().nullable() }))
          .parse(
            this.db
              .prepare(
                `SELECT id, owner, heartbeat_at FROM analysis_runs
                 WHERE status = 'running' AND camera_id IN (SELECT value FROM json_each(?))
                   AND json_extract(settings_json, '$.session') IS NOT NULL`,
              )
              .all(JSON.stringify(cameraIds)),
          );
        // Sessions another live process (a worker sharing this file) is writing are not abandoned.
        const abandoned = candidates.filter((r) => !this.isLiveWriter(r.id, parseOwner(r.owner), r.heartbeat_at === null ? Number.POSITIVE_INFINITY : Math.max(0, nowMs - r.heartbeat_at)));
        const mark = this.db.prepare(`UPDATE analysis_runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`);
        for (const run of abandoned) mark.run(nowMs, 'the server stopped without closing this live session', run.id);
        return abandoned.length;
      })
      .immediate();
  }

  async reopenRun(runId: number, startedAt: number): Promise<RunRecord> {
    return this.db.transaction(() => {
      const run = this.getRun(runId);
      // Frames are committed with the run's progress in one transaction, so nothing should lie
      // past last_frame_index; the delete makes that an invariant rather than an assumption.
      this.statements.dropFramesAfter.run(runId, run.lastFrameIndex);
      this.statements.reopenRun.run(startedAt, runId);
      return this.getRun(runId);
    })();
  }

  async commitFrames(runId: number, frames: readonly StoredFrame[], extras: FrameBatchExtras = {}): Promise<RunRecord> {
    return this.write(() => this.db.transaction(() => {
      this.checkStillOwned(runId);
      if (extras.fence) this.checkFence(extras.fence);
      for (const t of extras.tracks ?? []) {
        this.statements.upsertTrack.run({
          run_id: runId,
          track_id: t.trackId,
          label: t.label,
          family: t.family,
          first_ms: t.firstMs,
          last_ms: t.lastMs,
          first_frame: t.firstFrame,
          last_frame: t.lastFrame,
          hits: t.hits,
        });
      }
      for (const e of extras.events ?? []) {
        this.statements.upsertEvent.run(eventRow(e));
        this.indexEvent(e);
      }
      let detections = 0;
      let detected = 0;
      for (const f of frames) {
        this.statements.insertFrame.run(runId, f.index, f.timestampMs, f.ptsSeconds, f.detected ? 1 : 0, f.changedFraction, f.imagePath ?? null);
        if (f.detected) detected++;
        for (const d of f.detections) {
          this.statements.insertDetection.run(runId, f.index, d.label, d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2, d.trackId ?? null, d.confident ? 1 : 0);
          if (d.confident || d.trackId !== undefined) detections++;
        }
      }
      const last = frames.at(-1);
      if (!last) return this.getRun(runId);
      this.statements.advanceRun.run({
        id: runId,
        last: last.index,
        decoded: frames.length,
        detected,
        skipped: frames.length - detected,
        detections,
        now: this.now(),
      });
      return this.getRun(runId);
    })());
  }

  /**
   * A run this process claimed may have been taken over by another (this one stalled for longer
   * than the heartbeat allows): writing on would mix two processes' frames, so it stops here.
   */
  private checkStillOwned(runId: number): void {
    if (this.claimed.has(runId)) {
      const row = z.object({ owner: z.string().nullable() }).optional().parse(this.statements.runOwner.get(runId));
      if (parseOwner(row?.owner)?.token === this.owner.token) return;
      this.claimed.delete(runId);
      this.lost.add(runId);
    }
    if (!this.lost.has(runId)) return;
    throw new VigilError('busy', `Analysis run ${runId} was taken over by another process after this one stopped reporting progress; this process stops writing to it.`);
  }

  /** The camera's lease must still be this holder's, at this generation (another worker took it over otherwise). */
  private checkFence(fence: WriteFence): void {
    const current = this.db.prepare('SELECT holder, generation FROM camera_leases WHERE camera_id = ?').get(fence.cameraId) as { holder: string; generation: number } | undefined;
    if (current?.holder === fence.holder && current.generation === fence.generation) return;
    throw new VigilError('lease_lost', `Camera ${fence.cameraId} is analysed by another worker now (its lease moved on); this worker stops writing its frames.`);
  }

  async finishRun(runId: number, status: Exclude<RunStatus, 'running'>, finishedAt: number, error?: string): Promise<RunRecord> {
    this.claimed.delete(runId);
    return this.write(() => {
      this.statements.finishRun.run(status, finishedAt, error ?? null, runId);
      return this.getRun(runId);
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private write<T>(fn: () => T): T {
    return withStorageErrors(this.db.name, fn);
  }

  /** Keeps the event's full-text entry and label rows in step with the event (same transaction). */
  private indexEvent(stored: StoredEvent): void {
    const rowid = z.object({ rowid: z.number() }).parse(this.statements.eventRowid.get(stored.event.id)).rowid;
    this.statements.clearLabels.run(rowid);
    for (const label of stored.event.labels) this.statements.addLabel.run(rowid, label);
    const indexer = this.options.indexer;
    if (!indexer) return;
    this.writeSearchEntry(rowid, indexer(stored), stored.event);
  }

  /**
   * Indexes events that have no search entry yet (stored before search existed, by a Vigil
   * without an indexer, or before the index was rebuilt by a schema upgrade); with `all`,
   * rebuilds every entry (e.g. after camera aliases changed). Works through the events in
   * batches of rowids, one transaction each, so a large store is never held in memory at once.
   */
  async reindexEvents(all: boolean, onProgress?: (done: number) => void): Promise<number> {
    return this.reindexWhere(all ? 'TRUE' : 'rowid NOT IN (SELECT rowid FROM events_fts)', {}, onProgress);
  }

  /** Rebuilds the search entries of one camera's events (its names changed). */
  async reindexCamera(cameraId: string, onProgress?: (done: number) => void): Promise<number> {
    return this.reindexWhere('camera_id = @camera', { camera: cameraId }, onProgress);
  }

  /**
   * The cameras whose names (`current`: camera id -> its names as JSON) differ from those their
   * events were indexed with. A camera not recorded yet is taken as indexed with its current
   * names (its events were stored under this configuration, or before names were recorded).
   */
  async changedCameraNames(current: ReadonlyMap<string, string>): Promise<string[]> {
    const rows = z.array(z.object({ camera_id: z.string(), names_json: z.string() })).parse(this.db.prepare('SELECT camera_id, names_json FROM indexed_camera_names').all());
    const stored = new Map(rows.map((r) => [r.camera_id, r.names_json]));
    return [...current].filter(([id, names]) => stored.has(id) && stored.get(id) !== names).map(([id]) => id);
  }

  /** Records the names the cameras' events are now indexed with (after any re-indexing). */
  async recordCameraNames(current: ReadonlyMap<string, string>): Promise<void> {
    const upsert = this.db.prepare('INSERT INTO indexed_camera_names (camera_id, names_json) VALUES (?, ?) ON CONFLICT (camera_id) DO UPDATE SET names_json = excluded.names_json');
    this.db.transaction(() => {
      for (const [id, names] of current) upsert.run(id, names);
    })();
  }

  private reindexWhere(condition: string, params: Record<string, string>, onProgress?: (done: number) => void): number {
    if (!this.options.indexer) return 0;
    const batch = this.db.prepare(`SELECT rowid AS event_rowid, * FROM events WHERE rowid > @after AND ${condition} ORDER BY rowid LIMIT @limit`);
    let done = 0;
    let after = 0;
    for (;;) {
      const rows = batch.all({ ...params, after, limit: REINDEX_BATCH });
      if (rows.length === 0) return done;
      this.db.transaction(() => {
        for (const row of rows) this.indexEvent(toStoredEvent(row));
      })();
      after = z.object({ event_rowid: z.number() }).parse(rows.at(-1)).event_rowid;
      done += rows.length;
      onProgress?.(done);
    }
  }

  async readFrames(runId: number, lastFrameIndex: number): Promise<StoredFrame[]> {
    return toStoredFrames(this.statements.framesUpTo.all(runId, lastFrameIndex), this.statements.detectionsUpTo.all(runId, lastFrameIndex));
  }

  async otherRuns(sourceId: number, cameraId: string, keepRunId: number): Promise<number[]> {
    return z.array(z.object({ id: z.number() })).parse(this.statements.otherRuns.all(sourceId, cameraId, keepRunId)).map((r) => r.id);
  }

  async deleteRun(runId: number): Promise<void> {
    this.deleteRunNow(runId);
  }

  /** `deleteRun`, synchronously: inside another transaction (retention's) it joins it. */
  deleteRunNow(runId: number): void {
    // Frames and detections go with it (ON DELETE CASCADE); a source no run refers to goes too.
    this.db.transaction(() => {
      const row = this.statements.deleteRun.get(runId);
      if (row === undefined) return;
      const sourceId = z.object({ source_id: z.number() }).parse(row).source_id;
      this.statements.deleteSourceIfUnused.run(sourceId, sourceId);
    })();
  }

  async detectionCountsByLabel(runId: number): Promise<Record<string, number>> {
    const rows = z.array(z.object({ label: z.string(), n: z.number() })).parse(this.statements.countsByLabel.all(runId));
    return Object.fromEntries(rows.map((r) => [r.label, r.n]));
  }

  async countTracks(runId: number): Promise<number> {
    return z.object({ n: z.number() }).parse(this.db.prepare('SELECT COUNT(*) AS n FROM tracks WHERE run_id = ?').get(runId)).n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private getRun(runId: number): RunRecord {
    const row = this.statements.getRun.get(runId);
    if (row === undefined) throw new VigilError('storage_failed', `Analysis run ${runId} does not exist`);
    return toRunRecord(row);
  }
}
