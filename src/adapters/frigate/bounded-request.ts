import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { VigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';

export interface BoundedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

export interface BoundedRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  /** Accept any TLS certificate (Frigate's self-signed one on port 8971). */
  insecure?: boolean;
  signal?: AbortSignal;
}

const unreachable = (message: string, cause?: unknown) => new VigilError('input_unreachable', message, { retryable: true, ...(cause !== undefined ? { cause } : {}) });

/**
 * One HTTP request to a configured (trusted) server with a deadline for the whole exchange and a
 * cap on the body. Connection failures and timeouts are retryable `input_unreachable` errors; a
 * body over the cap is a permanent `fetch_failed`. Messages never contain URL credentials.
 */
export function boundedRequest(url: URL, options: BoundedRequest): Promise<BoundedResponse> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const shown = redactUrlCredentials(url.href);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: options.method,
      headers: { 'user-agent': 'vigil', ...options.headers },
      signal,
      ...(url.protocol === 'https:' && options.insecure ? { rejectUnauthorized: false } : {}),
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted && deadline.aborted) reject(unreachable(`${shown} did not answer within ${options.timeoutMs / 1000} s`, error));
      else if (signal.aborted) reject(new VigilError('aborted', 'the request was cancelled', { cause: error }));
      else reject(unreachable(`${shown} could not be reached (${error.code ?? error.message})`, error));
    });
    req.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        response.destroy();
        reject(new VigilError('fetch_failed', `${shown} answered ${declared} bytes; the limit is ${options.maxBytes}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          response.destroy();
          reject(new VigilError('fetch_failed', `${shown} answered more than the limit of ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: new Uint8Array(Buffer.concat(chunks)) }));
      response.on('error', (error) => reject(unreachable(`${shown} broke off the answer (${error.message})`, error)));
    });
    req.end(options.body);
  });
}
