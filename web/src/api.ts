/**
 * The typed client of docs/api.md. Every response is decoded before the UI sees it; every failure
 * becomes an ApiError whose message can be shown as is. A 401 asks the user for the API token once
 * (concurrent requests share the question), keeps it in localStorage and retries.
 */
import type { z } from 'zod';
import {
  camerasResponse,
  descriptionState,
  errorBodySchema,
  eventDetail,
  gatewayUsage,
  searchResponse,
  workersResponse,
  type Camera,
  type DescriptionState,
  type EventDetail,
  type GatewayUsage,
  type SearchResponse,
  type WorkersResponse,
} from './api-types.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    /** The server's error code (`invalid_argument`, `not_found`, …) or `network` / `bad_response`. */
    readonly code: string,
    message: string,
    /** From `Retry-After` (429, 503): seconds to wait before trying again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface SearchParams {
  q: string;
  from?: string | undefined;
  to?: string | undefined;
  camera?: string | undefined;
  type?: string | undefined;
  label?: string | undefined;
  limit?: number | undefined;
  lang?: string | undefined;
}

export interface TokenStore {
  get(): string | null;
  set(token: string): void;
  clear(): void;
}

export interface ApiClientOptions {
  tokens: TokenStore;
  /** Asks the user for the token; null when they decline. */
  askToken: () => Promise<string | null>;
  fetch?: typeof fetch;
}

export interface ApiClient {
  cameras(signal?: AbortSignal): Promise<Camera[]>;
  search(params: SearchParams, signal?: AbortSignal): Promise<SearchResponse>;
  event(id: string, signal?: AbortSignal): Promise<EventDetail>;
  /** Describes the event now with the descriptions model (may take as long as the model does). */
  regenerateDescription(id: string, signal?: AbortSignal): Promise<DescriptionState>;
  /** The gateway's keys and their usage over the last `days` UTC days (today included), of one key (by name) or all. */
  gatewayUsage(params: { days: number; key?: string | undefined }, signal?: AbortSignal): Promise<GatewayUsage>;
  /** The Vigil processes sharing the storage and which of them holds each live camera. */
  workers(signal?: AbortSignal): Promise<WorkersResponse>;
  /** A media path from a response as an <img> URL (with `?token=` when one is set), or null if it is not one. */
  mediaUrl(path: string | null | undefined): string | null;
}

const MEDIA_PREFIX = '/api/media/';

function queryString(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** The body as JSON, or undefined when it is empty or not JSON: the caller then reports a bad response with its status. */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** `events[3].start: Invalid ISO datetime`: the first problem, with where it is. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
  return `${path || 'response'}: ${issue.message}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  let asking: Promise<string | null> | null = null;

  function askOnce(): Promise<string | null> {
    asking ??= options.askToken().finally(() => {
      asking = null;
    });
    return asking;
  }

  async function send(path: string, method: 'GET' | 'POST', signal: AbortSignal | undefined): Promise<Response> {
    const token = options.tokens.get();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await fetchImpl(path, { method, headers, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, 'network', 'Cannot reach the Vigil server.');
    }
  }

  async function request<S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal, method: 'GET' | 'POST' = 'GET'): Promise<z.output<S>> {
    let response = await send(path, method, signal);
    if (response.status === 401) {
      const token = await askOnce();
      if (token) {
        options.tokens.set(token);
        response = await send(path, method, signal);
      }
      if (response.status === 401) options.tokens.clear();
    }
    const body = parseJson(await response.text());
    if (!response.ok) {
      let code = `http_${response.status}`;
      let message = `HTTP ${response.status} ${response.statusText}`.trim();
      // Not the documented error shape (a proxy's page, say): keep the status text.
      const decoded = errorBodySchema.safeParse(body);
      if (decoded.success) {
        code = decoded.data.error.code;
        message = decoded.data.error.message;
      }
      const retryAfter = Number(response.headers.get('Retry-After'));
      throw new ApiError(response.status, code, message, Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    const decoded = schema.safeParse(body);
    if (!decoded.success) throw new ApiError(response.status, 'bad_response', `Unexpected response from ${path.split('?')[0]}: ${firstIssue(decoded.error)}`);
    return decoded.data;
  }

  return {
    async cameras(signal) {
      return (await request('/api/cameras', camerasResponse, signal)).cameras;
    },
    search(params, signal) {
      const { q, from, to, camera, type, label, limit, lang } = params;
      return request(`/api/search${queryString({ q, from, to, camera, type, label, limit, lang })}`, searchResponse, signal);
    },
    event(id, signal) {
      return request(`/api/events/${encodeURIComponent(id)}`, eventDetail, signal);
    },
    regenerateDescription(id, signal) {
      return request(`/api/events/${encodeURIComponent(id)}/description/regenerate`, descriptionState, signal, 'POST');
    },
    gatewayUsage(params, signal) {
      return request(`/api/gateway/usage${queryString({ days: params.days, key: params.key })}`, gatewayUsage, signal);
    },
    workers(signal) {
      return request('/api/workers', workersResponse, signal);
    },
    mediaUrl(path) {
      if (!path || !path.startsWith(MEDIA_PREFIX) || path.includes('..')) return null;
      const token = options.tokens.get();
      return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
    },
  };
}
