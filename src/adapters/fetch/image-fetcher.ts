import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { VigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';
import type { FetchedImage, ImageFetcher } from '../../ports/image-fetcher.ts';
import type { LlmImage } from '../../ports/llm-provider.ts';
import { hostAllowed, isPrivateAddress } from './address-policy.ts';

export interface ImageFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /** When not empty, only these hosts (exact, or `*.domain`); they may be private addresses. */
  allowedHosts: readonly string[];
}

const fail = (message: string, options: { cause?: unknown; retryable?: boolean } = {}) => new VigilError('fetch_failed', message, options);

/** What the bytes are, whatever the server claims: JPEG, PNG and WebP are what vision models take. */
export function sniffImageType(bytes: Uint8Array): LlmImage['mimeType'] | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/**
 * Fetches a user-supplied image URL with node:http(s) so that every connection's resolved
 * address is checked at connect time (no DNS-rebinding detour to a private address), redirects
 * are followed by hand and re-checked, and size and time are bounded.
 */
export class SafeImageFetcher implements ImageFetcher {
  constructor(private readonly options: ImageFetcherOptions) {}

  async fetch(url: string, options: { signal?: AbortSignal } = {}): Promise<FetchedImage> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    let current = url;
    for (let hop = 0; ; hop++) {
      const target = this.checkUrl(current);
      const response = await this.get(target, signal);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (hop >= this.options.maxRedirects) throw fail(`${redactUrlCredentials(url)} redirected more than ${this.options.maxRedirects} times`);
        current = new URL(response.headers.location, target).href;
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw fail(`${redactUrlCredentials(current)} answered HTTP ${status}`, { retryable: status >= 500 || status === 429 });
      }
      const data = await this.readBody(response, current, signal);
      const mimeType = sniffImageType(data);
      if (!mimeType) {
        const claimed = response.headers['content-type'] ?? 'no content type';
        throw fail(`${redactUrlCredentials(current)} is not a JPEG, PNG or WebP image (server said: ${claimed})`);
      }
      return { data, mimeType, finalUrl: current };
    }
  }

  private checkUrl(raw: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw fail(`"${raw.slice(0, 200)}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw fail(`only http and https image URLs are fetched, not ${parsed.protocol}`);
    const allowed = this.options.allowedHosts;
    const listed = allowed.length > 0 && hostAllowed(parsed.hostname, allowed);
    if (allowed.length > 0 && !listed) throw fail(`${parsed.hostname} is not in genai.analyze_image.allowed_hosts`);
    // An address written as an IP never goes through DNS, so the connect-time check would not see it.
    const literal = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !listed && isPrivateAddress(literal)) {
      throw fail(`${literal} is a private address; add it to genai.analyze_image.allowed_hosts to allow it`);
    }
    return parsed;
  }

  /** Resolves like the system does, but refuses private addresses unless the host was allowed by name. */
  private lookup(host: string): LookupFunction {
    const allowPrivate = this.options.allowedHosts.length > 0 && hostAllowed(host, this.options.allowedHosts);
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
        const first = usable[0];
        if (!first) {
          return callback(
            Object.assign(new Error(`${hostname} resolves only to private addresses; add it to genai.analyze_image.allowed_hosts to allow it`), { code: 'EPRIVATE' }),
            '',
            0,
          );
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        return callback(null, first.address, first.family);
      });
    };
  }

  private get(target: URL, signal: AbortSignal): Promise<IncomingMessage> {
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(target, { method: 'GET', lookup: this.lookup(target.hostname), signal, headers: { accept: 'image/jpeg,image/png,image/webp;q=0.9,*/*;q=0.1', 'user-agent': 'vigil' } });
      req.on('response', resolve);
      req.on('error', (error: NodeJS.ErrnoException) => reject(this.translate(error, target, signal)));
      req.end();
    });
  }

  private readBody(response: IncomingMessage, url: string, signal: AbortSignal): Promise<Uint8Array> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxBytes) {
      response.destroy();
      return Promise.reject(fail(`${redactUrlCredentials(url)} is ${declared} bytes; the limit is ${this.options.maxBytes}`));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.options.maxBytes) {
          response.destroy();
          reject(fail(`${redactUrlCredentials(url)} is larger than the limit of ${this.options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      response.on('error', (error: NodeJS.ErrnoException) => reject(this.translate(error, new URL(url), signal)));
    });
  }

  private translate(error: NodeJS.ErrnoException, target: URL, signal: AbortSignal): VigilError {
    const shown = redactUrlCredentials(target.href);
    if (signal.aborted) {
      const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
      return timedOut ? fail(`${shown} did not answer within ${this.options.timeoutMs / 1000} s`, { retryable: true, cause: error }) : new VigilError('aborted', 'The image fetch was cancelled', { cause: error });
    }
    if (error.code === 'EPRIVATE') return fail(error.message, { cause: error });
    return fail(`${shown} could not be fetched (${error.code ?? error.message})`, { retryable: true, cause: error });
  }
}
