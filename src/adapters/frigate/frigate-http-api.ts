import { VigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';
import type { FrigateApi, FrigateImage } from '../../ports/frigate-api.ts';
import { sniffImageType } from '../fetch/image-fetcher.ts';
import { boundedRequest, type BoundedResponse } from './bounded-request.ts';

export interface FrigateHttpOptions {
  /** e.g. http://192.168.1.10:5000 (no auth) or https://frigate.lan:8971 (with user and password). */
  baseUrl: string;
  user?: string;
  password?: string;
  timeoutMs: number;
  maxBytes: number;
  /** Largest clip accepted (clips are far larger than snapshots). */
  maxClipBytes?: number;
  /** Accept a self-signed certificate (Frigate's default on 8971). */
  insecureTls?: boolean;
}

/** Frigate sets its JWT as this cookie (auth.cookie_name's default). */
const TOKEN_COOKIE = 'frigate_token';

/**
 * Frigate's HTTP API. With credentials it logs in (`POST /api/login`, Frigate 0.14+), keeps the
 * JWT from the `frigate_token` cookie and sends it as a Bearer token; Bearer tokens are not
 * refreshed by Frigate, so a 401 means: log in again, once.
 */
export class FrigateHttpApi implements FrigateApi {
  private token: string | undefined;
  private readonly base: URL;

  constructor(private readonly options: FrigateHttpOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  }

  snapshot(frigateId: string, signal?: AbortSignal): Promise<FrigateImage | undefined> {
    return this.image(`api/events/${encodeURIComponent(frigateId)}/snapshot.jpg`, signal);
  }

  thumbnail(frigateId: string, signal?: AbortSignal): Promise<FrigateImage | undefined> {
    return this.image(`api/events/${encodeURIComponent(frigateId)}/thumbnail.jpg`, signal);
  }

  async clip(frigateId: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const path = `api/events/${encodeURIComponent(frigateId)}/clip.mp4`;
    const response = await this.call('GET', path, undefined, signal, this.options.maxClipBytes);
    if (response.status === 404) return undefined;
    this.check(response, path);
    // An MP4 starts with a box whose type is "ftyp"; anything else (an HTML error page) is not a clip.
    if (Buffer.from(response.body.subarray(4, 8)).toString('latin1') !== 'ftyp') throw new VigilError('fetch_failed', `Frigate's ${path} is not an MP4 file`);
    return response.body;
  }

  async setDescription(frigateId: string, description: string, signal?: AbortSignal): Promise<boolean> {
    const response = await this.call('POST', `api/events/${encodeURIComponent(frigateId)}/description`, JSON.stringify({ description }), signal);
    if (response.status === 404) return false;
    this.check(response, 'description');
    return true;
  }

  private async image(path: string, signal: AbortSignal | undefined): Promise<FrigateImage | undefined> {
    const response = await this.call('GET', path, undefined, signal);
    // Frigate answers 404 for an unknown event and for an event without this image.
    if (response.status === 404) return undefined;
    this.check(response, path);
    const mimeType = sniffImageType(response.body);
    if (!mimeType) throw new VigilError('fetch_failed', `Frigate's ${path} is not a JPEG, PNG or WebP image`);
    return { data: response.body, mimeType };
  }

  private async call(method: 'GET' | 'POST', path: string, body: string | undefined, signal: AbortSignal | undefined, maxBytes = this.options.maxBytes): Promise<BoundedResponse> {
    const send = async () =>
      boundedRequest(new URL(path, this.base), {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        timeoutMs: this.options.timeoutMs,
        maxBytes,
        insecure: this.options.insecureTls ?? false,
        ...(signal ? { signal } : {}),
      });
    if (this.options.user !== undefined && this.token === undefined) await this.login(signal);
    const first = await send();
    if (first.status !== 401 || this.options.user === undefined) return first;
    this.token = undefined;
    await this.login(signal);
    return send();
  }

  private async login(signal: AbortSignal | undefined): Promise<void> {
    const response = await boundedRequest(new URL('api/login', this.base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: this.options.user, password: this.options.password }),
      timeoutMs: this.options.timeoutMs,
      maxBytes: 64 * 1024,
      insecure: this.options.insecureTls ?? false,
      ...(signal ? { signal } : {}),
    });
    // A wrong password is retried like an outage (with backoff): jobs wait until the config is fixed.
    if (response.status === 401 || response.status === 403) throw new VigilError('input_unreachable', `Frigate refused the login of user "${this.options.user}" (HTTP ${response.status})`, { retryable: true });
    this.check(response, 'api/login');
    const cookies = response.headers['set-cookie'] ?? [];
    const token = cookies.map((c) => new RegExp(`^${TOKEN_COOKIE}=([^;]+)`).exec(c)?.[1]).find((t) => t !== undefined);
    if (!token) throw new VigilError('input_unreachable', `Frigate's login answered without a ${TOKEN_COOKIE} cookie`, { retryable: true });
    this.token = token;
  }

  private check(response: BoundedResponse, what: string): void {
    if (response.status >= 200 && response.status < 300) return;
    const shown = redactUrlCredentials(this.base.href);
    // 5xx and 429: Frigate is (re)starting or busy. Anything else will not change by waiting.
    const retryable = response.status >= 500 || response.status === 429 || response.status === 401 || response.status === 403;
    throw new VigilError(retryable ? 'input_unreachable' : 'fetch_failed', `Frigate at ${shown} answered HTTP ${response.status} for ${what}`, { retryable });
  }
}
