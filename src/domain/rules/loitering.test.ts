import { describe, expect, it } from 'vitest';
import type { TrackedObject, TrackerOutput } from '../tracking/tracking-types.ts';
import type { RuleSignal } from './incident-types.ts';
import { MidlineCounter, ResampledPath, zoneMidline } from './loitering-metrics.ts';
import { RuleEvaluator } from './rule-evaluator.ts';
import type { CameraRules, ZoneRule } from './rule-types.ts';

// 200 x 100 px: the mid-line is vertical at x = 200 with a dead band of 10 px.
const entrance: ZoneRule = {
  name: 'entrance',
  displayName: { en: 'Entrance', zhHant: '入口' },
  polygon: [
    [100, 100],
    [300, 100],
    [300, 200],
    [100, 200],
  ],
  debounceFrames: 1,
  restricted: false,
  loitering: { minSeconds: 10, maxSpeedPxPerSecond: 5, backAndForth: 0 },
};

function rulesWith(loitering: Partial<NonNullable<ZoneRule['loitering']>>): CameraRules {
  return {
    cameraId: 'cam',
    cameraName: 'Cam',
    timeZone: 'UTC',
    frameWidth: 640,
    frameHeight: 360,
    zones: [{ ...entrance, loitering: { ...entrance.loitering!, ...loitering } }],
    tripwires: [],
    objectSeenLabels: [],
    cooldownSeconds: 0,
    mergeSeconds: 0,
  };
}

function person(x: number, y: number): TrackedObject {
  return {
    trackId: 'p2',
    label: 'person',
    family: 'person',
    box: { x1: x - 10, y1: y - 40, x2: x + 10, y2: y },
    score: 0.9,
    detectionIndex: 0,
    hits: 10,
    firstSeenMs: 0,
    firstFrameIndex: 0,
  };
}

/** Feeds foot points `fps` frames per second; returns the loitering signals as short strings. */
function run(rules: CameraRules, feet: readonly (readonly [number, number])[], fps = 1): string[] {
  const evaluator = new RuleEvaluator(rules);
  const signals: RuleSignal[] = [];
  feet.forEach(([x, y], i) => {
    const frame: TrackerOutput = {
      frameIndex: i,
      timestampMs: Math.round((i * 1000) / fps),
      tracked: [person(x, y)],
      lost: [],
      finished: [],
    };
    signals.push(...evaluator.update(frame));
  });
  signals.push(...evaluator.finish());
  return signals.flatMap((s) => {
    if (s.kind === 'start') {
      const speed = s.loitering?.averageSpeedPxPerSecond.toFixed(2);
      return [`start@${s.sighting.frameIndex} from ${s.startFrameIndex} speed ${speed} midline ${s.loitering?.midlineCrossings}`];
    }
    return s.kind === 'end' ? [`end@${s.last.frameIndex} ${s.reason}`] : [];
  });
}

const still = (frames: number) => Array.from({ length: frames }, () => [150, 150] as const);
const walking = (frames: number, speed: number) =>
  Array.from({ length: frames }, (_, i) => [110 + i * speed, 150] as const);

describe('loitering', () => {
  it('fires once the dwell reaches minSeconds, not a frame before', () => {
    // 5 fps: frame 49 is 9.8 s after entry, frame 50 is 10 s.
    expect(run(rulesWith({}), still(50), 5)).toEqual([]);
    expect(run(rulesWith({}), still(52), 5)).toEqual([
      'start@50 from 0 speed 0.00 midline 0',
      'end@51 end_of_input',
    ]);
  });

  it('fires at an average speed up to maxSpeedPxPerSecond, not above', () => {
    expect(run(rulesWith({}), walking(11, 5))).toEqual(['start@10 from 0 speed 5.00 midline 0', 'end@10 end_of_input']);
    expect(run(rulesWith({}), walking(11, 4.9))).toEqual(['start@10 from 0 speed 4.90 midline 0', 'end@10 end_of_input']);
    expect(run(rulesWith({}), walking(11, 5.1))).toEqual([]);
  });

  it('is not fooled by per-frame box jitter', () => {
    // Standing still with the foot point jumping 8 px every frame (40 px/s frame to frame).
    const jitter = Array.from({ length: 51 }, (_, i) => [150 + (i % 2 === 0 ? 4 : -4), 150] as const);
    expect(run(rulesWith({ maxSpeedPxPerSecond: 3 }), jitter, 5)).toEqual([
      'start@50 from 0 speed 1.92 midline 0',
      'end@50 end_of_input',
    ]);
  });

  it('needs backAndForth mid-line crossings when asked', () => {
    // 5 s left of the mid-line, 5 s right, 5 s left, 5 s right; jitter inside the dead band does not count.
    const path = [
      ...Array.from({ length: 5 }, () => [150, 150] as const),
      ...Array.from({ length: 5 }, (_, i) => [i % 2 === 0 ? 250 : 195, 150] as const),
      ...Array.from({ length: 5 }, () => [150, 150] as const),
      ...Array.from({ length: 6 }, () => [250, 150] as const),
    ];
    const loose = { maxSpeedPxPerSecond: 100 };
    expect(run(rulesWith({ ...loose, backAndForth: 2 }), path)).toEqual([
      'start@10 from 0 speed 42.00 midline 2',
      'end@20 end_of_input',
    ]);
    expect(run(rulesWith({ ...loose, backAndForth: 3 }), path)).toEqual([
      'start@15 from 0 speed 34.67 midline 3',
      'end@20 end_of_input',
    ]);
    expect(run(rulesWith({ ...loose, backAndForth: 4 }), path)).toEqual([]);
  });

  it('ends at the exit and starts over on re-entry', () => {
    const path = [...still(11), [400, 150] as const, ...still(3)];
    expect(run(rulesWith({}), path)).toEqual(['start@10 from 0 speed 0.00 midline 0', 'end@10 exit']);
  });
});

describe('loitering metrics', () => {
  it('resamples the path into 1 s windows', () => {
    const path = new ResampledPath();
    path.add(0, [0, 0]);
    expect(path.length).toBe(0);
    path.add(500, [10, 0]);
    expect(path.length).toBe(0);
    path.add(1000, [20, 0]); // closes the window [0 s, 1 s): mean (5, 0)
    expect(path.length).toBe(15);
    path.add(2000, [30, 0]); // closes [1 s, 2 s): mean (20, 0)
    expect(path.length).toBe(25);
  });

  it('puts the mid-line across the longer side of the bounding box', () => {
    expect(zoneMidline(entrance.polygon)).toEqual({ axis: 'x', at: 200, hysteresisPx: 10 });
    const tall = entrance.polygon.map(([x, y]) => [y, x] as const);
    expect(zoneMidline(tall)).toEqual({ axis: 'y', at: 200, hysteresisPx: 10 });
    const counter = new MidlineCounter(zoneMidline(entrance.polygon));
    for (const x of [150, 205, 195, 211, 189, 190, 215]) counter.add([x, 150]);
    expect(counter.crossings).toBe(3);
  });
});
