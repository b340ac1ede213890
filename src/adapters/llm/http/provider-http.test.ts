import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import {
  joinUrl,
  mergeProviderOptions,
  parseRetryAfter,
  postJson,
  providerError,
  readBody,
  retryAfterFromHeaders,
  toBase64,
  tokenUsage,
} from './provider-http.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');

async function caught(promise: Promise<unknown>): Promise<VigilError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

describe('parseRetryAfter', () => {
  it('reads delay-seconds, including fractions', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0.5 ', NOW)).toBe(500);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-3', NOW)).toBeUndefined();
  });

  it('prefers retry-after-ms (OpenAI) over retry-after', () => {
    expect(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '1500', 'retry-after': '2' }), NOW)).toBe(1500);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '2' }), NOW)).toBe(2000);
    expect(retryAfterFromHeaders(new Headers(), NOW)).toBeUndefined();
  });
});

describe('providerError', () => {
  const none = new Headers();

  it.each([
    [400, 'provider_bad_request', false],
    [401, 'provider_auth', false],
    [403, 'provider_auth', false],
    [404, 'provider_bad_request', false],
    [408, 'provider_timeout', true],
    [413, 'provider_bad_request', false],
    [422, 'provider_bad_request', false],
    [429, 'provider_rate_limited', true],
    [500, 'provider_unavailable', true],
    [503, 'provider_unavailable', true],
    [529, 'provider_unavailable', true],
    [302, 'provider_failed', false],
  ] as const)('maps HTTP %i to %s (retryable: %s)', (status, code, retryable) => {
    const error = providerError(status, undefined, none, 'p');
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
  });

  it('quotes the message of every known error body shape', () => {
    const cases: [unknown, string][] = [
      [{ error: 'model "llava" not found, try pulling it first' }, 'model "llava" not found'], // Ollama
      [{ error: { message: 'Invalid schema', type: 'invalid_request_error', code: null } }, 'Invalid schema'], // OpenAI
      [{ error: { code: 400, message: 'API key not valid', status: 'INVALID_ARGUMENT' } }, 'API key not valid'], // Gemini
      [{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'Overloaded'], // Anthropic
      [{ statusCode: 401, message: 'Access denied' }, 'Access denied'], // Azure gateway
      ['<html>Bad Gateway</html>', 'Bad Gateway'],
    ];
    for (const [body, said] of cases) {
      const error = providerError(400, body, none, 'p');
      expect(error.message).toContain(said);
      expect(error.details.join('\n')).toContain(said);
    }
  });

  it('takes the wait from Retry-After, or from a Gemini RetryInfo in the body', () => {
    expect(providerError(429, {}, new Headers({ 'retry-after': '12' }), 'p').retryAfterMs).toBe(12_000);
    const gemini = { error: { code: 429, details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' }] } };
    expect(providerError(429, gemini, none, 'p').retryAfterMs).toBe(37_000);
    expect(providerError(429, {}, none, 'p').retryAfterMs).toBeUndefined();
    expect(providerError(503, {}, new Headers({ 'retry-after': '4' }), 'p').retryAfterMs).toBe(4000);
  });

  it('scrubs secrets the provider echoes back', () => {
    const error = providerError(401, { error: { message: 'Incorrect API key provided: sk-live-123456' } }, none, 'p', {
      secrets: ['sk-live-123456', undefined],
    });
    expect(error.message).not.toContain('sk-live-123456');
    expect(error.details.join()).not.toContain('sk-live-123456');
    expect(error.message).toContain('***');
  });
});

describe('postJson and readBody against a live server', () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const schema = z.object({ answer: z.string() });
  const options = { providerName: 'fake', timeoutMs: 2000 };

  it('posts JSON with the given headers and returns any status with its parsed body', async () => {
    server.reply({ status: 418, headers: { 'x-extra': 'yes' }, json: { answer: 'teapot' } });
    const response = await postJson(`${server.url}/v1/thing`, { q: 1 }, { ...options, headers: { 'x-key': 'k' } });
    expect(response).toMatchObject({ status: 418, ok: false, body: { answer: 'teapot' } });
    expect(response.headers.get('x-extra')).toBe('yes');
    const request = server.lastRequest();
    expect(request).toMatchObject({ method: 'POST', path: '/v1/thing', json: { q: 1 } });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-key']).toBe('k');
  });

  it('keeps a non-JSON body as text', async () => {
    server.reply({ status: 502, body: '<html>bad gateway</html>' });
    const response = await postJson(server.url, {}, options);
    expect(response.body).toBeUndefined();
    expect(response.text).toBe('<html>bad gateway</html>');
  });

  it('validates a 2xx body with the schema', async () => {
    server.reply({ json: { answer: 'yes' } }, { json: { answer: 3 } }, { body: '{"answer": "cut' });
    expect(readBody(await postJson(server.url, {}, options), schema, options)).toEqual({ answer: 'yes' });
    const wrongType = await caught(postJson(server.url, {}, options).then((r) => readBody(r, schema, options)));
    expect(wrongType).toMatchObject({ code: 'provider_bad_output', retryable: true });
    expect(wrongType.details.join()).toContain('answer');
    const truncated = await caught(postJson(server.url, {}, options).then((r) => readBody(r, schema, options)));
    expect(truncated.code).toBe('provider_bad_output');
  });

  it('turns a non-2xx into the mapped provider error', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '3' }, json: { error: { message: 'slow down' } } });
    const error = await caught(postJson(server.url, {}, options).then((r) => readBody(r, schema, options)));
    expect(error).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: 3000, retryable: true });
  });

  it('gives provider_timeout when the answer is too slow', async () => {
    server.reply({ delayMs: 1500, json: { answer: 'late' } });
    const error = await caught(postJson(server.url, {}, { ...options, timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });
  });

  it("gives 'aborted' when the caller cancels, before or during the request", async () => {
    const before = new AbortController();
    before.abort();
    expect((await caught(postJson(server.url, {}, { ...options, signal: before.signal }))).code).toBe('aborted');
    expect(server.requests).toHaveLength(0);

    server.reply({ delayMs: 1500, json: { answer: 'late' } });
    const during = new AbortController();
    setTimeout(() => during.abort(), 50);
    const error = await caught(postJson(server.url, {}, { ...options, signal: during.signal }));
    expect(error).toMatchObject({ code: 'aborted', retryable: false });
  });

  it('gives provider_unavailable when nothing listens, naming only the host', async () => {
    const url = `${await unusedLocalUrl()}/v1beta/models/x:generateContent?key=SECRET-IN-QUERY`;
    const error = await caught(postJson(url, {}, options));
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).not.toContain('SECRET-IN-QUERY');
  });
});

describe('small helpers', () => {
  it('encodes a view of a larger buffer, not the whole buffer', () => {
    const bytes = new Uint8Array([0, 104, 105, 0]).subarray(1, 3);
    expect(toBase64(bytes)).toBe(Buffer.from('hi').toString('base64'));
  });

  it('merges provider options without overriding reserved keys or per-request values', () => {
    const merged = mergeProviderOptions(
      { model: 'm', options: { temperature: 0.1 } },
      { model: 'other', keep_alive: -1, options: { temperature: 0.9, num_ctx: 8192 }, stream: true },
      ['model', 'stream'],
    );
    expect(merged).toEqual({ model: 'm', keep_alive: -1, options: { temperature: 0.1, num_ctx: 8192 } });
  });

  it('joins base URLs and paths with exactly one slash', () => {
    expect(joinUrl('http://h/v1/', '/chat/completions')).toBe('http://h/v1/chat/completions');
    expect(joinUrl('http://h', 'api/chat')).toBe('http://h/api/chat');
  });

  it('leaves unknown token counts out of usage', () => {
    expect(tokenUsage(3, undefined)).toEqual({ inputTokens: 3 });
    expect(tokenUsage(null, 4)).toEqual({ outputTokens: 4 });
  });
});
