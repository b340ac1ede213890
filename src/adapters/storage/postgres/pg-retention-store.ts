import { z } from 'zod';
import type { MediaReference, PrunedBatch, RetentionRun, RetentionStore } from '../../../ports/retention-store.ts';
import { eventFiles, toRetentionRun } from '../retention-rows.ts';
import type { SqlClient } from './sql-client.ts';

const statusRowSchema = z.object({ status: z.string() });
const frameBatchSchema = z.object({ frames: z.number(), detections: z.number(), files: z.array(z.string()) });
const frameCountsSchema = frameBatchSchema.extend({ tracks: z.number() });

/*
 * The conditions below take the same parameters everywhere: $1 the run, $2 the time (source ms)
 * before which rows expire, $3 whether the run has ended; $4 the batch size where there is one.
 */

/**
 * Events that expire at $2: ended before it, and closed, unless the run has ended ($3), after
 * which an open event can never be closed. `start_ms < $2` follows from the rest; it lets the
 * planner use the time indexes.
 */
const EXPIRED_EVENT = `run_id = $1 AND start_ms < $2 AND end_ms < $2 AND (status = 'closed' OR $3)`;
/** The events of the run that stay (`e`), for the frames and tracks they show. */
const REMAINING = `e.run_id = $1 AND NOT (e.start_ms < $2 AND e.end_ms < $2 AND (e.status = 'closed' OR $3))`;
/**
 * Frames that expire at $2: older, and not shown by an event that stays (its snapshot frame or a
 * frame of its evidence). Only those: an event open for days (a parked car) must not keep every
 * frame after its start. Only numbers are taken from the evidence (a cast of anything else would
 * fail the whole batch), and NULLs are kept out of the list: `NOT IN` a list with a NULL is never true.
 */
const EXPIRED_FRAME = `run_id = $1 AND ts_ms < $2 AND frame_index NOT IN (
  SELECT e.snapshot_frame::numeric FROM events e WHERE ${REMAINING}
  UNION SELECT (x ->> 'frameIndex')::numeric FROM events e, jsonb_array_elements(e.evidence_json::jsonb) x
    WHERE ${REMAINING} AND jsonb_typeof(x -> 'frameIndex') = 'number')`;
/** Tracks last seen before $2 that no event that stays has as an actor. */
const EXPIRED_TRACK = `run_id = $1 AND last_ms < $2 AND track_id NOT IN (
  SELECT a ->> 'trackId' FROM events e, jsonb_array_elements(e.actors_json::jsonb) a WHERE ${REMAINING} AND a ->> 'trackId' IS NOT NULL)`;

const EVENT_FILE_COLUMNS = 'id, snapshot_path, thumbnails_json, clip_frames_json';

/**
 * Retention over the analysis tables, shared by every Vigil process of the database. Deleting an
 * event row is all it takes to keep search and the job queue consistent: its search document is
 * a column of the row, triggers remove its labels, update facet counts and delete its jobs
 * (describe, embed, Frigate), and foreign keys cascade to its vector and description.
 *
 * Where SQLite took the database's write lock (BEGIN IMMEDIATE), a batch here locks its run's row
 * (FOR UPDATE) first. That lock conflicts with the key-share lock every insert of a frame, track
 * or event of the run takes on the row, and with any update of it (progress, status): a commit of
 * the analysis writing that run waits for the batch, or the batch for it, and never sees half of
 * the other. Each call is one short transaction; those that only touch the database are retried
 * after a deadlock.
 */
export class PgRetentionStore implements RetentionStore {
  constructor(protected readonly db: SqlClient) {}

  async listRuns(): Promise<RetentionRun[]> {
    // Frames are read by frame index (the primary key): their timestamps grow with it. `->>`
    // gives NULL for a JSON null as SQLite's json_extract does.
    const { rows } = await this.db.query(`
      SELECT r.id, r.camera_id, r.status, r.started_at, s.kind AS source_kind,
        (r.settings_json::jsonb ->> 'session') IS NOT NULL AS live_session,
        (SELECT ts_ms FROM frames f WHERE f.run_id = r.id ORDER BY f.frame_index ASC LIMIT 1) AS first_frame_ms,
        (SELECT ts_ms FROM frames f WHERE f.run_id = r.id ORDER BY f.frame_index DESC LIMIT 1) AS last_frame_ms,
        (SELECT MIN(end_ms) FROM events e WHERE e.run_id = r.id) AS first_event_ms,
        (SELECT MAX(end_ms) FROM events e WHERE e.run_id = r.id) AS last_event_ms
      FROM analysis_runs r JOIN sources s ON s.id = r.source_id
      ORDER BY r.id`);
    return rows.map(toRetentionRun);
  }

  async references(runId: number): Promise<MediaReference[]> {
    // One snapshot for both lists: a commit between them could otherwise show an event without its frames.
    return this.db.transaction(
      async (tx) => {
        const frames = await tx.query('SELECT image_path, ts_ms FROM frames WHERE run_id = $1 AND image_path IS NOT NULL', [runId]);
        const events = await tx.query(
          `SELECT e.id, e.snapshot_path, e.thumbnails_json, e.clip_frames_json, e.status, e.end_ms, r.status = 'running' AS running
           FROM events e JOIN analysis_runs r ON r.id = e.run_id WHERE e.run_id = $1`,
          [runId],
        );
        // A live session can hold hundreds of thousands of kept frames: checked by hand (a schema
        // per row cost ~1.3 µs each, a blocked event loop for big runs).
        const refs: MediaReference[] = [];
        for (const row of frames.rows) {
          const { image_path: path, ts_ms: time } = row;
          if (typeof path !== 'string' || typeof time !== 'number') throw new Error(`unexpected frame row in run ${runId}: ${JSON.stringify(row)}`);
          refs.push({ path, timeMs: time, pinned: false });
        }
        for (const row of events.rows) {
          const { status, end_ms: endMs, running } = z.object({ status: z.enum(['open', 'closed']), end_ms: z.number(), running: z.boolean() }).parse(row);
          const pinned = running && status === 'open';
          for (const path of eventFiles(row).files) refs.push({ path, timeMs: endMs, pinned });
        }
        return refs;
      },
      { isolation: 'repeatable read' },
    );
  }

  async countBefore(runId: number, beforeMs: number): Promise<PrunedBatch> {
    // Counted in one snapshot, so the numbers agree with each other as a batch's would.
    return this.db.transaction(
      async (tx): Promise<PrunedBatch> => {
        const status = await this.status(tx, runId);
        if (status === undefined) return { events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true };
        const params = [runId, beforeMs, status !== 'running'];
        const events = (await tx.query(`SELECT ${EVENT_FILE_COLUMNS} FROM events WHERE ${EXPIRED_EVENT}`, params)).rows.map(eventFiles);
        const { rows } = await tx.query(
          `WITH doomed AS (SELECT frame_index, image_path FROM frames WHERE ${EXPIRED_FRAME})
           SELECT (SELECT COUNT(*) FROM doomed) AS frames,
             (SELECT COUNT(*) FROM detections d WHERE d.run_id = $1 AND d.frame_index IN (SELECT frame_index FROM doomed)) AS detections,
             (SELECT COUNT(*) FROM tracks WHERE ${EXPIRED_TRACK}) AS tracks,
             ARRAY(SELECT image_path FROM doomed WHERE image_path IS NOT NULL ORDER BY frame_index) AS files`,
          params,
        );
        const counts = frameCountsSchema.parse(rows[0]);
        return {
          events: events.length,
          frames: counts.frames,
          detections: counts.detections,
          tracks: counts.tracks,
          files: [...events.flatMap((e) => e.files), ...counts.files],
          done: true,
        };
      },
      { isolation: 'repeatable read' },
    );
  }

  async pruneBefore(runId: number, beforeMs: number, limit: number): Promise<PrunedBatch> {
    return this.db.transaction(
      async (tx): Promise<PrunedBatch> => {
        const batch: PrunedBatch = { events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: false };
        const status = await this.status(tx, runId, { lock: true });
        if (status === undefined) return { ...batch, done: true };
        const params = [runId, beforeMs, status !== 'running'];

        // Events first, so that the frames the remaining ones need are known.
        const events = await tx.query(
          `DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE ${EXPIRED_EVENT} LIMIT $4) RETURNING ${EVENT_FILE_COLUMNS}`,
          [...params, limit],
        );
        for (const row of events.rows) batch.files.push(...eventFiles(row).files);
        batch.events = events.rowCount;
        if (events.rowCount === limit) return batch;

        // One statement: the frames of the batch, their detections, and the files they pointed to.
        const { rows } = await tx.query(
          `WITH doomed AS (SELECT frame_index FROM frames WHERE ${EXPIRED_FRAME} ORDER BY frame_index LIMIT $4),
           gone_detections AS (
             DELETE FROM detections d USING doomed WHERE d.run_id = $1 AND d.frame_index = doomed.frame_index RETURNING 1),
           gone_frames AS (
             DELETE FROM frames f USING doomed WHERE f.run_id = $1 AND f.frame_index = doomed.frame_index RETURNING f.frame_index, f.image_path)
           SELECT (SELECT COUNT(*) FROM gone_frames) AS frames, (SELECT COUNT(*) FROM gone_detections) AS detections,
             ARRAY(SELECT image_path FROM gone_frames WHERE image_path IS NOT NULL ORDER BY frame_index) AS files`,
          [...params, limit],
        );
        const frames = frameBatchSchema.parse(rows[0]);
        batch.frames = frames.frames;
        batch.detections = frames.detections;
        batch.files.push(...frames.files);
        if (frames.frames === limit) return batch;

        const tracks = await tx.query(
          `DELETE FROM tracks WHERE run_id = $1 AND track_id IN (SELECT track_id FROM tracks WHERE ${EXPIRED_TRACK} LIMIT $4)`,
          [...params, limit],
        );
        batch.tracks = tracks.rowCount;
        batch.done = tracks.rowCount < limit;
        return batch;
      },
      { retries: 3 },
    );
  }

  async endedAndEmpty(runId: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `SELECT status <> 'running' AND NOT (EXISTS (SELECT 1 FROM events WHERE run_id = $1) OR EXISTS (SELECT 1 FROM frames WHERE run_id = $1)
         OR EXISTS (SELECT 1 FROM tracks WHERE run_id = $1)) AS empty
       FROM analysis_runs WHERE id = $1`,
      [runId],
    );
    return rows.length === 1 && z.object({ empty: z.boolean() }).parse(rows[0]).empty;
  }

  async retire(runId: number): Promise<boolean> {
    // A new key no analysis asks for: the run can no longer be found to be resumed.
    const { rowCount } = await this.db.query(`UPDATE analysis_runs SET settings_key = 'retired:' || id WHERE id = $1 AND status <> 'running'`, [runId]);
    return rowCount === 1;
  }

  async deleteRunIfEnded(runId: number): Promise<boolean> {
    return this.db.transaction(
      async (tx) => {
        const { rows } = await tx.query('SELECT status, source_id FROM analysis_runs WHERE id = $1 FOR UPDATE', [runId]);
        if (rows.length === 0) return false;
        const run = z.object({ status: z.string(), source_id: z.number() }).parse(rows[0]);
        if (run.status === 'running') return false;
        // Frames, detections, tracks and events go with it (ON DELETE CASCADE, and the events' triggers).
        await tx.query('DELETE FROM analysis_runs WHERE id = $1', [runId]);
        // The source only when no run uses it. Locked first: a run another process is inserting for
        // it holds a key-share lock on it, so this waits for that insert to commit and then sees its
        // run (instead of deleting the source and, by cascade, the new run).
        await tx.query('SELECT 1 FROM sources WHERE id = $1 FOR UPDATE', [run.source_id]);
        await tx.query('DELETE FROM sources WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM analysis_runs WHERE source_id = $1)', [run.source_id]);
        return true;
      },
      { retries: 3 },
    );
  }

  /** The run's status, or undefined when it does not exist; `lock` holds its row until the transaction ends. */
  private async status(tx: SqlClient, runId: number, options: { lock?: boolean } = {}): Promise<string | undefined> {
    const { rows } = await tx.query(`SELECT status FROM analysis_runs WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [runId]);
    return rows.length === 0 ? undefined : statusRowSchema.parse(rows[0]).status;
  }
}
