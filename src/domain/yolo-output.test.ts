import { describe, expect, it } from 'vitest';
import { VigilError } from './errors.ts';
import { decodeYoloOutput, yoloOutputShape } from './yolo-output.ts';

/** One anchor: box as cx, cy, w, h followed by one score per class. */
type Anchor = readonly number[];

/** `[1, 4 + C, N]`: row r of anchor a sits at r * N + a. */
function channelsFirst(anchors: readonly Anchor[]): { data: Float32Array; dims: number[] } {
  const rows = anchors[0]?.length ?? 0;
  const n = anchors.length;
  const data = new Float32Array(rows * n);
  anchors.forEach((anchor, a) => anchor.forEach((v, r) => (data[r * n + a] = v)));
  return { data, dims: [1, rows, n] };
}

/** `[1, N, 4 + C]`: anchors one after the other. */
function anchorsFirst(anchors: readonly Anchor[]): { data: Float32Array; dims: number[] } {
  const rows = anchors[0]?.length ?? 0;
  return { data: Float32Array.from(anchors.flat()), dims: [1, anchors.length, rows] };
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const labels = ['person', 'car', 'dog'];
const anchors: Anchor[] = [
  [50, 40, 20, 10, 0.25, 0.75, 0.5], // car wins
  [10, 10, 4, 6, 0.125, 0.0625, 0.25], // best is dog, below the minimum
  [32, 16, 8, 8, 0.5, 0.5, 0.375], // tie: the first class wins
];

describe('decodeYoloOutput', () => {
  it('decodes the Ultralytics [1, 4 + C, N] layout, one candidate per anchor for its best class', () => {
    expect(decodeYoloOutput(channelsFirst(anchors), labels, 0.3)).toEqual([
      { label: 'car', score: 0.75, box: { x1: 40, y1: 35, x2: 60, y2: 45 } },
      { label: 'person', score: 0.5, box: { x1: 28, y1: 12, x2: 36, y2: 20 } },
    ]);
  });

  it('decodes the transposed [1, N, 4 + C] layout to the same candidates', () => {
    expect(decodeYoloOutput(anchorsFirst(anchors), labels, 0.3)).toEqual(
      decodeYoloOutput(channelsFirst(anchors), labels, 0.3),
    );
  });

  it('keeps a score equal to the minimum and drops everything below it', () => {
    expect(decodeYoloOutput(channelsFirst(anchors), labels, 0.5).map((d) => d.score)).toEqual([0.75, 0.5]);
    expect(decodeYoloOutput(channelsFirst(anchors), labels, 0.25).map((d) => d.label)).toEqual([
      'car',
      'dog',
      'person',
    ]);
    expect(decodeYoloOutput(channelsFirst(anchors), labels, 0.9)).toEqual([]);
  });

  it('names classes without a label class_<i>', () => {
    const out = decodeYoloOutput(channelsFirst([[5, 5, 2, 2, 0, 0.875, 0]]), ['a', '', 'c'], 0.1);
    expect(out.map((d) => d.label)).toEqual(['class_1']);
  });

  it('ignores NaN scores', () => {
    const nan = Number.NaN;
    expect(decodeYoloOutput(channelsFirst([[5, 5, 2, 2, nan, nan, nan]]), labels, 0)).toEqual([]);
  });

  it('prefers the Ultralytics layout when N happens to equal 4 + C', () => {
    // 7 anchors of 7 rows: read as [1, 4 + C, N], anchor 0 is column 0.
    const square = Array.from({ length: 7 }, (_, a) => [a, a, 2, 2, a === 0 ? 0.75 : 0, 0, 0]);
    const out = decodeYoloOutput(channelsFirst(square), labels, 0.5);
    expect(out).toEqual([{ label: 'person', score: 0.75, box: { x1: -1, y1: -1, x2: 1, y2: 1 } }]);
  });

  it('rejects a shape that matches neither layout, naming it and the expected ones', () => {
    const bad = { data: new Float32Array(5 * 6), dims: [1, 5, 6] };
    const error = thrownBy(() => decodeYoloOutput(bad, labels, 0.1));
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('model_invalid');
    expect((error as VigilError).message).toMatch(/\[1, 5, 6\].*\[1, 7, N\] or \[1, N, 7\]/);
  });

  it('rejects a batch other than 1 and data that does not fill the shape', () => {
    expect(() => decodeYoloOutput({ data: new Float32Array(2 * 7 * 3), dims: [2, 7, 3] }, labels, 0)).toThrow(/\[2, 7, 3\]/);
    expect(() => decodeYoloOutput({ data: new Float32Array(10), dims: [1, 7, 3] }, labels, 0)).toThrow(
      /holds 10 values instead of 21/,
    );
  });
});

describe('yoloOutputShape', () => {
  it('reports layout, anchors and classes, and treats symbolic dimensions as unknown', () => {
    expect(yoloOutputShape([1, 84, 8400], 80)).toEqual({ layout: 'channels-first', anchors: 8400, classes: 80 });
    expect(yoloOutputShape([1, 8400, 84], 80)).toEqual({ layout: 'anchors-first', anchors: 8400, classes: 80 });
    expect(() => yoloOutputShape([1, 84, 'anchors'], 80)).toThrow(VigilError);
    expect(() => yoloOutputShape([1, 84], 80)).toThrow(/\[1, 84\]/);
  });
});
