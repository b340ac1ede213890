import { VigilError } from '../../../domain/errors.ts';

/**
 * Turns a non-2xx provider answer into a VigilError with one of the port's `provider_*` codes.
 * Knows the error bodies of every provider we speak to:
 *   Ollama      {"error": "model \"x\" not found, try pulling it first"}
 *   OpenAI      {"error": {"message", "type", "param", "code"}}  (Azure OpenAI alike)
 *   Gemini      {"error": {"code", "message", "status", "details": [{"retryDelay": "37s"}]}}
 *   Anthropic   {"type": "error", "error": {"type", "message"}}
 */
export interface ProviderErrorOptions {
  /** Values to scrub from anything the error carries (API keys): some providers echo them back. */
  secrets?: readonly (string | undefined)[];
  /** For tests: the clock used to turn a Retry-After HTTP date into a delay. */
  now?: number;
}

export function providerError(
  status: number,
  body: unknown,
  headers: Headers,
  providerName: string,
  options: ProviderErrorOptions = {},
): VigilError {
  const said = errorMessageOf(body);
  const reason = said === undefined ? '' : `: ${truncate(said, 500)}`;
  const details = said === undefined ? [] : [`provider said: ${redactSecrets(truncate(said, 2000), options.secrets)}`];
  const message = (text: string) => redactSecrets(`${text}${reason}`, options.secrets);

  if (status === 429) {
    const retryAfterMs = retryAfterFromHeaders(headers, options.now ?? Date.now()) ?? retryDelayFromBody(body);
    return new VigilError('provider_rate_limited', message(`${providerName} is rate limiting requests (HTTP 429)`), {
      retryable: true,
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 401 || status === 403) {
    return new VigilError('provider_auth', message(`${providerName} rejected the credentials (HTTP ${status}); check the API key`), { details });
  }
  if (status === 408) {
    return new VigilError('provider_timeout', message(`${providerName} timed out the request (HTTP 408)`), { retryable: true, details });
  }
  if (status >= 500) {
    const retryAfterMs = retryAfterFromHeaders(headers, options.now ?? Date.now());
    return new VigilError('provider_unavailable', message(`${providerName} is unavailable (HTTP ${status})`), {
      retryable: true,
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status >= 400) {
    const hint = status === 404 ? ' (is the model name right, and is it installed or deployed?)' : '';
    return new VigilError('provider_bad_request', message(`${providerName} refused the request (HTTP ${status})${hint}`), { details });
  }
  return new VigilError('provider_failed', message(`${providerName} answered with unexpected HTTP ${status}`), { details });
}

/** The human-readable message inside any of the known error bodies, or a short raw text. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim();
  if (!isRecord(body)) return undefined;
  const error = body['error'];
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error['message'] === 'string') return error['message'];
  if (typeof body['message'] === 'string') return body['message'];
  return undefined;
}

/**
 * Retry-After as milliseconds: either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * OpenAI also sends `retry-after-ms`, which is more precise when present.
 */
export function retryAfterFromHeaders(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get('retry-after');
  return value === null ? undefined : parseRetryAfter(value, now);
}

export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  // Date.parse is lenient ("-3" is a year); an HTTP date always names its day and month.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Gemini puts the wait in the body: error.details[] { "@type": "...RetryInfo", "retryDelay": "37s" }. */
function retryDelayFromBody(body: unknown): number | undefined {
  if (!isRecord(body) || !isRecord(body['error'])) return undefined;
  const details = body['error']['details'];
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (isRecord(detail) && typeof detail['retryDelay'] === 'string') {
      const match = /^(\d+(?:\.\d+)?)s$/.exec(detail['retryDelay']);
      if (match?.[1] !== undefined) return Math.ceil(Number(match[1]) * 1000);
    }
  }
  return undefined;
}

export function redactSecrets(text: string, secrets: readonly (string | undefined)[] | undefined): string {
  let result = text;
  for (const secret of secrets ?? []) {
    // Very short "secrets" would mangle ordinary words; real keys are long.
    if (secret !== undefined && secret.length >= 4) result = result.split(secret).join('***');
  }
  return result;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
