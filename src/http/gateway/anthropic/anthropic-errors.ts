import type { ErrorCode, VigilError } from '../../../domain/errors.ts';
import { redactUrlCredentials } from '../../../domain/redact.ts';
import { capMessage } from '../../echo.ts';

/**
 * Vigil's errors in Anthropic's terms (https://platform.claude.com/docs/en/api/errors): the status and
 * `error.type` decide what the official SDKs do, so they are chosen for that.
 * - 4xx are never retried by the SDKs; 429, 5xx and 529 are, honouring `retry-after` (and the
 *   SDK-only `retry-after-ms`) when present.
 * - queue_full and circuit_open are 529 overloaded_error: the gateway (or its backend) cannot take the
 *   request now, for every client alike, which is what 529 means; the SDKs and Claude Code back off and
 *   retry it, and Claude Code says "server-side issue, usually temporary". 429 rate_limit_error is kept
 *   for a limit on the caller (a key's limits, or the backend itself asking to slow down).
 * - A backend that rejects the gateway's own credentials is not the caller's 401: it is an api_error
 *   with `x-should-retry: false`, since no retry fixes a misconfigured gateway.
 * A new ErrorCode does not compile until it has a row here.
 */
const ERRORS: Readonly<Record<ErrorCode, { status: number; type: string; noRetry?: true }>> = {
  invalid_argument: { status: 400, type: 'invalid_request_error' },
  // The backend refused what the client sent (too long a prompt for the model, an image it cannot read).
  provider_bad_request: { status: 400, type: 'invalid_request_error' },
  input_empty: { status: 400, type: 'invalid_request_error' },
  input_unreadable: { status: 400, type: 'invalid_request_error' },
  decode_failed: { status: 400, type: 'invalid_request_error' },
  fetch_failed: { status: 400, type: 'invalid_request_error' },
  // A wrong key stays wrong: without this header Claude Code retries a 401 for minutes.
  unauthorized: { status: 401, type: 'authentication_error', noRetry: true },
  // A key that may not use this model (or this endpoint).
  forbidden: { status: 403, type: 'permission_error', noRetry: true },
  not_found: { status: 404, type: 'not_found_error' },
  camera_unknown: { status: 404, type: 'not_found_error' },
  input_not_found: { status: 404, type: 'not_found_error' },
  // Anthropic uses invalid_request_error for 4xx statuses it has no type for.
  busy: { status: 409, type: 'invalid_request_error' },
  lease_lost: { status: 409, type: 'invalid_request_error' },
  too_large: { status: 413, type: 'request_too_large' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  // A key over its limits, or the backend asking the gateway to slow down.
  rate_limited: { status: 429, type: 'rate_limit_error' },
  provider_rate_limited: { status: 429, type: 'rate_limit_error' },
  config_invalid: { status: 500, type: 'api_error', noRetry: true },
  config_not_found: { status: 500, type: 'api_error', noRetry: true },
  env_missing: { status: 500, type: 'api_error', noRetry: true },
  ffmpeg_missing: { status: 500, type: 'api_error', noRetry: true },
  model_invalid: { status: 500, type: 'api_error', noRetry: true },
  detector_failed: { status: 500, type: 'api_error' },
  storage_failed: { status: 500, type: 'api_error' },
  internal: { status: 500, type: 'api_error' },
  input_unreachable: { status: 502, type: 'api_error' },
  provider_unavailable: { status: 502, type: 'api_error' },
  provider_failed: { status: 502, type: 'api_error' },
  // Sampling again may well give a well-formed answer, so this one is left retryable.
  provider_bad_output: { status: 502, type: 'api_error' },
  provider_auth: { status: 502, type: 'api_error', noRetry: true },
  aborted: { status: 503, type: 'api_error' },
  provider_timeout: { status: 504, type: 'timeout_error' },
  queue_full: { status: 529, type: 'overloaded_error' },
  circuit_open: { status: 529, type: 'overloaded_error' },
};

/** At most this many of an error's details are appended to its message (Anthropic's error has only a message). */
const MAX_DETAILS = 5;

/** The official SDKs honour Retry-After only below a minute. */
const LONGEST_SDK_WAIT_MS = 60_000;

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export interface AnthropicErrorResponse {
  status: number;
  body: AnthropicErrorBody;
  headers: Record<string, string>;
}

/** The body of an error response, and the data of a stream's error event. */
export function anthropicErrorBody(error: VigilError, requestId?: string): AnthropicErrorBody {
  return {
    type: 'error',
    error: { type: ERRORS[error.code].type, message: messageOf(error) },
    ...(requestId !== undefined ? { request_id: requestId } : {}),
  };
}

/**
 * The HTTP answer for an error before any of the response was sent. `requestId`, when the caller has
 * one, goes in the body's `request_id` and the `request-id` header, where the SDKs read it.
 */
export function anthropicError(error: VigilError, requestId?: string): AnthropicErrorResponse {
  const { status, noRetry } = ERRORS[error.code];
  const headers: Record<string, string> = {};
  if (requestId !== undefined) headers['request-id'] = requestId;
  if (error.retryAfterMs !== undefined && status >= 429) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    // Only the SDKs read this one; it saves a client from waiting out the rounding up.
    headers['retry-after-ms'] = String(Math.max(0, Math.round(error.retryAfterMs)));
  }
  // A wait longer than a minute (a key's tokens for the day) is one the SDKs would not honour: they
  // retry after their own short backoff, again and again. Told not to, the client shows the error.
  if (noRetry || (error.retryAfterMs !== undefined && error.retryAfterMs > LONGEST_SDK_WAIT_MS)) headers['x-should-retry'] = 'false';
  return { status, body: anthropicErrorBody(error, requestId), headers };
}

function messageOf(error: VigilError): string {
  // The first detail usually is the message (parse errors); the rest say what else was wrong.
  const more = error.details.filter((detail) => detail !== error.message).slice(0, MAX_DETAILS);
  const text = more.length > 0 ? `${error.message} (also: ${more.join('; ')})` : error.message;
  // Redacted before capped: a cut inside a URL must not hide its password from the redaction.
  return capMessage(redactUrlCredentials(text));
}
