import type { RunStatus } from './analysis-store.ts';

/** An analysis run as retention sees it: whose it is, what state it is in, and how old its contents are. */
export interface RetentionRun {
  runId: number;
  cameraId: string;
  status: RunStatus;
  /** Wall-clock time the analysis (or live session) started. */
  startedAt: number;
  /**
   * An unfinished analysis of a file (not live, not complete): resuming it replays its stored
   * frames from the first one, so it must be kept whole or deleted whole, never trimmed.
   */
  resumable: boolean;
  /** Source time of the oldest frame or event end in the run; undefined when it holds neither. */
  oldestMs?: number;
  /** Source time of the newest frame or event end in the run; undefined when it holds neither. */
  newestMs?: number;
}

/** A file a stored row points to, with the source time of that row. */
export interface MediaReference {
  /** Relative to the data directory. */
  path: string;
  /** Frame time for a frame image, end time for an event's images. */
  timeMs: number;
  /** Belongs to an open event of a running run: never deleted. */
  pinned: boolean;
}

export interface PruneCounts {
  events: number;
  frames: number;
  detections: number;
  tracks: number;
}

/** One batch of deleted rows, and the files they pointed to (relative to the data directory). */
export interface PrunedBatch extends PruneCounts {
  files: string[];
  /** Nothing more to delete in the run before this time. */
  done: boolean;
}

/**
 * Deleting stored data by age. `pruneBefore` removes, in one short transaction, up to `limit`
 * rows of a run older than `beforeMs` (source time):
 * - closed events ending before it (open ones too once the run has ended: nothing can close them
 *   any more), with their search entries, labels, facet counts, vectors, description and
 *   embedding jobs and Frigate jobs;
 * - frames (with their detections) stamped before it, except those an event that remains shows
 *   (its snapshot frame and the frames of its evidence): an event never loses a frame it points to;
 * - tracks last seen before it, except those of the actors of events that remain.
 * Callers repeat it until `done`, then delete the files it returned.
 */
export interface RetentionStore {
  listRuns(): Promise<RetentionRun[]>;
  /** Every file the rows of a run point to. */
  references(runId: number): Promise<MediaReference[]>;
  /** What `pruneBefore` would delete, without deleting (dry runs). */
  countBefore(runId: number, beforeMs: number): Promise<PrunedBatch>;
  pruneBefore(runId: number, beforeMs: number, limit: number): Promise<PrunedBatch>;
  /**
   * Makes an ended run unreachable for a resume (`vigil analyze` finds runs by their settings), so
   * that deleting it whole cannot race with an analysis that carries on in it. False when the run
   * is gone or running again: then it must not be deleted.
   */
  retire(runId: number): Promise<boolean>;
  /** Whether the run exists, has ended (not `running`), and holds no events, frames or tracks any more. */
  endedAndEmpty(runId: number): Promise<boolean>;
  /**
   * Deletes the run row (and its source when no other run uses it), with whatever rows are left
   * in it, unless it is running. Returns whether it was deleted.
   */
  deleteRunIfEnded(runId: number): Promise<boolean>;
}
