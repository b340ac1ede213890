import { describe, expect, it } from 'vitest';
import { isVigilError } from '../errors.ts';
import type { Box } from '../geometry.ts';
import { addMotCounts, countMot, evaluateMot, summarizeMot, type MotFrame, type MotObject } from './mot-metrics.ts';

const A: Box = { x1: 0, y1: 0, x2: 10, y2: 10 };
const B: Box = { x1: 100, y1: 0, x2: 110, y2: 10 };
/** IoU with A: 60 / 100 = 0.6. */
const A_SIXTY: Box = { x1: 0, y1: 0, x2: 10, y2: 6 };
/** IoU with A: 40 / 100 = 0.4, under the 0.5 threshold. */
const A_FORTY: Box = { x1: 0, y1: 0, x2: 10, y2: 4 };
const FAR: Box = { x1: 300, y1: 300, x2: 310, y2: 310 };

const obj = (id: string, box: Box): MotObject => ({ id, box });
const frame = (truth: MotObject[], hypotheses: MotObject[]): MotFrame => ({ truth, hypotheses });

describe('evaluateMot', () => {
  it('scores perfect tracking 1.0 / 1.0', () => {
    const frames = [0, 1, 2].map(() => frame([obj('a', A), obj('b', B)], [obj('1', A), obj('2', B)]));
    const s = evaluateMot(frames);
    expect(s).toMatchObject({ mota: 1, idf1: 1, truth: 6, matches: 6, misses: 0, falsePositives: 0, idSwitches: 0, fragmentations: 0 });
    expect(s.meanMatchIou).toBe(1);
  });

  it('counts one identity switch', () => {
    // a is followed by hypothesis 1 for two frames, then by 2: MOTA = 1 - 1/4.
    // Best identity pairing keeps 2 of 4 frames: IDTP 2, IDFN 2, IDFP 2, IDF1 = 4 / 8.
    const frames = [frame([obj('a', A)], [obj('1', A)]), frame([obj('a', A)], [obj('1', A)]), frame([obj('a', A)], [obj('2', A)]), frame([obj('a', A)], [obj('2', A)])];
    const s = evaluateMot(frames);
    expect(s).toMatchObject({ idSwitches: 1, misses: 0, falsePositives: 0, idtp: 2, idfn: 2, idfp: 2 });
    expect(s.mota).toBeCloseTo(0.75, 12);
    expect(s.idf1).toBeCloseTo(0.5, 12);
  });

  it('counts a false positive track', () => {
    // Two frames of a hypothesis nowhere near the truth: FP 2, MOTA = 1 - 2/4; IDF1 = 8 / (8 + 2).
    const frames = [0, 1, 2, 3].map((i) => frame([obj('a', A)], i < 2 ? [obj('1', A), obj('9', FAR)] : [obj('1', A)]));
    const s = evaluateMot(frames);
    expect(s).toMatchObject({ falsePositives: 2, misses: 0, idSwitches: 0, idtp: 4, idfp: 2, idfn: 0 });
    expect(s.mota).toBeCloseTo(0.5, 12);
    expect(s.idf1).toBeCloseTo(0.8, 12);
    expect(s.precision).toBeCloseTo(4 / 6, 12);
  });

  it('counts missed frames and the fragmentation they cause', () => {
    // Missed in frame 2 of 5: FN 1, MOTA 0.8, FRAG 1; IDTP 4, IDFN 1: IDF1 = 8 / 9.
    const frames = [0, 1, 2, 3, 4].map((i) => frame([obj('a', A)], i === 2 ? [] : [obj('1', A)]));
    const s = evaluateMot(frames);
    expect(s).toMatchObject({ misses: 1, falsePositives: 0, idSwitches: 0, fragmentations: 1 });
    expect(s.mota).toBeCloseTo(0.8, 12);
    expect(s.idf1).toBeCloseTo(8 / 9, 12);
  });

  it('does not count misses before the first or after the last match as fragmentation', () => {
    const frames = [0, 1, 2, 3, 4].map((i) => frame([obj('a', A)], i === 0 || i === 4 ? [] : [obj('1', A)]));
    expect(evaluateMot(frames)).toMatchObject({ misses: 2, fragmentations: 0 });
  });

  it('keeps a still-valid correspondence instead of re-matching optimally (CLEAR-MOT step 1)', () => {
    // Frame 1: hypothesis 2 fits a better, but 1 still overlaps enough: no switch, 2 is a FP.
    const frames = [frame([obj('a', A)], [obj('1', A)]), frame([obj('a', A)], [obj('1', A_SIXTY), obj('2', A)])];
    const s = evaluateMot(frames);
    expect(s).toMatchObject({ idSwitches: 0, falsePositives: 1, matches: 2 });
    expect(s.mota).toBeCloseTo(0.5, 12);
    expect(s.meanMatchIou).toBeCloseTo(0.8, 12);
  });

  it('counts a switch when the identity comes back after a gap with another hypothesis', () => {
    const frames = [frame([obj('a', A)], [obj('1', A)]), frame([obj('a', A)], []), frame([obj('a', A)], [obj('2', A)])];
    expect(evaluateMot(frames)).toMatchObject({ idSwitches: 1, misses: 1, fragmentations: 1 });
  });

  it('does not match under the IoU threshold', () => {
    const s = evaluateMot([frame([obj('a', A)], [obj('1', A_FORTY)])]);
    expect(s).toMatchObject({ matches: 0, misses: 1, falsePositives: 1, idtp: 0 });
    expect(s.mota).toBe(-1);
    expect(evaluateMot([frame([obj('a', A)], [obj('1', A_FORTY)])], { iouThreshold: 0.3 }).matches).toBe(1);
  });

  it('matches the most pairs when boxes compete, not the cheapest few', () => {
    // 1 fits a exactly and b at 0.6; 2 fits only a (0.625). Cheapest single pair 1-a would
    // leave b missed and 2 false; CLEAR-MOT pairs 1-b and 2-a.
    const tall: Box = { x1: 0, y1: 0, x2: 10, y2: 16 };
    const s = evaluateMot([frame([obj('a', A), obj('b', A_SIXTY)], [obj('1', A), obj('2', tall)])]);
    expect(s).toMatchObject({ matches: 2, misses: 0, falsePositives: 0 });
  });

  it('finds the globally best identity pairing', () => {
    // Hypothesis 1 covers a for 1 frame and b for 3; 2 covers a for 2 frames. Best: 1-b, 2-a: IDTP 5.
    const frames = [
      frame([obj('a', A), obj('b', B)], [obj('1', A), obj('3', B)]),
      frame([obj('a', A), obj('b', B)], [obj('2', A), obj('1', B)]),
      frame([obj('a', A), obj('b', B)], [obj('2', A), obj('1', B)]),
      frame([obj('b', B)], [obj('1', B)]),
    ];
    expect(evaluateMot(frames)).toMatchObject({ idtp: 5, idfn: 2, idfp: 2 });
  });

  it('treats empty input as perfect', () => {
    expect(evaluateMot([])).toMatchObject({ mota: 1, idf1: 1, frames: 0 });
    expect(evaluateMot([frame([], [obj('1', A)])]).mota).toBe(Number.NEGATIVE_INFINITY);
  });

  it('combines sequences by adding counts', () => {
    const one = countMot([0, 1, 2, 3].map((i) => frame([obj('a', A)], i === 2 ? [] : [obj('1', A)])));
    const two = countMot([0, 1, 2, 3].map(() => frame([obj('a', A)], [obj('1', A), obj('2', FAR)])));
    const s = summarizeMot(addMotCounts(one, two));
    expect(s).toMatchObject({ frames: 8, truth: 8, misses: 1, falsePositives: 4, idtp: 7, idfn: 1, idfp: 4 });
    expect(s.mota).toBeCloseTo(1 - 5 / 8, 12);
    expect(s.idf1).toBeCloseTo(14 / 19, 12);
  });

  it('rejects an id used twice in one frame', () => {
    let error: unknown;
    try {
      evaluateMot([frame([obj('a', A), obj('a', B)], [])]);
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error) && error.code).toBe('invalid_argument');
  });
});
