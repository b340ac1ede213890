import type { Box } from '../domain/geometry.ts';
import type { Point } from '../domain/rules/polygon.ts';
import type { DetectorImage } from './detector.ts';

export interface SnapshotOverlay {
  boxes: ReadonlyArray<{ box: Box; caption: string }>;
  /** The rule's geometry: a closed polygon (zone) or an open line (tripwire). */
  polygon?: readonly Point[];
  line?: readonly [Point, Point];
}

/** Evidence images of events: a snapshot with boxes and the rule drawn, and a thumbnail per actor. */
export interface EventMedia {
  /** Deterministic paths (relative to the data directory), so a resumed run finds what it wrote before. */
  snapshotPath(runId: number, eventId: string): string;
  thumbnailPath(runId: number, eventId: string, trackId: string): string;
  writeSnapshot(path: string, image: DetectorImage, overlay: SnapshotOverlay): Promise<void>;
  writeThumbnail(path: string, image: DetectorImage, box: Box): Promise<void>;
}
