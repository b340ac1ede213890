import { ByteTracker, DEFAULT_BYTE_TRACKER_OPTIONS } from '../domain/tracking/byte-tracker.ts';
import type { CameraAnalysisSettings } from './analyze-video.service.ts';

/** The tracker a camera's analysis runs, from its settings and the rate its frames are sampled at. */
export function cameraTracker(camera: Pick<CameraAnalysisSettings, 'confidence' | 'tracker'>, sampleFps: number): ByteTracker {
  return new ByteTracker({
    ...DEFAULT_BYTE_TRACKER_OPTIONS,
    highScoreFor: (label) => camera.confidence.perLabel[label]?.minScore ?? camera.confidence.defaults.minScore,
    lowScore: camera.tracker.lowScore,
    matchIou: camera.tracker.matchIou,
    // The tracker counts its own updates; a lost track is kept for about lostSeconds of frames.
    lostFrames: Math.max(1, Math.ceil(camera.tracker.lostSeconds * sampleFps)),
    minHits: camera.tracker.minHits,
  });
}
