import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { DEFAULT_RETRY_SCHEDULE, errorText, retryDecision } from './retry-schedule.ts';

const error = (code: VigilError['code'], retryAfterMs?: number) =>
  new VigilError(code, 'x', { retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('retryDecision', () => {
  it('backs off exponentially up to 30 minutes and retries outages forever', () => {
    const delays = [1, 2, 3, 4, 8, 9, 50, 10_000].map((attempts) => retryDecision(error('provider_unavailable'), attempts));
    expect(delays).toEqual([15_000, 30_000, 60_000, 120_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000].map((delayMs) => ({ retry: true, delayMs })));
    for (const code of ['provider_timeout', 'provider_rate_limited', 'queue_full', 'circuit_open'] as const) {
      expect(retryDecision(error(code), 1000).retry).toBe(true);
    }
  });

  it('waits at least as long as the provider or its queue asked', () => {
    expect(retryDecision(error('queue_full', 90_000), 1)).toEqual({ retry: true, delayMs: 90_000 });
    expect(retryDecision(error('provider_rate_limited', 2 * 3_600_000), 3)).toEqual({ retry: true, delayMs: 7_200_000 });
    expect(retryDecision(error('circuit_open', 1000), 3)).toEqual({ retry: true, delayMs: 60_000 });
  });

  it('gives up at once on refusals, and after a few tries on anything unexpected', () => {
    for (const code of ['provider_auth', 'provider_bad_request', 'invalid_argument', 'input_not_found'] as const) {
      expect(retryDecision(error(code), 1)).toEqual({ retry: false });
    }
    const max = DEFAULT_RETRY_SCHEDULE.maxUnexpectedAttempts;
    expect(retryDecision(error('provider_bad_output'), max - 1).retry).toBe(true);
    expect(retryDecision(error('provider_bad_output'), max)).toEqual({ retry: false });
    expect(retryDecision(new Error('SQLITE_BUSY'), max - 1).retry).toBe(true);
    expect(retryDecision(new Error('SQLITE_BUSY'), max)).toEqual({ retry: false });
  });

  it('describes errors with their code', () => {
    expect(errorText(new VigilError('provider_auth', 'key refused'))).toBe('provider_auth: key refused');
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('odd')).toBe('odd');
  });
});
