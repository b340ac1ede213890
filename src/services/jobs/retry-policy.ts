import { isVigilError, type ErrorCode } from '../../domain/errors.ts';

/** The numbers of one kind's retries; the rules are the same for every kind (`retryDecision`). */
export interface RetrySchedule {
  /** Wait after the first failed try; doubled after each further one. */
  baseMs: number;
  /** Longest wait between tries (unless the other side asks for longer). */
  maxMs: number;
  /** Tries for errors that are neither an outage nor a refusal (bad output, bugs) before giving up. */
  maxUnexpectedAttempts: number;
}

/** Model work: spaced up to half an hour, so an outage of hours loses nothing and costs a few dozen tries. */
export const MODEL_RETRY_SCHEDULE: RetrySchedule = { baseMs: 15_000, maxMs: 30 * 60_000, maxUnexpectedAttempts: 5 };

/** The other side (a model provider or its queue, Frigate) is down or busy: wait and try again, however long it takes. */
const OUTAGE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'provider_unavailable',
  'provider_timeout',
  'provider_rate_limited',
  'queue_full',
  'circuit_open',
  'input_unreachable',
]);

/** Trying again cannot help until someone changes something (a key, a model name, the event). */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['provider_auth', 'provider_bad_request', 'invalid_argument', 'input_not_found']);

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * What to do after try number `attempts` (1-based) failed with `error`, for every job kind:
 * - refusals (the codes above, or a VigilError that says retrying cannot help) fail at once;
 * - outages (retryable errors with an outage code) are retried for as long as they last;
 * - anything else (retryable errors of other codes, foreign errors such as bugs) is tried
 *   `maxUnexpectedAttempts` times.
 * Waits double from `baseMs` up to `maxMs`, and are never shorter than the other side's Retry-After.
 */
export function retryDecision(error: unknown, attempts: number, schedule: RetrySchedule): RetryDecision {
  const vigil = isVigilError(error) ? error : undefined;
  if (vigil && (PERMANENT.has(vigil.code) || (!vigil.retryable && !OUTAGE.has(vigil.code)))) return { retry: false };
  const outage = vigil !== undefined && OUTAGE.has(vigil.code);
  if (!outage && attempts >= schedule.maxUnexpectedAttempts) return { retry: false };
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const backoff = Math.min(schedule.maxMs, schedule.baseMs * 2 ** exponent);
  return { retry: true, delayMs: Math.max(backoff, vigil?.retryAfterMs ?? 0) };
}

/** "provider_unavailable: Ollama at ... refused the connection", or the message of a foreign error. */
export function errorText(error: unknown): string {
  if (isVigilError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
