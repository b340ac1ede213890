import { describe, expect, it } from 'vitest';
import type { Box } from '../geometry.ts';
import { addHotaCounts, countHota, evaluateHota, HOTA_ALPHAS, summarizeHota } from './hota.ts';
import type { MotFrame } from './mot-metrics.ts';

const box = (x: number, y = 0, w = 10, h = 10): Box => ({ x1: x, y1: y, x2: x + w, y2: y + h });

describe('HOTA', () => {
  it('is 1 for a perfect tracker, whatever the hypothesis ids are called', () => {
    const frames: MotFrame[] = [0, 1, 2].map((f) => ({
      truth: [{ id: 'a', box: box(f) }, { id: 'b', box: box(50 + f) }],
      hypotheses: [{ id: 'x', box: box(50 + f) }, { id: 'y', box: box(f) }],
    }));
    expect(evaluateHota(frames)).toMatchObject({ hota: 1, detA: 1, assA: 1, locA: 1 });
  });

  it('halves association when one person is followed by two ids, half the time each: HOTA sqrt(1/2)', () => {
    // o in 4 frames; h1 in the first two, h2 in the last two. Each TP scores 2 / (4 + 2 - 2) = 1/2.
    const frames: MotFrame[] = [0, 1, 2, 3].map((f) => ({ truth: [{ id: 'o', box: box(f) }], hypotheses: [{ id: f < 2 ? 'h1' : 'h2', box: box(f) }] }));
    const s = evaluateHota(frames);
    expect(s.detA).toBe(1);
    expect(s.assA).toBeCloseTo(0.5, 12);
    expect(s.hota).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('counts a box with IoU 0.5 as found for the 10 thresholds up to 0.5 and lost for the 9 above', () => {
    const frames: MotFrame[] = [{ truth: [{ id: 'o', box: box(0, 0, 10, 10) }], hypotheses: [{ id: 'h', box: box(0, 0, 10, 5) }] }];
    const s = evaluateHota(frames);
    expect(s.perAlpha).toEqual(HOTA_ALPHAS.map((a) => (a <= 0.5 ? 1 : 0)));
    expect(s.hota).toBeCloseTo(10 / 19, 12);
    const counts = countHota(frames);
    expect(counts.fn.slice(10)).toEqual(Array(9).fill(1));
    expect(counts.fp.slice(10)).toEqual(Array(9).fill(1));
  });

  it('scores nothing found as 0, and a missed half as DetA 1/2', () => {
    expect(evaluateHota([{ truth: [{ id: 'o', box: box(0) }], hypotheses: [] }]).hota).toBe(0);
    const half: MotFrame[] = [
      { truth: [{ id: 'o', box: box(0) }], hypotheses: [{ id: 'h', box: box(0) }] },
      { truth: [{ id: 'o', box: box(1) }], hypotheses: [] },
    ];
    const s = evaluateHota(half);
    expect(s.detA).toBeCloseTo(0.5, 12);
    // The one TP: its pair matched once, o seen twice, h once: 1 / (2 + 1 - 1).
    expect(s.assA).toBeCloseTo(0.5, 12);
  });

  it('pairs boxes in a frame by how well their trajectories align, not by IoU alone', () => {
    // In the last frame IoU alone would swap the ids (a-y 0.82, a-x 0.54), but x follows a and
    // y follows b everywhere else: the pairing keeps them, so up to IoU 0.5 association is perfect.
    const frames: MotFrame[] = [
      { truth: [{ id: 'a', box: box(0) }, { id: 'b', box: box(30) }], hypotheses: [{ id: 'x', box: box(0) }, { id: 'y', box: box(30) }] },
      { truth: [{ id: 'a', box: box(0) }, { id: 'b', box: box(30) }], hypotheses: [{ id: 'x', box: box(0) }, { id: 'y', box: box(30) }] },
      { truth: [{ id: 'a', box: box(10) }, { id: 'b', box: box(14) }], hypotheses: [{ id: 'x', box: box(13) }, { id: 'y', box: box(11) }] },
    ];
    const s = evaluateHota(frames);
    for (let a = 0; a < 10; a++) expect(s.perAlpha[a]).toBeCloseTo(1, 12);
  });

  it('combines sequences by adding counts, the same as evaluating them as one', () => {
    const a: MotFrame[] = [{ truth: [{ id: 'o', box: box(0) }], hypotheses: [{ id: 'h', box: box(0) }] }];
    const b: MotFrame[] = [{ truth: [{ id: 'p', box: box(0) }], hypotheses: [{ id: 'k', box: box(5) }] }];
    const combined = summarizeHota(addHotaCounts(countHota(a), countHota(b)));
    expect(combined.hota).toBeCloseTo(evaluateHota([...a, ...b]).hota, 12);
  });
});
