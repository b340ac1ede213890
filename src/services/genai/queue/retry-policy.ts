import type { ErrorCode, VigilError } from '../../../domain/errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles with every retry after that. */
  baseDelayMs: number;
  /** The backoff ceiling never grows beyond this. */
  maxDelayMs: number;
  /**
   * When the provider asks for a longer wait than this (Retry-After), the queue does not hold the
   * caller that long: it fails with the provider's error and its `retryAfterMs`, so that a durable
   * job can come back later and a person is not left staring at a spinner.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** Errors after which another attempt can succeed (see src/ports/llm-provider.ts). */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'provider_unavailable',
  'provider_timeout',
  'provider_rate_limited',
  'provider_bad_output',
]);

/** A reply the model got wrong once is worth one more try; twice means the prompt or model is the problem. */
const BAD_OUTPUT_RETRIES = 1;

export interface RetryHistory {
  /** Attempts made so far, the failed one included. */
  attempts: number;
  /** How many of them came back as provider_bad_output before the failed one. */
  badOutputs: number;
}

/** The largest backoff of retry number `retryIndex` (0 for the first retry): base x 2^i, capped. */
export function backoffCeilingMs(retryIndex: number, options: RetryOptions): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
}

/**
 * "Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform draw in
 * [0, ceiling), so that many callers failing together do not come back together.
 */
export function jitteredBackoffMs(retryIndex: number, options: RetryOptions, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * backoffCeilingMs(retryIndex, options));
}

/** How long to wait before the next attempt, or undefined when the error should reach the caller now. */
export function nextRetryDelayMs(
  error: VigilError,
  history: RetryHistory,
  options: RetryOptions,
  random: () => number,
): number | undefined {
  if (!RETRYABLE.has(error.code)) return undefined;
  if (history.attempts >= options.maxAttempts) return undefined;
  if (error.code === 'provider_bad_output' && history.badOutputs >= BAD_OUTPUT_RETRIES) return undefined;
  const asked = error.retryAfterMs ?? 0;
  if (asked > options.maxRetryAfterMs) return undefined;
  // Never sooner than the provider asked.
  return Math.max(asked, jitteredBackoffMs(history.attempts - 1, options, random));
}
