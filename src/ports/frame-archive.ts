import type { DetectorImage } from './detector.ts';

/** Keeps evidence frames as JPEG files under the data directory. */
export interface FrameArchive {
  /** Writes the frame; returns its path relative to the data directory, or undefined when the size cap is reached. */
  save(key: { runId: number; frameIndex: number }, image: DetectorImage): Promise<string | undefined>;
  /** Removes the kept frames of a run past `lastFrameIndex` (left by an interrupted run). */
  pruneAfter(runId: number, lastFrameIndex: number): Promise<void>;
  /** Deletes every file of a run: kept frames and event images. */
  removeRun(runId: number): Promise<void>;
}
