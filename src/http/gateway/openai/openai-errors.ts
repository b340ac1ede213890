import { isVigilError, VigilError, type ErrorCode } from '../../../domain/errors.ts';
import { redactUrlCredentials } from '../../../domain/redact.ts';
import { capMessage } from '../../echo.ts';

/**
 * Vigil's errors as OpenAI answers them: `{ error: { message, type, param, code } }` with the
 * status on which the official SDKs raise the matching class (400 BadRequestError, 401
 * AuthenticationError, 404 NotFoundError, 409 ConflictError, 422 UnprocessableEntityError, 429
 * RateLimitError, 5xx InternalServerError; others APIError). A key's own limits (rate_limited)
 * are 429 with Retry-After; a model the key may not use (forbidden) is 403 PermissionDeniedError.
 *
 * Where this differs from Vigil's own API (http-error.ts), it is because the request is the
 * client's, not Vigil's:
 * - provider_bad_request is 400: the backend refused what the client asked (a context too long,
 *   tools a model cannot use); retrying it cannot help, and 502 would make the SDK retry.
 * - queue_full is 503, not 429: the shared model queue is full, which is the server being
 *   overloaded (OpenAI's own 503), not this client going over its rate.
 * - provider outages are 503 and a backend timeout 504, both with Retry-After where known.
 *
 * `code` is OpenAI's well-known code where one fits (invalid_api_key, rate_limit_exceeded), else
 * Vigil's stable code. `param` is null: VigilError does not carry the field apart from its message.
 */

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null };
}

export interface OpenAiErrorResponse {
  status: number;
  body: OpenAiErrorBody;
  headers: Record<string, string>;
}

interface Mapping {
  status: number;
  type: OpenAiErrorType;
  code?: string;
}

const badRequest: Mapping = { status: 400, type: 'invalid_request_error' };
const notFound: Mapping = { status: 404, type: 'not_found_error' };
const unprocessable: Mapping = { status: 422, type: 'invalid_request_error' };
const serverError: Mapping = { status: 500, type: 'server_error' };
const badGateway: Mapping = { status: 502, type: 'server_error' };
const unavailable: Mapping = { status: 503, type: 'server_error' };

/** Every code has its answer; a new ErrorCode does not compile until it has one here. */
const MAPPINGS: Readonly<Record<ErrorCode, Mapping>> = {
  invalid_argument: badRequest,
  provider_bad_request: badRequest,
  unauthorized: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  forbidden: { status: 403, type: 'permission_error' },
  not_found: notFound,
  camera_unknown: notFound,
  input_not_found: notFound,
  busy: { status: 409, type: 'invalid_request_error' },
  lease_lost: { status: 409, type: 'invalid_request_error' },
  too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  input_empty: unprocessable,
  input_unreadable: unprocessable,
  decode_failed: unprocessable,
  fetch_failed: unprocessable,
  rate_limited: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  provider_rate_limited: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  config_invalid: serverError,
  config_not_found: serverError,
  env_missing: serverError,
  ffmpeg_missing: serverError,
  detector_failed: serverError,
  model_invalid: serverError,
  storage_failed: serverError,
  internal: serverError,
  input_unreachable: badGateway,
  provider_auth: badGateway,
  provider_bad_output: badGateway,
  provider_failed: badGateway,
  provider_unavailable: unavailable,
  queue_full: unavailable,
  circuit_open: unavailable,
  aborted: unavailable,
  provider_timeout: { status: 504, type: 'server_error' },
};

/** More problems than this are not worth appending to one message. */
const MAX_DETAILS = 5;

/**
 * The response for an error. Anything that is not a VigilError is an internal error whose text
 * stays in the server log (the caller logs it; this function does no I/O).
 */
export function openAiError(error: unknown): OpenAiErrorResponse {
  const known = isVigilError(error) ? error : new VigilError('internal', 'internal error (see the server log)', { cause: error });
  const mapping = MAPPINGS[known.code];
  const headers: Record<string, string> = {};
  if (known.retryAfterMs !== undefined && (mapping.status === 429 || mapping.status >= 500)) {
    // Whole seconds for every client; the official SDKs also read the exact retry-after-ms.
    headers['retry-after'] = String(Math.max(1, Math.ceil(known.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.max(1, Math.ceil(known.retryAfterMs)));
  }
  return { status: mapping.status, body: { error: { message: messageOf(known), type: mapping.type, param: null, code: mapping.code ?? known.code } }, headers };
}

/** OpenAI has one message and no details: the details that say more than the message go after it. */
function messageOf(error: VigilError): string {
  const extra = error.details.filter((d) => !error.message.includes(d)).slice(0, MAX_DETAILS);
  const text = extra.length > 0 ? `${error.message} (${extra.join('; ')})` : error.message;
  // Redacted before capped: a cut inside a URL must not hide its password from the redaction.
  return capMessage(redactUrlCredentials(text));
}
