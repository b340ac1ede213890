import type { Detection } from '../domain/detection.ts';
import type { VigilEvent } from '../domain/events/event-types.ts';
import type { ClassFamily } from '../domain/tracking/tracking-types.ts';
import type { VideoInfo } from './video-input.ts';

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed';

export interface RunCounts {
  framesDecoded: number;
  framesDetected: number;
  framesSkipped: number;
  detections: number;
}

export interface RunRecord {
  id: number;
  sourceId: number;
  cameraId: string;
  /** Hash of every setting that changes results; same key + same source = same run. */
  settingsKey: string;
  status: RunStatus;
  /** Highest frame index whose results are committed; -1 before the first commit. */
  lastFrameIndex: number;
  counts: RunCounts;
  startTimeMs: number;
  startedAt: number;
  finishedAt?: number;
  error?: string;
  /** The settings the run was made with, as stored (JSON), for the service to read back. */
  settings?: unknown;
  /** Set when the input ended before its header said it would: what was missing. */
  inputIncomplete?: string;
}

/** The process writing a run: another process must not write into it while it lives. */
export interface RunOwner {
  host: string;
  pid: number;
}

/**
 * What claiming a run for analysis found, decided in one transaction so that two processes
 * starting at once cannot both take (or both create) the same run.
 */
export type RunClaim =
  | { kind: 'created'; run: RunRecord }
  | { kind: 'complete'; run: RunRecord }
  /** An unfinished run (interrupted, failed, or whose process died), reopened for this process. */
  | { kind: 'reopened'; run: RunRecord }
  /** A live process is writing this run right now; nothing was changed. */
  | { kind: 'busy'; run: RunRecord; owner?: RunOwner; heartbeatAgeMs: number };

export interface StoredDetection extends Detection {
  /** The track this detection was matched to, when it was. */
  trackId?: string;
  /**
   * Whether it passed its label's score threshold. Low-score candidates are stored too, because
   * the tracker uses them to bridge occlusions and a resumed run must replay exactly its input.
   */
  confident: boolean;
}

export interface TrackSummary {
  trackId: string;
  label: string;
  family: ClassFamily;
  firstMs: number;
  lastMs: number;
  firstFrame: number;
  lastFrame: number;
  hits: number;
}

/** An event as stored: the domain event plus where its images were written. */
export interface StoredEvent {
  runId: number;
  event: VigilEvent;
  /** Paths relative to the data directory. */
  snapshotPath?: string;
  thumbnails: Record<string, string>;
  /** Frames taken from the event's video clip (Frigate's clip.mp4), in time order; paths relative to the data directory. */
  clipFrames?: string[];
}

/**
 * The lease a live camera's analysis holds (ports/worker-registry.ts): its writes are stored only
 * while the camera's lease still has this holder and generation, checked in the write's own
 * transaction, so a worker whose camera was taken over (paused, cut off) cannot write after it.
 */
export interface WriteFence {
  cameraId: string;
  holder: string;
  generation: number;
}

/** Everything derived from a batch of frames, stored in the same transaction as the frames. */
export interface FrameBatchExtras {
  tracks?: readonly TrackSummary[];
  events?: readonly StoredEvent[];
  /** Refuse the batch (VigilError `busy`) unless this lease is still current. */
  fence?: WriteFence;
}

export interface StoredFrame {
  index: number;
  timestampMs: number;
  ptsSeconds: number;
  /** Whether the detector ran on this frame (false: skipped by the motion gate). */
  detected: boolean;
  changedFraction: number;
  detections: readonly StoredDetection[];
  /** Path of the kept JPEG relative to the data directory, when one was kept. */
  imagePath?: string;
}

export interface NewRun {
  sourceId: number;
  cameraId: string;
  settingsKey: string;
  settings: unknown;
  startTimeMs: number;
  startTimeSource: string;
  startedAt: number;
}

/** Persistence of analysis runs, their sampled frames and detections. */
export interface AnalysisStore {
  upsertSource(info: VideoInfo, cameraId: string): Promise<number>;
  findRun(sourceId: number, cameraId: string, settingsKey: string): Promise<RunRecord | undefined>;
  /**
   * Finds the run of these settings (also under `legacyKeys`, keys an older Vigil computed for
   * the same settings, re-keying it) and takes it for this process: creates it, reopens it when
   * unfinished and no live process owns it, or reports it complete or busy.
   */
  claimRun(run: NewRun, options?: { legacyKeys?: readonly string[] }): Promise<RunClaim>;
  /** Tells other processes this process is still writing the run (commits do too). */
  heartbeat(runId: number): Promise<void>;
  /** Records that the run's input ended early (the run is still complete: all that was readable). */
  markInputIncomplete(runId: number, message: string): Promise<RunRecord>;
  /** Stores the settings a run is now presented with (names changed; the results did not). */
  updateRunSettings(runId: number, settings: unknown): Promise<void>;
  /** Rewrites stored events (their texts changed) and their search entries, in one transaction. */
  rewriteEvents(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Gives each new event the model-written description (and its finished job) of the old event
   * it matches, where the new one has none yet: paid calls are not thrown away with a replaced
   * run. Returns how many descriptions were carried over.
   */
  carryOverDescriptions(pairs: ReadonlyArray<{ from: string; to: string }>): Promise<number>;
  createRun(run: NewRun): Promise<RunRecord>;
  /** Marks a run as running again, dropping anything past its last committed frame. */
  reopenRun(runId: number, startedAt: number): Promise<RunRecord>;
  /** Atomically stores a batch of frames (with the tracks and events they changed) and advances the run's progress. */
  commitFrames(runId: number, frames: readonly StoredFrame[], extras?: FrameBatchExtras): Promise<RunRecord>;
  /** Committed frames of a run up to `lastFrameIndex`, in order, to replay the tracker on resume. */
  readFrames(runId: number, lastFrameIndex: number): Promise<StoredFrame[]>;
  /** Other runs of the same source and camera (superseded by a newer analysis). */
  otherRuns(sourceId: number, cameraId: string, keepRunId: number): Promise<number[]>;
  finishRun(runId: number, status: Exclude<RunStatus, 'running'>, finishedAt: number, error?: string): Promise<RunRecord>;
  /** Removes a run with all its frames and detections. */
  deleteRun(runId: number): Promise<void>;
  detectionCountsByLabel(runId: number): Promise<Record<string, number>>;
  countTracks(runId: number): Promise<number>;
  /**
   * Live sessions of these cameras still marked running whose writer is gone (it died without
   * stopping them: no heartbeat for the stale time, or its process no longer exists on this host).
   * Sessions another live process writes are left alone. Marks them interrupted; returns how many.
   */
  interruptAbandonedSessions(cameraIds: readonly string[], nowMs: number): Promise<number>;
  close(): Promise<void>;
}
