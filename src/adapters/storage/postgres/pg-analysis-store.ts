import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
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
import type { SearchIndexMaintenance } from '../../../ports/search-index.ts';
import type { VideoInfo } from '../../../ports/video-input.ts';
import { carryOverDescriptions } from './pg-analysis-descriptions.ts';
import { type EventIndexing, writeEvents } from './pg-analysis-events.ts';
import { insertFrames, readFrames, upsertTracks } from './pg-analysis-frames.ts';
import { changedCameraNames, recordCameraNames, reindexWhere } from './pg-analysis-reindex.ts';
import { parseOwner, processExists, RUN_STALE_AFTER_MS, runRowSchema, toRunRecord, type OwnerRecord } from '../run-rows.ts';
import { returnedRun } from './pg-analysis-runs.ts';
import type { PgStoreOptions } from './pg-store-options.ts';
import type { SqlClient } from './sql-client.ts';

/** How this process appears to the others sharing the database (the SQLite store's options of the same names). */
export interface PgRunOwnerOptions {
  /** This process, as recorded on the runs it claims (default: this host and pid). */
  owner?: RunOwner;
  /** Whether a process of this host exists (default: signal 0). */
  processExists?: (pid: number) => boolean;
  staleAfterMs?: number;
}

/** Transactions that only touch the database may simply run again after a deadlock or serialization failure. */
const RETRY = { retries: 3 } as const;

const candidateSchema = z.object({ id: z.number(), owner: z.string().nullable(), heartbeat_at: z.number().nullable() });

const INSERT_RUN = `
  INSERT INTO analysis_runs (source_id, camera_id, settings_key, settings_json, status, start_time_ms, start_time_source, started_at, owner, heartbeat_at)
  VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9)
  RETURNING *`;

const TAKE_RUN = `
  UPDATE analysis_runs SET status = 'running', started_at = $2, finished_at = NULL, error = NULL,
    input_incomplete = NULL, owner = $3, heartbeat_at = $4
  WHERE id = $1
  RETURNING *`;

/**
 * Analysis runs, frames, detections, tracks and events in PostgreSQL, shared by any number of
 * Vigil processes on any number of hosts: a run is written by the one process that claimed it,
 * and that is checked in every commit's transaction.
 */
export class PgAnalysisStore implements AnalysisStore, SearchIndexMaintenance {
  private readonly owner: OwnerRecord;
  private readonly ownerText: string;
  private readonly indexing: EventIndexing;
  /** Runs this store claimed: it writes into them only while it still owns them. */
  private readonly claimed = new Set<number>();
  /** Runs this store claimed and another process then took over: never written to again. */
  private readonly lost = new Set<number>();

  constructor(
    protected readonly db: SqlClient,
    protected readonly options: PgStoreOptions,
    private readonly ownership: PgRunOwnerOptions = {},
  ) {
    this.owner = { ...(ownership.owner ?? { host: hostname(), pid: process.pid }), token: randomUUID() };
    this.ownerText = JSON.stringify(this.owner);
    this.indexing = { indexer: options.indexer, tokenize: options.tokenize };
  }

  async upsertSource(info: VideoInfo, cameraId: string): Promise<number> {
    const now = this.options.now();
    const { rows } = await this.db.query(
      `INSERT INTO sources (camera_id, fingerprint, uri, kind, codec, width, height, fps, duration_s, size_bytes, mtime_ms, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
       ON CONFLICT (fingerprint, camera_id) DO UPDATE SET uri = excluded.uri, mtime_ms = excluded.mtime_ms, updated_at = excluded.updated_at
       RETURNING id`,
      [cameraId, info.fingerprint, info.uri, info.kind, info.codec, info.width, info.height, info.fps, info.durationSeconds ?? null, info.sizeBytes ?? null, info.mtimeMs === undefined ? null : Math.round(info.mtimeMs), now],
    );
    return z.object({ id: z.number() }).parse(rows[0]).id;
  }

  async findRun(sourceId: number, cameraId: string, settingsKey: string): Promise<RunRecord | undefined> {
    const { rows } = await this.db.query('SELECT * FROM analysis_runs WHERE source_id = $1 AND camera_id = $2 AND settings_key = $3', [sourceId, cameraId, settingsKey]);
    return rows[0] === undefined ? undefined : toRunRecord(rows[0]);
  }

  /** A new run, its id from the identity column: never one given before, even to a deleted run. */
  async createRun(run: NewRun): Promise<RunRecord> {
    const { rows } = await this.db.query(INSERT_RUN, [...this.newRunValues(run), null, null]);
    return toRunRecord(rows[0]);
  }

  private newRunValues(run: NewRun): unknown[] {
    return [run.sourceId, run.cameraId, run.settingsKey, JSON.stringify(run.settings), run.startTimeMs, run.startTimeSource, run.startedAt];
  }

  async claimRun(run: NewRun, options: { legacyKeys?: readonly string[] } = {}): Promise<RunClaim> {
    const claim = await this.db.transaction(async (tx): Promise<RunClaim> => {
      const now = this.options.now();
      // Claims of one source take turns on its row (NO KEY UPDATE: runs referring to it are not
      // held up), so two processes cannot both create, or both reopen, the same run; the run's
      // own row lock then waits out a commit or heartbeat of its writer in progress.
      await tx.query('SELECT 1 FROM sources WHERE id = $1 FOR NO KEY UPDATE', [run.sourceId]);
      const find = async (key: string) =>
        (await tx.query('SELECT * FROM analysis_runs WHERE source_id = $1 AND camera_id = $2 AND settings_key = $3 FOR UPDATE', [run.sourceId, run.cameraId, key])).rows[0];
      let row = await find(run.settingsKey);
      for (const legacy of options.legacyKeys ?? []) {
        if (row !== undefined) break;
        const old = await find(legacy);
        if (old === undefined) continue;
        const { rows } = await tx.query('UPDATE analysis_runs SET settings_key = $1, settings_json = $2 WHERE id = $3 RETURNING *', [
          run.settingsKey,
          JSON.stringify(run.settings),
          runRowSchema.parse(old).id,
        ]);
        row = rows[0];
      }
      if (row === undefined) {
        const { rows } = await tx.query(INSERT_RUN, [...this.newRunValues(run), this.ownerText, now]);
        return { kind: 'created', run: toRunRecord(rows[0]) };
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
      await tx.query('DELETE FROM frames WHERE run_id = $1 AND frame_index > $2', [existing.id, existing.last_frame_index]);
      const { rows } = await tx.query(TAKE_RUN, [existing.id, run.startedAt, this.ownerText, now]);
      return { kind: 'reopened', run: returnedRun(rows, existing.id) };
    }, RETRY);
    // Recorded once committed: a transaction that was retried or failed claimed nothing.
    if (claim.kind === 'created' || claim.kind === 'reopened') {
      this.claimed.add(claim.run.id);
      this.lost.delete(claim.run.id);
    }
    return claim;
  }

  /**
   * Another process is writing a run while it has been heard of recently and, on this host, its
   * process still exists (so a run whose process was killed is resumed at once, not after 30 s).
   * A run without a heartbeat (written by Frigate ingest, or created unclaimed) has no live writer.
   */
  private isLiveWriter(runId: number, owner: OwnerRecord | undefined, heartbeatAgeMs: number): boolean {
    // This very store: busy while one of its analyses still writes the run (two requests in one server).
    if (owner?.token === this.owner.token) return this.claimed.has(runId);
    if (heartbeatAgeMs >= (this.ownership.staleAfterMs ?? RUN_STALE_AFTER_MS)) return false;
    if (owner === undefined) return true;
    if (owner.host === this.owner.host) return (this.ownership.processExists ?? processExists)(owner.pid);
    return true;
  }

  async heartbeat(runId: number): Promise<void> {
    await this.db.query('UPDATE analysis_runs SET heartbeat_at = $1 WHERE id = $2 AND owner = $3', [this.options.now(), runId, this.ownerText]);
  }

  async markInputIncomplete(runId: number, message: string): Promise<RunRecord> {
    const { rows } = await this.db.query('UPDATE analysis_runs SET input_incomplete = $1 WHERE id = $2 RETURNING *', [message, runId]);
    return returnedRun(rows, runId);
  }

  async updateRunSettings(runId: number, settings: unknown): Promise<void> {
    await this.db.query('UPDATE analysis_runs SET settings_json = $1 WHERE id = $2', [JSON.stringify(settings), runId]);
  }

  async rewriteEvents(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.transaction((tx) => writeEvents(tx, events, this.indexing), RETRY);
  }

  async carryOverDescriptions(pairs: ReadonlyArray<{ from: string; to: string }>): Promise<number> {
    if (pairs.length === 0) return 0;
    return this.db.transaction((tx) => carryOverDescriptions(tx, pairs, this.options.now(), this.indexing), RETRY);
  }

  /**
   * Live sessions of these cameras still marked running whose writer is gone (it died without
   * stopping them: kill -9, a power cut): marked interrupted so they read as ended; their events
   * stay. Sessions another live process (a worker sharing the database) writes are left alone, as
   * are runs without a session in their settings (Frigate's, files); a JSON null session counts
   * as none, as SQLite's json_extract reads it. The candidates are locked while judged, so a
   * writer's heartbeat or a claim in between is not overruled.
   */
  async interruptAbandonedSessions(cameraIds: readonly string[], nowMs: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `SELECT id, owner, heartbeat_at FROM analysis_runs
         WHERE status = 'running' AND camera_id = ANY($1::text[]) AND (settings_json::jsonb ->> 'session') IS NOT NULL
         ORDER BY id FOR UPDATE`,
        [cameraIds],
      );
      const abandoned = rows
        .map((row) => candidateSchema.parse(row))
        .filter((r) => !this.isLiveWriter(r.id, parseOwner(r.owner), r.heartbeat_at === null ? Number.POSITIVE_INFINITY : Math.max(0, nowMs - r.heartbeat_at)))
        .map((r) => r.id);
      if (abandoned.length === 0) return 0;
      const { rowCount } = await tx.query(`UPDATE analysis_runs SET status = 'interrupted', finished_at = $1, error = $2 WHERE id = ANY($3::bigint[]) AND status = 'running'`, [
        nowMs,
        'the server stopped without closing this live session',
        abandoned,
      ]);
      return rowCount;
    }, RETRY);
  }

  async reopenRun(runId: number, startedAt: number): Promise<RunRecord> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query('SELECT last_frame_index FROM analysis_runs WHERE id = $1 FOR UPDATE', [runId]);
      if (rows[0] === undefined) throw new VigilError('storage_failed', `Analysis run ${runId} does not exist`);
      const last = z.object({ last_frame_index: z.number() }).parse(rows[0]).last_frame_index;
      // Frames are committed with the run's progress in one transaction, so nothing should lie
      // past last_frame_index; the delete makes that an invariant rather than an assumption.
      await tx.query('DELETE FROM frames WHERE run_id = $1 AND frame_index > $2', [runId, last]);
      const updated = await tx.query(`UPDATE analysis_runs SET status = 'running', started_at = $1, finished_at = NULL, error = NULL WHERE id = $2 RETURNING *`, [
        startedAt,
        runId,
      ]);
      return returnedRun(updated.rows, runId);
    }, RETRY);
  }

  /**
   * The hot path (about every second per camera): a batch's frames, detections, tracks and
   * progress in one statement (BEGIN, it, COMMIT: three round trips); a batch with events adds
   * three (lock those stored, read their descriptions, upsert). One transaction, which also
   * proves this process still owns the run.
   */
  async commitFrames(runId: number, frames: readonly StoredFrame[], extras: FrameBatchExtras = {}): Promise<RunRecord> {
    return this.db.transaction(async (tx) => {
      if (extras.fence) await checkFence(tx, extras.fence);
      const tracks = extras.tracks ?? [];
      let row: unknown;
      if (frames.length > 0) {
        // The run's row is updated (so locked) by this statement: a takeover either committed
        // before it, and shows in the owner it returns, or waits until this commit is done.
        row = await insertFrames(tx, runId, frames, tracks, this.options.now());
        this.checkStillOwned(runId, row);
      } else {
        row = (await tx.query('SELECT * FROM analysis_runs WHERE id = $1 FOR SHARE', [runId])).rows[0];
        this.checkStillOwned(runId, row);
        await upsertTracks(tx, runId, tracks);
      }
      await writeEvents(tx, extras.events ?? [], this.indexing);
      return returnedRun(row === undefined ? [] : [row], runId);
    }, RETRY);
  }

  /**
   * A run this process claimed may have been taken over by another (this one stalled for longer
   * than the heartbeat allows): writing on would mix two processes' frames, so it stops here and
   * the transaction rolls back.
   */
  private checkStillOwned(runId: number, row: unknown): void {
    if (this.claimed.has(runId)) {
      const owner = row === undefined ? undefined : parseOwner(runRowSchema.parse(row).owner);
      if (owner?.token === this.owner.token) return;
      this.claimed.delete(runId);
      this.lost.add(runId);
    }
    if (!this.lost.has(runId)) return;
    throw new VigilError('busy', `Analysis run ${runId} was taken over by another process after this one stopped reporting progress; this process stops writing to it.`);
  }

  async finishRun(runId: number, status: Exclude<RunStatus, 'running'>, finishedAt: number, error?: string): Promise<RunRecord> {
    this.claimed.delete(runId);
    const { rows } = await this.db.query('UPDATE analysis_runs SET status = $1, finished_at = $2, error = $3 WHERE id = $4 RETURNING *', [status, finishedAt, error ?? null, runId]);
    return returnedRun(rows, runId);
  }

  async reindexEvents(all: boolean, onProgress?: (done: number) => void): Promise<number> {
    return reindexWhere(this.db, this.indexing, all ? { kind: 'all' } : { kind: 'unindexed' }, onProgress);
  }

  async reindexCamera(cameraId: string, onProgress?: (done: number) => void): Promise<number> {
    return reindexWhere(this.db, this.indexing, { kind: 'camera', cameraId }, onProgress);
  }

  async changedCameraNames(current: ReadonlyMap<string, string>): Promise<string[]> {
    return changedCameraNames(this.db, current);
  }

  async recordCameraNames(current: ReadonlyMap<string, string>): Promise<void> {
    await recordCameraNames(this.db, current);
  }

  async readFrames(runId: number, lastFrameIndex: number): Promise<StoredFrame[]> {
    return readFrames(this.db, runId, lastFrameIndex);
  }

  async otherRuns(sourceId: number, cameraId: string, keepRunId: number): Promise<number[]> {
    const { rows } = await this.db.query('SELECT id FROM analysis_runs WHERE source_id = $1 AND camera_id = $2 AND id <> $3 ORDER BY id', [sourceId, cameraId, keepRunId]);
    return rows.map((row) => z.object({ id: z.number() }).parse(row).id);
  }

  /** Removes a run with its frames, detections and events (ON DELETE CASCADE), and its source once no run refers to it. */
  async deleteRun(runId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query('DELETE FROM analysis_runs WHERE id = $1 RETURNING source_id', [runId]);
      if (rows[0] === undefined) return;
      const sourceId = z.object({ source_id: z.number() }).parse(rows[0]).source_id;
      // Locked first, so a run being added to the source meanwhile has committed (or waits) before
      // the check below, which then sees it: the source is never deleted under a new run.
      await tx.query('SELECT 1 FROM sources WHERE id = $1 FOR UPDATE', [sourceId]);
      await tx.query('DELETE FROM sources WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM analysis_runs WHERE source_id = $1)', [sourceId]);
    }, RETRY);
  }

  async detectionCountsByLabel(runId: number): Promise<Record<string, number>> {
    // What users call detections: confident ones, and low-score ones that continued a track.
    const { rows } = await this.db.query(
      'SELECT label, COUNT(*) AS n FROM detections WHERE run_id = $1 AND (confident OR track_id IS NOT NULL) GROUP BY label ORDER BY label COLLATE "C"',
      [runId],
    );
    return Object.fromEntries(rows.map((row) => z.object({ label: z.string(), n: z.number() }).parse(row)).map((r) => [r.label, r.n]));
  }

  async countTracks(runId: number): Promise<number> {
    const { rows } = await this.db.query('SELECT COUNT(*) AS n FROM tracks WHERE run_id = $1', [runId]);
    return z.object({ n: z.number() }).parse(rows[0]).n;
  }

  /** The storage closes the client it shares among its stores; nothing of this store's own to release. */
  async close(): Promise<void> {}
}

/**
 * The camera's lease must still be this holder's, at this generation. FOR SHARE holds off a
 * takeover (an UPDATE of the lease) until this batch is committed, and a takeover committed
 * before shows here: the batch is stored entirely before the camera moves on, or not at all.
 */
async function checkFence(tx: SqlClient, fence: WriteFence): Promise<void> {
  const { rows } = await tx.query<{ holder: string; generation: number }>('SELECT holder, generation FROM camera_leases WHERE camera_id = $1 FOR SHARE', [fence.cameraId]);
  const current = rows[0];
  if (current?.holder === fence.holder && current.generation === fence.generation) return;
  throw new VigilError('lease_lost', `Camera ${fence.cameraId} is analysed by another worker now (its lease moved on); this worker stops writing its frames.`);
}
