import type { Detection } from './detection.ts';
import { VigilError } from './errors.ts';

/** A raw output tensor as inference runtimes hand it back: row-major data plus its shape. */
export interface YoloOutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * Which way round a YOLOv8/YOLO11 head is exported: Ultralytics writes `[1, 4 + C, N]`
 * ("channels-first"), some converters and post-processed exports write `[1, N, 4 + C]`.
 */
export type YoloOutputLayout = 'channels-first' | 'anchors-first';

export interface YoloOutputShape {
  layout: YoloOutputLayout;
  anchors: number;
  classes: number;
}

function formatShape(dims: readonly (number | string)[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * Work out the layout from the shape and the number of labels. When both dimensions match
 * (N === 4 + C, only in toy models) the Ultralytics layout wins. Symbolic dimensions (strings,
 * as ONNX metadata reports them) never match, so a static check can run before inference.
 */
export function yoloOutputShape(dims: readonly (number | string)[], classCount: number): YoloOutputShape {
  const rows = 4 + classCount;
  if (dims.length === 3 && dims[0] === 1) {
    const [, a, b] = dims;
    if (a === rows && typeof b === 'number') return { layout: 'channels-first', anchors: b, classes: classCount };
    if (b === rows && typeof a === 'number') return { layout: 'anchors-first', anchors: a, classes: classCount };
  }
  throw new VigilError(
    'model_invalid',
    `YOLO output has shape ${formatShape(dims)}, but with ${classCount} labels it must be ` +
      `[1, ${rows}, N] or [1, N, ${rows}] (4 box values + one score per label); ` +
      'check that the labels file belongs to this model.',
  );
}

/**
 * The highest-scoring class of every anchor (the first one on ties; -1 if every score is NaN).
 * It walks the data in memory order in both layouts: class by class across all anchors for
 * `[1, 4 + C, N]`, anchor by anchor for `[1, N, 4 + C]`, which keeps 8400 x 80 heads fast.
 */
function bestClasses(
  data: Float32Array,
  { layout, anchors, classes }: YoloOutputShape,
): { bestClass: Int32Array; bestScore: Float32Array } {
  const bestClass = new Int32Array(anchors).fill(-1);
  const bestScore = new Float32Array(anchors).fill(Number.NEGATIVE_INFINITY);
  if (layout === 'anchors-first') {
    for (let a = 0; a < anchors; a++) {
      const base = a * (4 + classes) + 4;
      for (let c = 0; c < classes; c++) {
        const s = data[base + c] as number;
        if (s > (bestScore[a] as number)) {
          bestScore[a] = s;
          bestClass[a] = c;
        }
      }
    }
  } else {
    for (let c = 0; c < classes; c++) {
      const row = (4 + c) * anchors;
      for (let a = 0; a < anchors; a++) {
        const s = data[row + a] as number;
        if (s > (bestScore[a] as number)) {
          bestScore[a] = s;
          bestClass[a] = c;
        }
      }
    }
  }
  return { bestClass, bestScore };
}

/**
 * Decode a YOLOv8/YOLO11 detection head into candidates in model-input pixels. Rows 0-3 are
 * cx, cy, w, h; the rest are per-class scores that already went through a sigmoid (there is no
 * objectness). Each anchor yields at most one candidate, for its best class, and only when that
 * score reaches `minScore`. No NMS here: that is the caller's choice.
 */
export function decodeYoloOutput(output: YoloOutputTensor, labels: readonly string[], minScore: number): Detection[] {
  const shape = yoloOutputShape(output.dims, labels.length);
  const { layout, anchors, classes } = shape;
  const rows = 4 + classes;
  const { data } = output;
  if (data.length !== rows * anchors) {
    throw new VigilError(
      'model_invalid',
      `YOLO output has shape ${formatShape(output.dims)} but holds ${data.length} values instead of ${rows * anchors}.`,
    );
  }

  // value(row, anchor) = data[row * rowStride + anchor * anchorStride], whichever the layout.
  const rowStride = layout === 'channels-first' ? anchors : 1;
  const anchorStride = layout === 'channels-first' ? 1 : rows;
  const { bestClass, bestScore } = bestClasses(data, shape);

  const detections: Detection[] = [];
  for (let a = 0; a < anchors; a++) {
    const score = bestScore[a] as number;
    const c = bestClass[a] as number;
    // `!(>=)` also drops anchors whose scores were all NaN.
    if (c < 0 || !(score >= minScore)) continue;
    const base = a * anchorStride;
    const cx = data[base] as number;
    const cy = data[base + rowStride] as number;
    const w = data[base + 2 * rowStride] as number;
    const h = data[base + 3 * rowStride] as number;
    detections.push({
      label: labels[c] || `class_${c}`,
      score,
      box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 },
    });
  }
  return detections;
}
