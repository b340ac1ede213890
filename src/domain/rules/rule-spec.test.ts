import { describe, expect, it } from 'vitest';
import { resolveRules, type RuleSpec } from './rule-spec.ts';

const name = (n: string) => ({ en: n, zhHant: n });

const spec: RuleSpec = {
  cameraId: 'back',
  cameraName: 'Back door',
  timeZone: 'Asia/Taipei',
  zones: [
    {
      name: 'porch',
      displayName: name('porch'),
      points: [[0.5, 0.25], [1, 0.25], [1, 1]],
      units: 'fraction',
      debounceFrames: 3,
      restricted: false,
      loitering: { minSeconds: 30, maxSpeed: 0.02, speedUnits: 'fraction', backAndForth: 0 },
    },
    {
      name: 'yard',
      displayName: name('yard'),
      points: [[10, 20], [30, 20], [30, 40]],
      units: 'pixels',
      labels: ['person'],
      debounceFrames: 2,
      restricted: true,
      loitering: { minSeconds: 10, maxSpeed: 12, speedUnits: 'pixels', backAndForth: 2 },
    },
  ],
  tripwires: [
    { name: 'gate', displayName: name('gate'), points: [[0, 0.5], [1, 0.5]], units: 'fraction', direction: 'a_to_b', inbound: 'b_to_a', minTrackAgeFrames: 2, hysteresis: 0.01 },
  ],
  objectSeenLabels: ['car'],
  cooldownSeconds: 30,
  mergeSeconds: 5,
};

describe('resolveRules', () => {
  // A 640x480 frame has a 800 px diagonal, which keeps the expected numbers exact.
  const rules = resolveRules(spec, { width: 640, height: 480 });

  it('scales fraction points to the frame and leaves pixel points alone', () => {
    expect(rules.zones[0]?.polygon).toEqual([[320, 120], [640, 120], [640, 480]]);
    expect(rules.zones[1]?.polygon).toEqual([[10, 20], [30, 20], [30, 40]]);
    expect(rules.tripwires[0]).toMatchObject({ a: [0, 240], b: [640, 240], direction: 'a_to_b', inbound: 'b_to_a' });
  });

  it('turns fractional speeds and hysteresis into pixels of the frame diagonal', () => {
    expect(rules.zones[0]?.loitering?.maxSpeedPxPerSecond).toBeCloseTo(16, 10);
    expect(rules.zones[1]?.loitering).toEqual({ minSeconds: 10, maxSpeedPxPerSecond: 12, backAndForth: 2 });
    expect(rules.tripwires[0]?.hysteresisPx).toBeCloseTo(8, 10);
  });

  it('carries the camera settings and frame size through', () => {
    expect(rules).toMatchObject({
      cameraId: 'back',
      cameraName: 'Back door',
      timeZone: 'Asia/Taipei',
      frameWidth: 640,
      frameHeight: 480,
      objectSeenLabels: ['car'],
      cooldownSeconds: 30,
      mergeSeconds: 5,
    });
    expect(rules.zones[1]).toMatchObject({ labels: ['person'], debounceFrames: 2, restricted: true });
    expect(rules.zones[0]).not.toHaveProperty('labels');
  });
});
