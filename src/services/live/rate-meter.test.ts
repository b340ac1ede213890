import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.ts';

describe('RateMeter', () => {
  it('measures a steady rate over its window', () => {
    const meter = new RateMeter(10);
    const start = 1_000_000;
    for (let ms = 0; ms < 20_000; ms += 200) meter.record(start + ms);
    expect(meter.perSecond(start + 20_000)).toBeCloseTo(5, 1);
  });

  it('forgets what is older than the window (a stream that stopped reads 0)', () => {
    const meter = new RateMeter(5);
    for (let ms = 0; ms < 3000; ms += 100) meter.record(ms);
    expect(meter.perSecond(3000)).toBeCloseTo(10, 0);
    expect(meter.perSecond(60_000)).toBe(0);
  });

  it('does not overstate a rate that just started, nor divide by zero', () => {
    const meter = new RateMeter(10);
    expect(meter.perSecond(0)).toBe(0);
    meter.record(5000, 3);
    expect(meter.perSecond(5000)).toBe(3);
  });
});
