import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { MediaReference, PrunedBatch, RetentionRun, RetentionStore } from '../../../ports/retention-store.ts';
import { eventFiles, toRetentionRun } from '../retention-rows.ts';
import { SqliteAnalysisStore } from './sqlite-analysis-store.ts';

const frameRowSchema = z.object({ frame_index: z.number(), image_path: z.string().nullable() });

const countSchema = z.object({ n: z.number() });

/**
 * Events that expire at @before: ended before it, and closed, unless the run has ended (@ended),
 * after which an open event can never be closed. `start_ms < @before` follows from the rest; it
 * lets SQLite use the time indexes.
 */
const EXPIRED_EVENT = `run_id = @run AND start_ms < @before AND end_ms < @before AND (status = 'closed' OR @ended = 1)`;
/** The events of the run that stay (`e`), for the frames and tracks they show. */
const REMAINING = `e.run_id = @run AND NOT (e.start_ms < @before AND e.end_ms < @before AND (e.status = 'closed' OR @ended = 1))`;
/**
 * Frames that expire at @before: older, and not shown by an event that stays (its snapshot frame
 * or a frame of its evidence). Only those: an event open for days (a parked car) must not keep
 * every frame after its start. (NULLs are kept out of the lists: `NOT IN` a list with a NULL is never true.)
 */
const EXPIRED_FRAME = `run_id = @run AND ts_ms < @before AND frame_index NOT IN (
  SELECT e.snapshot_frame FROM events e WHERE ${REMAINING}
  UNION SELECT json_extract(x.value, '$.frameIndex') AS f FROM events e, json_each(e.evidence_json) x WHERE ${REMAINING} AND f IS NOT NULL)`;
/** Tracks last seen before @before that no event that stays has as an actor. */
const EXPIRED_TRACK = `run_id = @run AND last_ms < @before AND track_id NOT IN (
  SELECT json_extract(a.value, '$.trackId') AS t FROM events e, json_each(e.actors_json) a WHERE ${REMAINING} AND t IS NOT NULL)`;

/**
 * Retention over the analysis tables. Deleting an event row is all it takes to keep search and
 * the job queue consistent: triggers remove its full-text entry and labels, update facet counts,
 * leave a vector tombstone and delete its jobs (describe, embed, Frigate; migrations 3, 6, 8,
 * 13), and a foreign key cascades to its description. Every call is one short transaction.
 */
export class SqliteRetentionStore implements RetentionStore {
  private readonly statements;
  private readonly runs: SqliteAnalysisStore;

  constructor(private readonly db: Database.Database) {
    this.runs = new SqliteAnalysisStore(db);
    // Frames are read by frame index (the primary key): their timestamps grow with it.
    this.statements = {
      listRuns: db.prepare(`
        SELECT r.id, r.camera_id, r.status, r.started_at, s.kind AS source_kind,
          json_extract(r.settings_json, '$.session') IS NOT NULL AS live_session,
          (SELECT ts_ms FROM frames f WHERE f.run_id = r.id ORDER BY f.frame_index ASC LIMIT 1) AS first_frame_ms,
          (SELECT ts_ms FROM frames f WHERE f.run_id = r.id ORDER BY f.frame_index DESC LIMIT 1) AS last_frame_ms,
          (SELECT MIN(end_ms) FROM events e WHERE e.run_id = r.id) AS first_event_ms,
          (SELECT MAX(end_ms) FROM events e WHERE e.run_id = r.id) AS last_event_ms
        FROM analysis_runs r JOIN sources s ON s.id = r.source_id
        ORDER BY r.id`),
      runStatus: db.prepare('SELECT status FROM analysis_runs WHERE id = ?'),
      // A new key no analysis asks for: the run can no longer be found to be resumed.
      retire: db.prepare(`UPDATE analysis_runs SET settings_key = 'retired:' || id WHERE id = ? AND status != 'running'`),
      holdsRows: db.prepare(`
        SELECT EXISTS (SELECT 1 FROM events WHERE run_id = @run) OR EXISTS (SELECT 1 FROM frames WHERE run_id = @run)
          OR EXISTS (SELECT 1 FROM tracks WHERE run_id = @run) AS n`),
      frameFiles: db.prepare('SELECT image_path AS path, ts_ms AS time FROM frames WHERE run_id = ? AND image_path IS NOT NULL').raw(),
      eventFiles: db.prepare('SELECT id, status, end_ms, snapshot_path, thumbnails_json, clip_frames_json FROM events WHERE run_id = ?'),
      expiredEvents: db.prepare(`SELECT rowid, id, snapshot_path, thumbnails_json, clip_frames_json FROM events WHERE ${EXPIRED_EVENT} LIMIT @limit`),
      deleteEvent: db.prepare('DELETE FROM events WHERE rowid = ?'),
      expiredFrames: db.prepare(`SELECT frame_index, image_path FROM frames WHERE ${EXPIRED_FRAME} ORDER BY frame_index LIMIT @limit`),
      deleteDetections: db.prepare('DELETE FROM detections WHERE run_id = ? AND frame_index IN (SELECT value FROM json_each(?))'),
      deleteFrames: db.prepare('DELETE FROM frames WHERE run_id = ? AND frame_index IN (SELECT value FROM json_each(?))'),
      deleteTracks: db.prepare(`DELETE FROM tracks WHERE run_id = @run AND track_id IN (SELECT track_id FROM tracks WHERE ${EXPIRED_TRACK} LIMIT @limit)`),
      countEvents: db.prepare(`SELECT id, snapshot_path, thumbnails_json, clip_frames_json FROM events WHERE ${EXPIRED_EVENT}`),
      countFrames: db.prepare(`SELECT COUNT(*) AS n FROM frames WHERE ${EXPIRED_FRAME}`),
      countFrameFiles: db.prepare(`SELECT image_path AS path FROM frames WHERE ${EXPIRED_FRAME} AND image_path IS NOT NULL`),
      countDetections: db.prepare(`SELECT COUNT(*) AS n FROM detections WHERE run_id = @run AND frame_index IN (SELECT frame_index FROM frames WHERE ${EXPIRED_FRAME})`),
      countTracks: db.prepare(`SELECT COUNT(*) AS n FROM tracks WHERE ${EXPIRED_TRACK}`),
    };
  }

  async listRuns(): Promise<RetentionRun[]> {
    return this.statements.listRuns.all().map(toRetentionRun);
  }

  async references(runId: number): Promise<MediaReference[]> {
    const running = this.status(runId) === 'running';
    // A live session can hold hundreds of thousands of kept frames: read as plain arrays and
    // checked by hand (a schema per row cost ~1.3 µs each, a blocked event loop for big runs).
    const refs: MediaReference[] = [];
    for (const row of this.statements.frameFiles.iterate(runId) as Iterable<unknown[]>) {
      const [path, time] = row;
      if (typeof path !== 'string' || typeof time !== 'number') throw new Error(`unexpected frame row in run ${runId}: ${JSON.stringify(row)}`);
      refs.push({ path, timeMs: time, pinned: false });
    }
    for (const row of this.statements.eventFiles.all(runId)) {
      const { status, end_ms: endMs } = z.object({ status: z.enum(['open', 'closed']), end_ms: z.number() }).parse(row);
      const pinned = running && status === 'open';
      for (const path of eventFiles(row).files) refs.push({ path, timeMs: endMs, pinned });
    }
    return refs;
  }

  async countBefore(runId: number, beforeMs: number): Promise<PrunedBatch> {
    const status = this.status(runId);
    if (status === undefined) return { events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true };
    const params = { run: runId, before: beforeMs, ended: status === 'running' ? 0 : 1 };
    return this.db.transaction(() => {
      const events = this.statements.countEvents.all(params).map(eventFiles);
      return {
        events: events.length,
        frames: countSchema.parse(this.statements.countFrames.get(params)).n,
        detections: countSchema.parse(this.statements.countDetections.get(params)).n,
        tracks: countSchema.parse(this.statements.countTracks.get(params)).n,
        files: [
          ...events.flatMap((e) => e.files),
          ...z.array(z.object({ path: z.string() })).parse(this.statements.countFrameFiles.all(params)).map((f) => f.path),
        ],
        done: true,
      };
    })();
  }

  async pruneBefore(runId: number, beforeMs: number, limit: number): Promise<PrunedBatch> {
    return this.db.transaction((): PrunedBatch => {
      const batch: PrunedBatch = { events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: false };
      const status = this.status(runId);
      if (status === undefined) return { ...batch, done: true };
      const params = { run: runId, before: beforeMs, ended: status === 'running' ? 0 : 1 };

      // Events first, so that the frames the remaining ones need are known.
      const events = this.statements.expiredEvents.all({ ...params, limit });
      for (const row of events) {
        const { rowid } = z.object({ rowid: z.number() }).parse(row);
        const { files } = eventFiles(row);
        this.statements.deleteEvent.run(rowid);
        batch.files.push(...files);
      }
      batch.events = events.length;
      if (events.length === limit) return batch;

      const frames = z.array(frameRowSchema).parse(this.statements.expiredFrames.all({ ...params, limit }));
      if (frames.length) {
        const indexes = JSON.stringify(frames.map((f) => f.frame_index));
        batch.detections = this.statements.deleteDetections.run(runId, indexes).changes;
        batch.frames = this.statements.deleteFrames.run(runId, indexes).changes;
        for (const f of frames) if (f.image_path !== null) batch.files.push(f.image_path);
      }
      if (frames.length === limit) return batch;

      batch.tracks = this.statements.deleteTracks.run({ ...params, limit }).changes;
      batch.done = batch.tracks < limit;
      return batch;
    }).immediate();
  }

  async endedAndEmpty(runId: number): Promise<boolean> {
    const status = this.status(runId);
    return status !== undefined && status !== 'running' && countSchema.parse(this.statements.holdsRows.get({ run: runId })).n === 0;
  }

  async retire(runId: number): Promise<boolean> {
    return this.statements.retire.run(runId).changes === 1;
  }

  async deleteRunIfEnded(runId: number): Promise<boolean> {
    return this.db.transaction(() => {
      const status = this.status(runId);
      if (status === undefined || status === 'running') return false;
      // The same deletion as a superseded run's: the run, what is left in it, and its source when unused.
      this.runs.deleteRunNow(runId);
      return true;
    }).immediate();
  }

  private status(runId: number): string | undefined {
    const row = this.statements.runStatus.get(runId);
    return row === undefined ? undefined : z.object({ status: z.string() }).parse(row).status;
  }
}
