import type { Detection } from '../detection.ts';
import type { Box } from '../geometry.ts';

/**
 * Tracks never mix families: a person is never continued by a car's detection. Labels inside a
 * family may flicker (CenterNet often calls one van "car" then "truck"); the track keeps the
 * label seen most often.
 */
export type ClassFamily = 'person' | 'vehicle' | 'animal' | 'bag' | 'other';

/** One frame's worth of input for the tracker: every candidate, confident or not. */
export interface TrackerInput {
  frameIndex: number;
  timestampMs: number;
  detections: readonly Detection[];
}

export interface TrackedObject {
  /** Stable per tracker: family prefix and a counter, e.g. `p12`, `v3`. */
  trackId: string;
  label: string;
  family: ClassFamily;
  /** The matched detection's box this frame (not the filter's estimate). */
  box: Box;
  score: number;
  /** Index of the matched detection in `TrackerInput.detections`. */
  detectionIndex: number;
  /** Frames (tracker updates) with a matched detection since the track started. */
  hits: number;
  firstSeenMs: number;
  firstFrameIndex: number;
}

export interface FinishedTrack {
  trackId: string;
  label: string;
  family: ClassFamily;
  lastSeenMs: number;
  lastFrameIndex: number;
  lastBox: Box;
}

export interface TrackerOutput {
  frameIndex: number;
  timestampMs: number;
  /** Confirmed tracks matched to a detection in this frame. */
  tracked: TrackedObject[];
  /** Confirmed tracks not matched this frame but still kept (occluded, missed); ids only. */
  lost: string[];
  /** Tracks given up this frame (lost for longer than the buffer). */
  finished: FinishedTrack[];
}
