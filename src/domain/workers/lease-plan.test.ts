import { describe, expect, it } from 'vitest';
import { planLeases, type LeaseView } from './lease-plan.ts';

const cameras = ['a', 'b', 'c', 'd'];
const NOW = 1_000_000;
const lease = (cameraId: string, holder: string, expiresAt = NOW + 10_000): LeaseView => ({ cameraId, holder, expiresAt });

describe('planLeases', () => {
  it('a lone worker takes every camera', () => {
    const plan = planLeases({ me: 'w1', cameras, workers: ['w1'], leases: [], nowMs: NOW });
    expect(plan.share).toBe(4);
    expect([...plan.take].sort()).toEqual(cameras);
    expect(plan.giveUp).toEqual([]);
  });

  it('workers starting together reach for at most their share each, and within a few rounds hold every camera once', () => {
    const workers = ['w1', 'w2', 'w3'];
    const many = Array.from({ length: 10 }, (_, i) => `cam-${i}`);
    for (const me of workers) expect(planLeases({ me, cameras: many, workers, leases: [], nowMs: NOW }).take.length).toBeLessThanOrEqual(4);
    // Rounds in which every worker plans from the same leases, then tries its cameras: the first try wins.
    const leases = new Map<string, string>();
    for (let round = 0; round < 5; round++) {
      const seen = [...leases].map(([cameraId, holder]) => lease(cameraId, holder));
      const plans = workers.map((me) => ({ me, plan: planLeases({ me, cameras: many, workers, leases: seen, nowMs: NOW }) }));
      for (const { me, plan } of plans) {
        for (const cameraId of plan.giveUp) leases.delete(cameraId);
        for (const cameraId of plan.take) if (!leases.has(cameraId)) leases.set(cameraId, me);
      }
    }
    expect([...leases.keys()].sort()).toEqual([...many].sort());
    const counts = workers.map((w) => [...leases.values()].filter((h) => h === w).length);
    expect(Math.max(...counts)).toBeLessThanOrEqual(4);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
  });

  it('never takes a camera whose lease runs, even from a worker that looks dead; takes it once expired', () => {
    const held = [lease('a', 'gone'), lease('b', 'gone'), lease('c', 'gone', NOW - 1), lease('d', 'gone', NOW)];
    const plan = planLeases({ me: 'w1', cameras, workers: ['w1'], leases: held, nowMs: NOW });
    expect([...plan.take].sort()).toEqual(['c', 'd']);
  });

  it('gives up cameras beyond its share only when another live worker has room', () => {
    const mine = cameras.map((c) => lease(c, 'w1'));
    const alone = planLeases({ me: 'w1', cameras, workers: ['w1'], leases: mine, nowMs: NOW });
    expect(alone.giveUp).toEqual([]);
    const joined = planLeases({ me: 'w1', cameras, workers: ['w1', 'w2'], leases: mine, nowMs: NOW });
    expect(joined.share).toBe(2);
    expect(joined.giveUp).toHaveLength(2);
    expect(joined.take).toEqual([]);
    // The newcomer takes what is free up to its share, and nothing held.
    const newcomer = planLeases({ me: 'w2', cameras, workers: ['w1', 'w2'], leases: mine, nowMs: NOW });
    expect(newcomer.take).toEqual([]);
  });

  it('ignores leases of cameras no longer configured', () => {
    const plan = planLeases({ me: 'w1', cameras: ['a'], workers: ['w1'], leases: [lease('old', 'w2')], nowMs: NOW });
    expect(plan.take).toEqual(['a']);
  });
});
