import { isVigilError, type ErrorCode } from '../../../domain/errors.ts';

export interface RetrySchedule {
  /** Wait after the first failed try; doubled after each further one. */
  baseMs: number;
  /** Longest wait between tries (unless the provider asks for longer). */
  maxMs: number;
  /** Tries for errors that are neither an outage nor a refusal (bad output, bugs) before giving up. */
  maxUnexpectedAttempts: number;
}

/** Spaced up to half an hour: an outage of hours loses nothing, and costs a few dozen tries. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 15_000, maxMs: 30 * 60_000, maxUnexpectedAttempts: 5 };

/** The provider (or its queue) is down or busy: wait and try again, however long it takes. */
const OUTAGE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'provider_unavailable',
  'provider_timeout',
  'provider_rate_limited',
  'queue_full',
  'circuit_open',
]);

/** Trying again cannot help until someone changes something (a key, a model name, the event). */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['provider_auth', 'provider_bad_request', 'invalid_argument', 'input_not_found']);

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/** What to do after try number `attempts` (1-based) failed with `error`. */
export function retryDecision(error: unknown, attempts: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): RetryDecision {
  const code = isVigilError(error) ? error.code : undefined;
  if (code !== undefined && PERMANENT.has(code)) return { retry: false };
  if ((code === undefined || !OUTAGE.has(code)) && attempts >= schedule.maxUnexpectedAttempts) return { retry: false };
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const backoff = Math.min(schedule.maxMs, schedule.baseMs * 2 ** exponent);
  const asked = isVigilError(error) ? (error.retryAfterMs ?? 0) : 0;
  return { retry: true, delayMs: Math.max(backoff, asked) };
}

/** "provider_unavailable: Ollama at ... refused the connection", or the message of a foreign error. */
export function errorText(error: unknown): string {
  if (isVigilError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
