import type { Detection } from '../domain/detection.ts';
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
}

export interface StoredFrame {
  index: number;
  timestampMs: number;
  ptsSeconds: number;
  /** Whether the detector ran on this frame (false: skipped by the motion gate). */
  detected: boolean;
  changedFraction: number;
  detections: readonly Detection[];
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
  upsertSource(info: VideoInfo, cameraId: string): number;
  findRun(sourceId: number, cameraId: string, settingsKey: string): RunRecord | undefined;
  createRun(run: NewRun): RunRecord;
  /** Marks a run as running again, dropping anything past its last committed frame. */
  reopenRun(runId: number, startedAt: number): RunRecord;
  /** Atomically stores a batch of frames and advances the run's progress. */
  commitFrames(runId: number, frames: readonly StoredFrame[]): RunRecord;
  finishRun(runId: number, status: Exclude<RunStatus, 'running'>, finishedAt: number, error?: string): RunRecord;
  /** Removes a run with all its frames and detections. */
  deleteRun(runId: number): void;
  detectionCountsByLabel(runId: number): Record<string, number>;
  close(): void;
}
