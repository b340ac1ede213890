import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ErrorCode } from '../../../domain/errors.ts';
import { backoffCeilingMs, jitteredBackoffMs, nextRetryDelayMs } from './retry-policy.ts';
import type { RetryOptions } from './retry-policy.ts';

const options: RetryOptions = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 };
const err = (code: ErrorCode, retryAfterMs?: number) => new VigilError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });

/** mulberry32: a small seeded generator, so the property below is replayable. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('backoff', () => {
  it('doubles the ceiling with every retry up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 60].map((i) => backoffCeilingMs(i, options))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('draws full jitter in [0, ceiling), even from a random source that returns 1', () => {
    expect(jitteredBackoffMs(2, options, () => 0)).toBe(0);
    expect(jitteredBackoffMs(2, options, () => 0.5)).toBe(200);
    expect(jitteredBackoffMs(2, options, () => 0.999_999)).toBe(399);
    expect(jitteredBackoffMs(2, options, () => 1)).toBe(399);
    expect(jitteredBackoffMs(2, options, () => -3)).toBe(0);
  });

  it('stays within bounds and spreads over the range for many draws', () => {
    const random = seeded(42);
    for (let retry = 0; retry < 8; retry++) {
      const ceiling = backoffCeilingMs(retry, options);
      const draws = Array.from({ length: 2_000 }, () => jitteredBackoffMs(retry, options, random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThan(ceiling);
      // Full jitter, not "equal jitter": both halves of the range are used.
      expect(draws.some((d) => d < ceiling * 0.1)).toBe(true);
      expect(draws.some((d) => d > ceiling * 0.9)).toBe(true);
    }
  });
});

describe('nextRetryDelayMs', () => {
  const first = { attempts: 1, badOutputs: 0 };

  it.each<ErrorCode>(['provider_unavailable', 'provider_timeout', 'provider_rate_limited', 'provider_bad_output'])('retries %s', (code) => {
    expect(nextRetryDelayMs(err(code), first, options, () => 0.5)).toBe(50);
  });

  it.each<ErrorCode>(['provider_auth', 'provider_bad_request', 'provider_failed', 'aborted', 'circuit_open', 'queue_full'])('does not retry %s', (code) => {
    expect(nextRetryDelayMs(err(code), first, options, () => 0.5)).toBeUndefined();
  });

  it('stops after maxAttempts', () => {
    expect(nextRetryDelayMs(err('provider_timeout'), { attempts: 4, badOutputs: 0 }, options, () => 0.5)).toBe(400);
    expect(nextRetryDelayMs(err('provider_timeout'), { attempts: 5, badOutputs: 0 }, options, () => 0.5)).toBeUndefined();
  });

  it('retries bad output once only', () => {
    expect(nextRetryDelayMs(err('provider_bad_output'), { attempts: 2, badOutputs: 1 }, options, () => 0.5)).toBeUndefined();
    expect(nextRetryDelayMs(err('provider_unavailable'), { attempts: 2, badOutputs: 1 }, options, () => 0.5)).toBe(100);
  });

  it('never retries sooner than Retry-After, and gives up when it is too long', () => {
    expect(nextRetryDelayMs(err('provider_rate_limited', 7_000), first, options, () => 0.5)).toBe(7_000);
    expect(nextRetryDelayMs(err('provider_rate_limited', 10), first, options, () => 0.5)).toBe(50);
    expect(nextRetryDelayMs(err('provider_rate_limited', 60_001), first, options, () => 0.5)).toBeUndefined();
  });
});
