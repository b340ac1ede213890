import { describe, expect, it } from 'vitest';
import type { TrackedObject } from '../tracking/tracking-types.ts';
import type { CrossingSignal } from './incident-types.ts';
import type { TripwireRule } from './rule-types.ts';
import { TripwireEvaluator, wireSide } from './tripwire.ts';

// A wire drawn left to right at y = 100 from x = 0 to x = 200: side A is above it on screen.
const wire: TripwireRule = {
  name: 'gate',
  displayName: { en: 'gate', zhHant: '大門' },
  a: [0, 100],
  b: [200, 100],
  direction: 'any',
  minTrackAgeFrames: 3,
  hysteresisPx: 5,
};

/** A person whose foot point is (x, y), `hits` frames old. */
function person(x: number, y: number, hits = 10, label = 'person'): TrackedObject {
  return {
    trackId: 'p1',
    label,
    family: 'person',
    box: { x1: x - 10, y1: y - 40, x2: x + 10, y2: y },
    score: 0.9,
    detectionIndex: 0,
    hits,
    firstSeenMs: 0,
    firstFrameIndex: 0,
  };
}

/** Feeds foot points one frame apart (200 ms) and returns the crossings with their frame index. */
function run(rule: TripwireRule, feet: readonly (readonly [number, number, number?])[], label = 'person') {
  const evaluator = new TripwireEvaluator(rule);
  const out: CrossingSignal[] = [];
  feet.forEach(([x, y, hits], i) => {
    const s = evaluator.update(person(x, y, hits ?? 10, label), { frameIndex: i, timestampMs: i * 200 });
    if (s !== undefined) out.push(s);
  });
  return out.map((s) => ({ frame: s.sighting.frameIndex, direction: s.direction, point: s.point }));
}

describe('wireSide', () => {
  it('keeps a dead band of hysteresisPx around the line', () => {
    expect(wireSide(wire, [50, 94])).toBe('A');
    expect(wireSide(wire, [50, 95])).toBeUndefined();
    expect(wireSide(wire, [50, 105])).toBeUndefined();
    expect(wireSide(wire, [50, 106])).toBe('B');
  });
});

describe('TripwireEvaluator', () => {
  it('reports a crossing from A to B where the path met the wire', () => {
    expect(run(wire, [[100, 80], [100, 90], [100, 110], [100, 120]])).toEqual([
      { frame: 2, direction: 'a_to_b', point: [100, 100] },
    ]);
  });

  it('reports a crossing from B to A', () => {
    expect(run(wire, [[50, 130], [50, 120], [60, 80]])).toEqual([{ frame: 2, direction: 'b_to_a', point: [55, 100] }]);
  });

  it('counts both ways with direction any', () => {
    expect(run(wire, [[100, 80], [100, 120], [100, 120], [100, 80]])).toEqual([
      { frame: 1, direction: 'a_to_b', point: [100, 100] },
      { frame: 3, direction: 'b_to_a', point: [100, 100] },
    ]);
  });

  it('ignores the other direction when filtered', () => {
    const feet = [[100, 80], [100, 120], [100, 120], [100, 80]] as const;
    expect(run({ ...wire, direction: 'b_to_a' }, feet)).toEqual([{ frame: 3, direction: 'b_to_a', point: [100, 100] }]);
    expect(run({ ...wire, direction: 'a_to_b' }, feet)).toEqual([{ frame: 1, direction: 'a_to_b', point: [100, 100] }]);
  });

  it('measures the crossing from the last point on the old side, across the dead band', () => {
    // Two frames in the band; the path from (100, 80) to (140, 120) meets the wire at x = 120.
    expect(run(wire, [[100, 80], [150, 99], [90, 104], [140, 120]])).toEqual([
      { frame: 3, direction: 'a_to_b', point: [120, 100] },
    ]);
  });

  it('counts someone jittering on the line once at most', () => {
    const jitter = [80, 98, 102, 97, 103, 99, 101, 96, 104, 110, 104, 96, 105, 95, 106];
    expect(run(wire, jitter.map((y) => [100, y] as const))).toEqual([
      { frame: 9, direction: 'a_to_b', point: [100, 100] },
    ]);
    // Jitter only inside the band never counts.
    expect(run(wire, [98, 102, 96, 104, 95, 105].map((y) => [100, y] as const))).toEqual([]);
  });

  it('does not count passing beside the end of the wire, but the next real crossing counts', () => {
    expect(run(wire, [[250, 80], [250, 120], [230, 130], [100, 120], [100, 80]])).toEqual([
      { frame: 4, direction: 'b_to_a', point: [100, 100] },
    ]);
    // A path ending exactly on the end point B counts (the segment includes its ends).
    expect(run(wire, [[200, 80], [200, 120]])).toEqual([{ frame: 1, direction: 'a_to_b', point: [200, 100] }]);
  });

  it('needs a track at least minTrackAgeFrames old, and never counts a side change later', () => {
    expect(run(wire, [[100, 80, 1], [100, 120, 2], [100, 120, 3], [100, 120, 4]])).toEqual([]);
    expect(run(wire, [[100, 80, 2], [100, 120, 3]])).toEqual([{ frame: 1, direction: 'a_to_b', point: [100, 100] }]);
  });

  it('only counts the labels listed', () => {
    const feet = [[100, 80], [100, 120]] as const;
    expect(run({ ...wire, labels: ['car'] }, feet)).toEqual([]);
    expect(run({ ...wire, labels: ['car'] }, feet, 'car')).toEqual([{ frame: 1, direction: 'a_to_b', point: [100, 100] }]);
  });

  it('starts afresh for a track it was told to forget', () => {
    const evaluator = new TripwireEvaluator(wire);
    expect(evaluator.update(person(100, 80), { frameIndex: 0, timestampMs: 0 })).toBeUndefined();
    evaluator.forget('p1');
    expect(evaluator.update(person(100, 120), { frameIndex: 1, timestampMs: 200 })).toBeUndefined();
  });
});
