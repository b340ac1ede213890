import type { StoredFrame, TrackSummary } from '../../../ports/analysis-store.ts';
import { toStoredFrames } from '../frame-rows.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Frames, detections and tracks of a batch, written in one statement (unnest of column arrays),
 * and read back for a resume. Commits are the hot path: every second or so per camera.
 */

/** The tracks' upsert as a CTE, its 8 column arrays bound from `$first` on (the run id is $1). */
function tracksCte(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `
  track_rows AS (
    INSERT INTO tracks (run_id, track_id, label, family, first_ms, last_ms, first_frame, last_frame, hits)
    SELECT $1, * FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::bigint[], ${p(4)}::bigint[],
      ${p(5)}::bigint[], ${p(6)}::bigint[], ${p(7)}::bigint[])
    ON CONFLICT (run_id, track_id) DO UPDATE SET label = excluded.label, last_ms = excluded.last_ms,
      last_frame = excluded.last_frame, hits = excluded.hits
    RETURNING 1)`;
}

/**
 * The batch and the run's progress in one statement, returning the run. Detections are
 * inserted in batch order (ORDER BY ord), so their ids keep the order a resume replays them in.
 */
const COMMIT_FRAMES = `
  WITH frame_rows AS (
    INSERT INTO frames (run_id, frame_index, ts_ms, pts_s, detected, changed_fraction, image_path)
    SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::float8[], $5::boolean[], $6::float8[], $7::text[])
    RETURNING 1),
  detection_rows AS (
    INSERT INTO detections (run_id, frame_index, label, score, x1, y1, x2, y2, track_id, confident)
    SELECT $1, frame_index, label, score, x1, y1, x2, y2, track_id, confident
    FROM unnest($8::bigint[], $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::text[], $16::boolean[])
      WITH ORDINALITY AS d(frame_index, label, score, x1, y1, x2, y2, track_id, confident, ord)
    ORDER BY ord
    RETURNING 1),
  ${tracksCte(17)}
  UPDATE analysis_runs SET last_frame_index = $25, frames_decoded = frames_decoded + $26,
    frames_detected = frames_detected + $27, frames_skipped = frames_skipped + $28,
    detections = detections + $29, heartbeat_at = $30
  WHERE id = $1
  RETURNING *`;

/** Tracks alone (a batch without frames). */
const UPSERT_TRACKS = `WITH ${tracksCte(2)} SELECT 1`;

/** The tracks as column arrays; the same track twice in a batch is written once, as last given. */
function trackColumns(tracks: readonly TrackSummary[]): unknown[][] {
  const byId = new Map<string, TrackSummary>();
  for (const t of tracks) byId.set(t.trackId, t);
  const columns: unknown[][] = Array.from({ length: 8 }, () => []);
  for (const t of byId.values()) {
    [t.trackId, t.label, t.family, t.firstMs, t.lastMs, t.firstFrame, t.lastFrame, t.hits].forEach((v, i) => columns[i]?.push(v));
  }
  return columns;
}

/**
 * Writes a non-empty batch of frames (with its tracks) and advances the run, in `tx`; returns
 * the run's row as updated (locked by this transaction until it ends).
 */
export async function insertFrames(tx: SqlClient, runId: number, frames: readonly StoredFrame[], tracks: readonly TrackSummary[], now: number): Promise<unknown> {
  const f: unknown[][] = Array.from({ length: 6 }, () => []);
  const d: unknown[][] = Array.from({ length: 9 }, () => []);
  let detections = 0;
  let detected = 0;
  for (const frame of frames) {
    [frame.index, frame.timestampMs, frame.ptsSeconds, frame.detected, frame.changedFraction, frame.imagePath ?? null].forEach((v, i) => f[i]?.push(v));
    if (frame.detected) detected++;
    for (const det of frame.detections) {
      const { box } = det;
      [frame.index, det.label, det.score, box.x1, box.y1, box.x2, box.y2, det.trackId ?? null, det.confident].forEach((v, i) => d[i]?.push(v));
      // What users call detections: confident ones, and low-score ones that continued a track.
      if (det.confident || det.trackId !== undefined) detections++;
    }
  }
  const last = frames.at(-1);
  if (last === undefined) throw new Error('insertFrames needs at least one frame');
  const { rows } = await tx.query(COMMIT_FRAMES, [
    runId, ...f, ...d, ...trackColumns(tracks),
    last.index, frames.length, detected, frames.length - detected, detections, now,
  ]);
  return rows[0];
}

export async function upsertTracks(tx: SqlClient, runId: number, tracks: readonly TrackSummary[]): Promise<void> {
  if (tracks.length === 0) return;
  await tx.query(UPSERT_TRACKS, [runId, ...trackColumns(tracks)]);
}


/** Committed frames of a run up to `lastFrameIndex`, in order, with their detections in the order stored. */
export async function readFrames(db: SqlClient, runId: number, lastFrameIndex: number): Promise<StoredFrame[]> {
  const [frameRows, detectionRows] = await Promise.all([
    db.query('SELECT frame_index, ts_ms, pts_s, detected, changed_fraction, image_path FROM frames WHERE run_id = $1 AND frame_index <= $2 ORDER BY frame_index', [runId, lastFrameIndex]),
    db.query('SELECT frame_index, label, score, x1, y1, x2, y2, track_id, confident FROM detections WHERE run_id = $1 AND frame_index <= $2 ORDER BY frame_index, id', [
      runId,
      lastFrameIndex,
    ]),
  ]);
  return toStoredFrames(frameRows.rows, detectionRows.rows);
}
