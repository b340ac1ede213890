import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBodyWire } from '../contract/api.schemas.ts';
import { isVigilError, VigilError, type ErrorCode } from '../domain/errors.ts';
import { redactUrlCredentials } from '../domain/redact.ts';
import type { Logger } from '../ports/logger.ts';
import { capMessage } from './echo.ts';

/**
 * The HTTP status of every error code; a new code does not compile until it has one here.
 * Anything the user can act on (a bad request, a video that cannot be read) is a 4xx; trouble on
 * our side or upstream is a 5xx, and only those are logged as failures.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_argument: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  camera_unknown: 404,
  input_not_found: 404,
  busy: 409,
  lease_lost: 409,
  too_large: 413,
  unsupported_media_type: 415,
  // The video was found but cannot be used as it is: the user has to fix or replace it.
  input_empty: 422,
  input_unreadable: 422,
  decode_failed: 422,
  fetch_failed: 422,
  queue_full: 429,
  rate_limited: 429,
  provider_rate_limited: 429,
  config_invalid: 500,
  config_not_found: 500,
  env_missing: 500,
  ffmpeg_missing: 500,
  detector_failed: 500,
  model_invalid: 500,
  storage_failed: 500,
  internal: 500,
  input_unreachable: 502,
  provider_unavailable: 502,
  provider_auth: 502,
  provider_bad_request: 502,
  provider_bad_output: 502,
  provider_failed: 502,
  circuit_open: 503,
  aborted: 503,
  provider_timeout: 504,
};

/** Hono's own exceptions (a malformed body, say) in Vigil's terms, so that they answer the same way. */
function fromHonoException(error: HTTPException): VigilError {
  const code: ErrorCode =
    error.status === 400 ? 'invalid_argument'
    : error.status === 401 ? 'unauthorized'
    : error.status === 404 ? 'not_found'
    : error.status === 413 ? 'too_large'
    : error.status === 415 ? 'unsupported_media_type'
    : 'internal';
  return new VigilError(code, code === 'internal' ? 'internal error (see the server log)' : error.message || code.replace(/_/g, ' '), { cause: error });
}

/** More problems than this in one request are not worth listing. */
const MAX_DETAILS = 20;

/** Whatever a handler threw, as the VigilError it answers with (the gateway's protocols shape it their own way). */
export function toVigilError(error: unknown): VigilError {
  if (isVigilError(error)) return error;
  if (error instanceof HTTPException) return fromHonoException(error);
  return new VigilError('internal', 'internal error (see the server log)', { cause: error });
}

/** The one place where errors become HTTP responses: every one is a VigilError by the time it answers. */
export function errorResponse(error: unknown, c: Context, logger: Logger): Response {
  const known = toVigilError(error);
  const status = HTTP_STATUS[known.code];
  if (status >= 500) logger.error({ code: known.code, err: known.code === 'internal' ? known.cause : known, path: c.req.path }, 'request failed');
  // Busy or rate-limited: tell the client when to come back (whole seconds, at least 1).
  const headers: Record<string, string> =
    known.retryAfterMs !== undefined && (status === 429 || status === 503) ? { 'Retry-After': String(Math.max(1, Math.ceil(known.retryAfterMs / 1000))) } : {};
  // Redacted before capped: a cut inside a URL must not hide its password from the redaction.
  const body: ErrorBodyWire = {
    error: {
      code: known.code,
      message: capMessage(redactUrlCredentials(known.message)),
      details: known.details.slice(0, MAX_DETAILS).map((d) => capMessage(redactUrlCredentials(d))),
    },
  };
  return c.json(body, status, headers);
}
