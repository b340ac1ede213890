/**
 * POST a JSON body and read a streamed answer, for the gateway's chat backends. The timeout
 * bounds the wait for the response headers and then every gap between two chunks of the body, so a
 * backend that stalls mid-answer gives provider_timeout instead of holding a provider slot forever;
 * a consumer that is slow to ask for the next chunk is not a stalled backend, so the clock runs only
 * while a read is waiting. Aborting the caller's signal, a timeout, or the consumer leaving the
 * loop early all cancel the fetch at once, which closes the connection to the backend.
 *
 * A non-2xx answer becomes the shared providerError mapping (429 + Retry-After, 5xx, 401/403,
 * 400/404) before anything is streamed. Messages name the host only and never carry the key.
 */
import { VigilError } from '../../../domain/errors.ts';
import { describeNetworkError, hostOf, providerError, redactSecrets } from './provider-http.ts';

export interface PostStreamOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  providerName: string;
  /** Values scrubbed from error messages (API keys). */
  secrets: readonly (string | undefined)[];
}

export interface StreamedResponse {
  status: number;
  headers: Headers;
  /** The decoded body, chunk by chunk. Iterate once; leaving the loop early cancels the request. */
  chunks: AsyncIterable<string>;
}

/** What ended the request on our side, so a failed read can say why. */
type Stop = 'timeout' | 'aborted' | 'done';

export async function postStream(url: string, body: unknown, options: PostStreamOptions): Promise<StreamedResponse> {
  const { providerName, timeoutMs, signal } = options;
  if (signal.aborted) throw abortedError(providerName, signal.reason);
  const controller = new AbortController();
  let stop: Stop | undefined;
  const end = (why: Stop) => {
    stop ??= why;
    controller.abort();
  };
  const onAbort = () => end('aborted');
  signal.addEventListener('abort', onAbort, { once: true });
  const fail = (error: unknown): VigilError => {
    if (stop === 'aborted' || signal.aborted) return abortedError(providerName, signal.reason ?? error);
    if (stop === 'timeout') {
      return new VigilError('provider_timeout', `${providerName} sent nothing for ${timeoutMs} ms (${hostOf(url)})`, { retryable: true, cause: error });
    }
    return new VigilError('provider_unavailable', redactSecrets(`Lost ${providerName} at ${hostOf(url)}: ${describeNetworkError(error)}`, options.secrets), {
      retryable: true,
      cause: error,
    });
  };
  const release = () => {
    signal.removeEventListener('abort', onAbort);
    end('done');
  };

  let response: Response;
  const headerTimer = setTimeout(() => end('timeout'), timeoutMs);
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!response.ok) {
      // Error bodies are small; the same clock still bounds reading one.
      const text = await response.text();
      throw providerError(response.status, parseJsonOrText(text), response.headers, providerName, { secrets: options.secrets });
    }
  } catch (error) {
    release();
    throw error instanceof VigilError ? error : fail(error);
  } finally {
    clearTimeout(headerTimer);
  }

  const stream: ReadableStream<Uint8Array> | null = response.body;
  if (stream === null) {
    release();
    throw new VigilError('provider_bad_output', `${providerName} answered HTTP ${response.status} without a body`, { retryable: true });
  }

  const reader = stream.getReader();
  async function* read(): AsyncGenerator<string> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const idle = setTimeout(() => end('timeout'), timeoutMs);
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch (error) {
          throw fail(error);
        } finally {
          clearTimeout(idle);
        }
        if (signal.aborted) throw fail(signal.reason);
        if (result.done) break;
        const text = decoder.decode(result.value, { stream: true });
        if (text !== '') yield text;
      }
      const tail = decoder.decode();
      if (tail !== '') yield tail;
    } finally {
      // Also reached when the consumer stops early: abort tears down the socket so the backend stops generating.
      release();
      reader.releaseLock();
    }
  }

  return { status: response.status, headers: response.headers, chunks: read() };
}

function abortedError(providerName: string, reason: unknown): VigilError {
  return new VigilError('aborted', `The request to ${providerName} was cancelled`, { cause: reason });
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (an HTML error page from a proxy): providerError quotes the text.
    return text;
  }
}
