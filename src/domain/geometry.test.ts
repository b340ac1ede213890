import { describe, expect, it } from 'vitest';
import {
  boxArea,
  boxToFrame,
  clipBox,
  intersectionOverUnion,
  letterboxTransform,
  scaledFrameSize,
  stretchTransform,
  type Box,
  type InputTransform,
} from './geometry.ts';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

/** The forward mapping the detector adapters apply: frame pixels into model-input space. */
function boxToModel(b: Box, t: InputTransform): Box {
  return {
    x1: b.x1 * t.scaleX + t.padX,
    y1: b.y1 * t.scaleY + t.padY,
    x2: b.x2 * t.scaleX + t.padX,
    y2: b.y2 * t.scaleY + t.padY,
  };
}

describe('boxArea', () => {
  it('multiplies width by height', () => {
    expect(boxArea(box(10, 20, 40, 30))).toBe(300);
  });

  it('is 0 for an inverted or degenerate box', () => {
    expect(boxArea(box(10, 10, 5, 20))).toBe(0);
    expect(boxArea(box(10, 10, 20, 5))).toBe(0);
    expect(boxArea(box(3, 3, 3, 9))).toBe(0);
  });
});

describe('intersectionOverUnion', () => {
  it('is 0 for disjoint boxes', () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(20, 20, 30, 30))).toBe(0);
    // Overlapping on one axis only.
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(5, 20, 15, 30))).toBe(0);
  });

  it('is 1 for identical boxes', () => {
    expect(intersectionOverUnion(box(3, 4, 53, 104), box(3, 4, 53, 104))).toBe(1);
  });

  it('is intersection over union for a partial overlap', () => {
    // Intersection 5x10 = 50, union 100 + 100 - 50 = 150.
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
    // Intersection 5x5 = 25, union 175.
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(5, 5, 15, 15))).toBeCloseTo(25 / 175, 12);
  });

  it('is symmetric', () => {
    const a = box(0, 0, 10, 20);
    const b = box(4, 6, 30, 12);
    expect(intersectionOverUnion(a, b)).toBe(intersectionOverUnion(b, a));
  });

  it('is the area ratio when one box contains the other', () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(2, 2, 7, 7))).toBe(0.25);
  });

  it('is 0 for boxes that only touch along an edge or at a corner', () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(0, 10, 10, 20))).toBe(0);
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(10, 10, 20, 20))).toBe(0);
  });

  it('is 0 (not NaN) for two empty boxes', () => {
    expect(intersectionOverUnion(box(5, 5, 5, 5), box(5, 5, 5, 5))).toBe(0);
  });
});

describe('clipBox', () => {
  const size = { width: 640, height: 480 };

  it('leaves a box inside the frame unchanged', () => {
    expect(clipBox(box(10, 20, 300, 400), size)).toEqual(box(10, 20, 300, 400));
  });

  it('clamps negative coordinates to 0 and large ones to the frame size', () => {
    expect(clipBox(box(-15, -2, 700, 481), size)).toEqual(box(0, 0, 640, 480));
    expect(clipBox(box(600, 400, 650, 500), size)).toEqual(box(600, 400, 640, 480));
  });

  it('collapses a box entirely outside the frame onto its border', () => {
    expect(clipBox(box(700, 500, 800, 600), size)).toEqual(box(640, 480, 640, 480));
    expect(boxArea(clipBox(box(-50, -50, -10, -10), size))).toBe(0);
  });

  it('does not mutate its input', () => {
    const b = box(-1, -1, 1000, 1000);
    clipBox(b, size);
    expect(b).toEqual(box(-1, -1, 1000, 1000));
  });
});

describe('stretchTransform', () => {
  it('scales each axis independently with no padding', () => {
    expect(stretchTransform({ width: 1920, height: 1080 }, { width: 512, height: 512 })).toEqual({
      scaleX: 512 / 1920,
      scaleY: 512 / 1080,
      padX: 0,
      padY: 0,
    });
  });

  it('maps a frame box to model space and back to itself', () => {
    const frame = { width: 1280, height: 720 };
    const t = stretchTransform(frame, { width: 512, height: 512 });
    const original = box(100, 50, 740, 610);
    const model = boxToModel(original, t);
    expect(model).toEqual(box(40, 35.55555555555556, 296, 433.77777777777777));
    const back = boxToFrame(model, t, frame);
    expect(back.x1).toBeCloseTo(original.x1, 9);
    expect(back.y1).toBeCloseTo(original.y1, 9);
    expect(back.x2).toBeCloseTo(original.x2, 9);
    expect(back.y2).toBeCloseTo(original.y2, 9);
  });

  it('round-trips exactly when the scales are powers of two', () => {
    const frame = { width: 1024, height: 512 };
    const t = stretchTransform(frame, { width: 256, height: 256 });
    const original = box(12, 34, 1000, 500);
    expect(boxToFrame(boxToModel(original, t), t, frame)).toEqual(original);
  });
});

describe('letterboxTransform', () => {
  it('pads top and bottom evenly for a wide frame', () => {
    // 1280x720 into 640x640: scale 0.5, content 640x360, 140 px bars above and below.
    expect(letterboxTransform({ width: 1280, height: 720 }, { width: 640, height: 640 })).toEqual({
      scaleX: 0.5,
      scaleY: 0.5,
      padX: 0,
      padY: 140,
    });
  });

  it('pads left and right evenly for a tall frame', () => {
    expect(letterboxTransform({ width: 720, height: 1280 }, { width: 640, height: 640 })).toEqual({
      scaleX: 0.5,
      scaleY: 0.5,
      padX: 140,
      padY: 0,
    });
  });

  it('has no padding when the aspect ratios match, and may upscale', () => {
    expect(letterboxTransform({ width: 320, height: 320 }, { width: 640, height: 640 })).toEqual({
      scaleX: 2,
      scaleY: 2,
      padX: 0,
      padY: 0,
    });
  });

  it('keeps one scale for both axes (1920x1080 into 640x640)', () => {
    const t = letterboxTransform({ width: 1920, height: 1080 }, { width: 640, height: 640 });
    expect(t.scaleX).toBe(t.scaleY);
    expect(t.scaleX).toBeCloseTo(1 / 3, 12);
    expect(t.padX).toBe(0);
    expect(t.padY).toBeCloseTo(140, 9);
  });

  it('maps a wide frame box into model space and back to itself', () => {
    const frame = { width: 1280, height: 720 };
    const t = letterboxTransform(frame, { width: 640, height: 640 });
    const original = box(100, 50, 740, 610);
    const model = boxToModel(original, t);
    expect(model).toEqual(box(50, 165, 370, 445));
    expect(boxToFrame(model, t, frame)).toEqual(original);
  });

  it('maps a tall frame box into model space and back to itself', () => {
    const frame = { width: 720, height: 1280 };
    const t = letterboxTransform(frame, { width: 640, height: 640 });
    const original = box(0, 0, 720, 1280);
    const model = boxToModel(original, t);
    expect(model).toEqual(box(140, 0, 500, 640));
    expect(boxToFrame(model, t, frame)).toEqual(original);
  });

  it('round-trips a non-power-of-two scale to within rounding error', () => {
    const frame = { width: 1920, height: 1080 };
    const t = letterboxTransform(frame, { width: 640, height: 640 });
    const original = box(333, 222, 1111, 999);
    const back = boxToFrame(boxToModel(original, t), t, frame);
    expect(back.x1).toBeCloseTo(333, 9);
    expect(back.y1).toBeCloseTo(222, 9);
    expect(back.x2).toBeCloseTo(1111, 9);
    expect(back.y2).toBeCloseTo(999, 9);
  });
});

describe('boxToFrame', () => {
  it('clips a box that extends into the letterbox bars to the frame', () => {
    const frame = { width: 1280, height: 720 };
    const t = letterboxTransform(frame, { width: 640, height: 640 });
    // y from 100 (inside the top bar) to 600 (inside the bottom bar).
    expect(boxToFrame(box(-10, 100, 700, 600), t, frame)).toEqual(box(0, 0, 1280, 720));
  });
});

describe('scaledFrameSize', () => {
  it('keeps the aspect ratio (1920x1080 -> 768 wide is 768x432)', () => {
    expect(scaledFrameSize({ width: 1920, height: 1080 }, 768)).toEqual({ width: 768, height: 432 });
  });

  it('keeps the aspect ratio (768x576 -> 640 wide is 640x480)', () => {
    expect(scaledFrameSize({ width: 768, height: 576 }, 640)).toEqual({ width: 640, height: 480 });
  });

  it('returns the source size when the target width is the source width', () => {
    expect(scaledFrameSize({ width: 1280, height: 720 }, 1280)).toEqual({ width: 1280, height: 720 });
  });

  it('rounds an odd target width and an odd height to even numbers', () => {
    // 641 -> 642 (round(320.5) = 321); 642 * 9/16 = 361.125 -> 362.
    expect(scaledFrameSize({ width: 1920, height: 1080 }, 641)).toEqual({ width: 642, height: 362 });
    // 1280x720 -> 300: 168.75 -> 168.
    expect(scaledFrameSize({ width: 1280, height: 720 }, 300)).toEqual({ width: 300, height: 168 });
  });

  it('always gives even sizes', () => {
    for (const target of [99, 160, 321, 480, 777, 1001]) {
      const { width, height } = scaledFrameSize({ width: 1366, height: 768 }, target);
      expect(width % 2).toBe(0);
      expect(height % 2).toBe(0);
    }
  });

  it('never goes below 2x2', () => {
    expect(scaledFrameSize({ width: 1920, height: 20 }, 1)).toEqual({ width: 2, height: 2 });
    expect(scaledFrameSize({ width: 4000, height: 10 }, 100)).toEqual({ width: 100, height: 2 });
  });
});
