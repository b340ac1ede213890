import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isVigilError, type ErrorCode } from '../domain/errors.ts';
import { redactUrlCredentials } from '../domain/redact.ts';
import type { Logger } from '../ports/logger.ts';

/** Errors that only exist at the HTTP edge. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_argument: 400,
  camera_unknown: 404,
  input_not_found: 404,
  fetch_failed: 422,
  queue_full: 429,
  provider_rate_limited: 429,
  circuit_open: 503,
  provider_unavailable: 502,
  provider_auth: 502,
  provider_bad_request: 502,
  provider_bad_output: 502,
  provider_failed: 502,
  provider_timeout: 504,
  aborted: 503,
};

/** The one place where errors become HTTP responses. */
export function errorResponse(error: unknown, c: Context, logger: Logger): Response {
  if (error instanceof HttpError) {
    return c.json({ error: { code: error.code, message: error.message, details: error.details } }, error.status);
  }
  if (isVigilError(error)) {
    const status = STATUS[error.code] ?? 500;
    if (status >= 500) logger.error({ code: error.code, err: error }, 'request failed');
    // Busy or rate-limited: tell the client when to come back (whole seconds, at least 1).
    const headers: Record<string, string> =
      error.retryAfterMs !== undefined && (status === 429 || status === 503) ? { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) } : {};
    return c.json({ error: { code: error.code, message: redactUrlCredentials(error.message), details: error.details } }, status, headers);
  }
  logger.error({ err: error }, 'unexpected error in a request');
  return c.json({ error: { code: 'internal', message: 'internal error (see the server log)', details: [] } }, 500);
}
