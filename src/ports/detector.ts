import type { Detection } from '../domain/detection.ts';

export interface DetectorImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Finds objects in frames. Implementations may work on several frames at once. */
export interface Detector {
  /** Identifies the model, so results from different models are never mixed. */
  readonly id: string;
  /** How many `detect` calls can usefully be in flight at once. */
  readonly concurrency: number;
  /** Detections in frame pixels, already filtered by the detector's score/area thresholds and NMS. */
  detect(image: DetectorImage): Promise<Detection[]>;
  close(): Promise<void>;
}
