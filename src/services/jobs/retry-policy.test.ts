import { describe, expect, it } from 'vitest';
import { VigilError } from '../../domain/errors.ts';
import { errorText, MODEL_RETRY_SCHEDULE, retryDecision } from './retry-policy.ts';

const error = (code: VigilError['code'], options: { retryable?: boolean; retryAfterMs?: number } = {}) =>
  new VigilError(code, 'x', { retryable: options.retryable ?? true, ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}) });
const FRIGATE = { baseMs: 5_000, maxMs: 300_000, maxUnexpectedAttempts: 5 };

describe('retryDecision', () => {
  it('backs off exponentially up to the cap and retries outages forever', () => {
    const delays = [1, 2, 3, 4, 8, 9, 50, 10_000].map((attempts) => retryDecision(error('provider_unavailable'), attempts, MODEL_RETRY_SCHEDULE));
    expect(delays).toEqual([15_000, 30_000, 60_000, 120_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000].map((delayMs) => ({ retry: true, delayMs })));
    for (const code of ['provider_timeout', 'provider_rate_limited', 'queue_full', 'circuit_open', 'input_unreachable'] as const) {
      expect(retryDecision(error(code), 1000, MODEL_RETRY_SCHEDULE).retry).toBe(true);
    }
  });

  it('uses each kind’s numbers through the same rules (Frigate: 5 s up to 5 min, Frigate down retried without end)', () => {
    expect([1, 2, 7, 500].map((attempts) => retryDecision(error('input_unreachable'), attempts, FRIGATE))).toEqual(
      [5_000, 10_000, 300_000, 300_000].map((delayMs) => ({ retry: true, delayMs })),
    );
  });

  it('waits at least as long as the other side asked (Retry-After)', () => {
    expect(retryDecision(error('queue_full', { retryAfterMs: 90_000 }), 1, MODEL_RETRY_SCHEDULE)).toEqual({ retry: true, delayMs: 90_000 });
    expect(retryDecision(error('provider_rate_limited', { retryAfterMs: 2 * 3_600_000 }), 3, MODEL_RETRY_SCHEDULE)).toEqual({ retry: true, delayMs: 7_200_000 });
    expect(retryDecision(error('circuit_open', { retryAfterMs: 1000 }), 3, MODEL_RETRY_SCHEDULE)).toEqual({ retry: true, delayMs: 60_000 });
    expect(retryDecision(error('provider_bad_output', { retryAfterMs: 40_000 }), 1, FRIGATE)).toEqual({ retry: true, delayMs: 40_000 });
  });

  it('gives up at once on refusals, whatever they claim, and on errors that say retrying cannot help', () => {
    for (const code of ['provider_auth', 'provider_bad_request', 'invalid_argument', 'input_not_found'] as const) {
      expect(retryDecision(error(code), 1, MODEL_RETRY_SCHEDULE)).toEqual({ retry: false });
    }
    expect(retryDecision(error('provider_bad_output', { retryable: false }), 1, MODEL_RETRY_SCHEDULE)).toEqual({ retry: false });
    expect(retryDecision(error('fetch_failed', { retryable: false }), 1, FRIGATE)).toEqual({ retry: false });
    // An outage code is an outage even when the thrower forgot to say it is retryable.
    expect(retryDecision(error('provider_unavailable', { retryable: false }), 1, MODEL_RETRY_SCHEDULE).retry).toBe(true);
  });

  it('gives up on anything unexpected after a few tries', () => {
    const max = MODEL_RETRY_SCHEDULE.maxUnexpectedAttempts;
    expect(retryDecision(error('provider_bad_output'), max - 1, MODEL_RETRY_SCHEDULE).retry).toBe(true);
    expect(retryDecision(error('provider_bad_output'), max, MODEL_RETRY_SCHEDULE)).toEqual({ retry: false });
    expect(retryDecision(new Error('SQLITE_BUSY'), max - 1, MODEL_RETRY_SCHEDULE).retry).toBe(true);
    expect(retryDecision(new Error('SQLITE_BUSY'), max, MODEL_RETRY_SCHEDULE)).toEqual({ retry: false });
    expect(retryDecision('odd', max, FRIGATE)).toEqual({ retry: false });
  });

  it('describes errors with their code', () => {
    expect(errorText(new VigilError('provider_auth', 'key refused'))).toBe('provider_auth: key refused');
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('odd')).toBe('odd');
  });
});
