/**
 * The small HTTP layer every LLM adapter (Ollama, OpenAI and compatible servers, Azure OpenAI,
 * Gemini, Anthropic) is built on.
 *
 * Why no SDKs: there are five providers, and the port promises one set of error codes, one
 * timeout/abort behaviour and one token accounting across all of them. Thin clients over the
 * global `fetch` give that uniformity in one place, add no dependencies (and none of their
 * transitive ones), and keep every response validated by a zod schema at the boundary rather
 * than trusting hand-written wire types. The OpenAI SDK would cover only two of the five
 * (OpenAI and Azure OpenAI), each SDK would bring its own retry, timeout and error classes
 * to translate, and the wire protocols we use are a single POST each.
 *
 * API, kept deliberately small and stable because several adapters import it:
 *   postJson(url, body, { headers, timeoutMs, signal, providerName }) -> { status, ok, headers, body, text }
 *   readBody(response, schema, { providerName, secrets }) -> validated body, or throws providerError / provider_bad_output
 *   providerError(status, body, headers, providerName, { secrets }) -> VigilError
 *   toBase64(bytes), mergeProviderOptions(body, providerOptions, reserved), joinUrl(base, path),
 *   tokenUsage(input, output)
 */
import type { z } from 'zod';
import type { LlmUsage } from '../../../ports/llm-provider.ts';
import { VigilError } from '../../../domain/errors.ts';
import { isRecord, providerError, redactSecrets } from './provider-error.ts';

export { errorMessageOf, isRecord, parseRetryAfter, providerError, redactSecrets, retryAfterFromHeaders } from './provider-error.ts';
export type { ProviderErrorOptions } from './provider-error.ts';

export interface PostJsonOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** The caller's signal: aborting it gives VigilError 'aborted', not a provider error. */
  signal?: AbortSignal;
  /** Used in messages ("openai is unavailable"), e.g. the configured provider name. */
  providerName: string;
}

export interface JsonResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  /** The raw body text, for diagnostics. */
  text: string;
}

/**
 * POSTs a JSON body and reads the whole answer, whatever its status. Throws only when no answer
 * arrived: 'aborted' (caller), provider_timeout (timeoutMs passed, including while reading the
 * body) or provider_unavailable (connection refused, DNS, reset). Messages name the host only,
 * never the path or query, since some providers accept keys in the query string.
 */
export async function postJson(url: string, body: unknown, options: PostJsonOptions): Promise<JsonResponse> {
  const { providerName, timeoutMs, signal } = options;
  if (signal?.aborted) throw abortedError(providerName, signal.reason);
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: combined,
    });
    const text = await response.text();
    return { status: response.status, ok: response.ok, headers: response.headers, body: parseJsonOrUndefined(text), text };
  } catch (error) {
    if (signal?.aborted) throw abortedError(providerName, signal.reason);
    if (timeout.aborted) {
      throw new VigilError('provider_timeout', `${providerName} did not answer within ${timeoutMs} ms (${hostOf(url)})`, {
        retryable: true,
        cause: error,
      });
    }
    throw new VigilError('provider_unavailable', `Cannot reach ${providerName} at ${hostOf(url)}: ${describeNetworkError(error)}`, {
      retryable: true,
      cause: error,
    });
  }
}

export interface ReadBodyOptions {
  providerName: string;
  secrets?: readonly (string | undefined)[];
}

/**
 * The validated body of a response: a non-2xx becomes the mapped provider error, a 2xx that is
 * not JSON or does not match the schema becomes provider_bad_output.
 */
export function readBody<S extends z.ZodType>(response: JsonResponse, schema: S, options: ReadBodyOptions): z.output<S> {
  if (!response.ok) {
    throw providerError(response.status, response.body ?? response.text, response.headers, options.providerName, {
      secrets: options.secrets,
    });
  }
  if (response.body === undefined) {
    throw new VigilError('provider_bad_output', `${options.providerName} answered HTTP ${response.status} with a body that is not JSON`, {
      retryable: true,
      details: [redactSecrets(`body starts with: ${response.text.slice(0, 200)}`, options.secrets)],
    });
  }
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    throw new VigilError('provider_bad_output', `${options.providerName} answered with a body that does not match its protocol`, {
      retryable: true,
      details: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    });
  }
  return parsed.data;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Adds the user's provider_options to a request body. Keys the adapter reserves (model,
 * messages, or options it routes elsewhere such as Azure's api_version) are skipped; where both
 * sides hold a plain object (Ollama's `options`), the two are merged one level deep and the
 * adapter's per-request values win, so a request's temperature beats a configured default.
 */
export function mergeProviderOptions(
  body: Record<string, unknown>,
  providerOptions: Record<string, unknown>,
  reserved: readonly string[],
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...body };
  for (const [key, value] of Object.entries(providerOptions)) {
    if (reserved.includes(key) || value === undefined) continue;
    const own = merged[key];
    if (own === undefined) merged[key] = value;
    else if (isRecord(own) && isRecord(value)) merged[key] = { ...value, ...own };
  }
  return merged;
}

/** LlmUsage without undefined-valued keys, so results compare and serialise cleanly. */
export function tokenUsage(inputTokens: number | null | undefined, outputTokens: number | null | undefined): LlmUsage {
  return {
    ...(inputTokens === undefined || inputTokens === null ? {} : { inputTokens }),
    ...(outputTokens === undefined || outputTokens === null ? {} : { outputTokens }),
  };
}

/** Joins a base URL and a path without doubling or losing slashes; keeps any path in the base. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function abortedError(providerName: string, reason: unknown): VigilError {
  return new VigilError('aborted', `The request to ${providerName} was cancelled`, { cause: reason });
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: callers see `body: undefined` and still have `text` for diagnostics.
    return undefined;
  }
}

/** The host of a provider URL, for error messages that must not quote paths or credentials. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/** What a failed fetch ran into (ECONNREFUSED, ENOTFOUND...), in a few words. */
export function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.message;
  }
  return 'connection failed';
}
