import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from the minimum to the cap, with jitter within [half, full] of each step', () => {
    const low = new Backoff({ minMs: 1000, maxMs: 30_000, resetAfterMs: 60_000, random: () => 0 });
    const high = new Backoff({ minMs: 1000, maxMs: 30_000, resetAfterMs: 60_000, random: () => 0.999999 });
    const lows = Array.from({ length: 8 }, () => low.next(0));
    const highs = Array.from({ length: 8 }, () => high.next(0));
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(highs).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(low.attempts).toBe(8);
  });

  it('starts over after a session that lasted long enough, not after a short one', () => {
    const b = new Backoff({ minMs: 100, maxMs: 10_000, resetAfterMs: 5_000, random: () => 1 });
    expect([b.next(0), b.next(0), b.next(4_999)]).toEqual([100, 200, 400]);
    expect(b.next(5_000)).toBe(100);
  });

  it('never overflows however long the outage', () => {
    const b = new Backoff({ minMs: 1, maxMs: 60_000, resetAfterMs: 1, random: () => 1 });
    for (let i = 0; i < 2000; i++) b.next(0);
    expect(b.next(0)).toBe(60_000);
  });
});
