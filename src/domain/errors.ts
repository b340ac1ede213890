/**
 * The one error type of Vigil. Every failure a user can meet carries a stable `code`,
 * a message written for that user, the underlying `cause`, and whether retrying can help.
 * Layers that face users (CLI, HTTP) turn these into exit codes / responses in one place each.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'config_not_found'
  | 'env_missing'
  | 'input_not_found'
  | 'input_empty'
  | 'input_unreadable'
  | 'input_unreachable'
  | 'decode_failed'
  | 'ffmpeg_missing'
  | 'detector_failed'
  | 'model_invalid'
  | 'camera_unknown'
  | 'storage_failed'
  // Another process is doing the same work right now (e.g. analysing the same file with the same settings).
  | 'busy'
  // A live camera's lease moved to another worker: this one must stop writing its frames.
  | 'lease_lost'
  | 'aborted'
  | 'invalid_argument'
  | 'provider_unavailable'
  | 'provider_timeout'
  | 'provider_rate_limited'
  | 'provider_auth'
  | 'provider_bad_request'
  | 'provider_bad_output'
  | 'provider_failed'
  | 'queue_full'
  | 'circuit_open'
  | 'fetch_failed'
  // Codes of the HTTP edge: a request for something that is not there, without a valid token, too
  // large or of a type the endpoint does not take; `internal` is what an unexpected error becomes.
  | 'not_found'
  | 'unauthorized'
  // A valid key that may not do this (a model it is not allowed), and one over its limits
  // (requests per minute, concurrent requests, tokens per day): the gateway's refusals.
  | 'forbidden'
  | 'rate_limited'
  | 'too_large'
  | 'unsupported_media_type'
  | 'internal';

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Extra lines shown to the user under the message (e.g. one per invalid config field). */
  readonly details: readonly string[];

  /** When the other side said how long to wait before trying again (HTTP Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: readonly string[]; retryAfterMs?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? [];
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isVigilError(value: unknown): value is VigilError {
  return value instanceof VigilError;
}
