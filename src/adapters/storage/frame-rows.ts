import { z } from 'zod';
import type { StoredFrame } from '../../ports/analysis-store.ts';
import { storedFlag } from './row-values.ts';


/** The `frames` and `detections` rows, the same columns on both backends, read back. */
const frameRowSchema = z.object({
  frame_index: z.number(),
  ts_ms: z.number(),
  pts_s: z.number(),
  detected: storedFlag,
  changed_fraction: z.number(),
  image_path: z.string().nullable(),
});

const detectionRowSchema = z.object({
  frame_index: z.number(),
  label: z.string(),
  score: z.number(),
  x1: z.number(),
  y1: z.number(),
  x2: z.number(),
  y2: z.number(),
  track_id: z.string().nullable(),
  confident: storedFlag,
});

/** Frames (in order) with their detections (in the order stored), from the rows of both tables. */
export function toStoredFrames(frameRows: readonly unknown[], detectionRows: readonly unknown[]): StoredFrame[] {
  const byFrame = new Map<number, StoredFrame['detections'][number][]>();
  for (const d of z.array(detectionRowSchema).parse(detectionRows)) {
    const list = byFrame.get(d.frame_index) ?? [];
    list.push({
      label: d.label,
      score: d.score,
      box: { x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2 },
      ...(d.track_id !== null ? { trackId: d.track_id } : {}),
      confident: d.confident,
    });
    byFrame.set(d.frame_index, list);
  }
  return z
    .array(frameRowSchema)
    .parse(frameRows)
    .map((f) => ({
      index: f.frame_index,
      timestampMs: f.ts_ms,
      ptsSeconds: f.pts_s,
      detected: f.detected,
      changedFraction: f.changed_fraction,
      detections: byFrame.get(f.frame_index) ?? [],
      ...(f.image_path !== null ? { imagePath: f.image_path } : {}),
    }));
}
