import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { createOpenAiProvider } from './openai-provider.ts';

const API_KEY = 'sk-proj-TESTKEY-abcdefghijklmnop';
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const WEBP = new Uint8Array([0x52, 0x49, 0x46, 0x46, 7]);

const completion = (content: string | null, extra: Record<string, unknown> = {}) => ({
  json: {
    id: 'chatcmpl-123',
    object: 'chat.completion',
    created: 1741569952,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, ...extra }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1117, completion_tokens: 46, total_tokens: 1163 },
  },
});

const openAiError = (status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}) => ({
  status,
  headers,
  json: { error: { message, type, param: null, code } },
});

async function caught(promise: Promise<unknown>): Promise<VigilError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

describe('createOpenAiProvider', () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const provider = (overrides: Partial<ProviderSettings> = {}) =>
    createOpenAiProvider({
      name: 'cloud',
      kind: 'openai',
      model: 'gpt-4o-mini',
      baseUrl: `${server.url}/v1`,
      apiKey: API_KEY,
      providerOptions: {},
      timeoutMs: 2000,
      ...overrides,
    });

  describe('generate', () => {
    it('posts chat/completions with a Bearer key, image parts as data URLs and a strict json_schema', async () => {
      server.reply(completion('{"people":2}'));
      const schema = { type: 'object', properties: { people: { type: 'integer' } }, required: ['people'], additionalProperties: false };
      const result = await provider({ providerOptions: { seed: 7, reasoning_effort: 'low', model: 'other', stream: true, n: 3 } }).generate({
        system: 'You describe camera footage.',
        prompt: 'How many people?',
        images: [
          { data: JPEG, mimeType: 'image/jpeg' },
          { data: WEBP, mimeType: 'image/webp' },
        ],
        jsonSchema: { name: 'people count', schema },
        temperature: 0,
        maxOutputTokens: 300,
      });

      expect(result).toEqual({ text: '{"people":2}', model: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 1117, outputTokens: 46 } });
      const request = server.lastRequest();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.headers['authorization']).toBe(`Bearer ${API_KEY}`);
      expect(request.headers['api-key']).toBeUndefined();
      expect(request.json).toEqual({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You describe camera footage.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'How many people?' },
              { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${Buffer.from(JPEG).toString('base64')}` } },
              { type: 'image_url', image_url: { url: `data:image/webp;base64,${Buffer.from(WEBP).toString('base64')}` } },
            ],
          },
        ],
        temperature: 0,
        // A compatible server (not api.openai.com): the older, widely supported field.
        max_tokens: 300,
        response_format: { type: 'json_schema', json_schema: { name: 'people_count', schema, strict: true } },
        seed: 7,
        reasoning_effort: 'low',
      });
    });

    it('sends a plain string prompt and no Authorization header for a keyless local server', async () => {
      server.reply(completion('hi'));
      await provider({ apiKey: undefined }).generate({ prompt: 'hello' });
      const request = server.lastRequest();
      expect(request.headers['authorization']).toBeUndefined();
      expect(request.json).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
    });

    it('honours strict_json_schema and max_tokens_field without sending them', async () => {
      server.reply(completion('{}'));
      await provider({ providerOptions: { strict_json_schema: false, max_tokens_field: 'max_completion_tokens' } }).generate({
        prompt: 'p',
        jsonSchema: { name: 'x', schema: { type: 'object' } },
        maxOutputTokens: 10,
      });
      const body = server.lastRequest().json as Record<string, unknown>;
      expect(body['response_format']).toEqual({ type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: false } });
      expect(body['max_completion_tokens']).toBe(10);
      expect(body).not.toHaveProperty('max_tokens');
      expect(body).not.toHaveProperty('strict_json_schema');
      expect(body).not.toHaveProperty('max_tokens_field');
    });

    it('defaults to https://api.openai.com/v1 and max_completion_tokens there', async () => {
      const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify(completion('x').json), { status: 200 }));
      try {
        await createOpenAiProvider({ name: 'o', kind: 'openai', model: 'gpt-4o', apiKey: API_KEY, providerOptions: {}, timeoutMs: 1000 }).generate({
          prompt: 'p',
          maxOutputTokens: 5,
        });
        const [url, init] = fetchSpy.mock.calls[0] ?? [];
        expect(url).toBe('https://api.openai.com/v1/chat/completions');
        expect(JSON.parse(String(init?.body))).toMatchObject({ max_completion_tokens: 5 });
      } finally {
        fetchSpy.mockRestore();
      }
    });

    it('accepts an answer without usage from a minimal compatible server', async () => {
      server.reply({ json: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } });
      expect(await provider().generate({ prompt: 'p' })).toEqual({ text: 'ok', model: 'gpt-4o-mini', usage: {} });
    });
  });

  describe('errors', () => {
    it('maps 401 to provider_auth and never exposes the key, even when the body echoes it', async () => {
      server.reply(
        openAiError(401, `Incorrect API key provided: ${API_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'),
      );
      const error = await caught(provider().generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_auth', retryable: false });
      expect(error.message).toContain('Incorrect API key provided');
      expect(error.message).not.toContain(API_KEY);
      expect(error.details.join('\n')).not.toContain(API_KEY);
      expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
      expect(JSON.stringify(error)).not.toContain(API_KEY);
    });

    it('maps 404 model_not_found to provider_bad_request', async () => {
      server.reply(openAiError(404, 'The model `gpt-5-nano-x` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'));
      const error = await caught(provider({ model: 'gpt-5-nano-x' }).generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_bad_request', retryable: false });
      expect(error.message).toContain('does not exist');
    });

    it('maps 400 invalid_request_error to provider_bad_request with the reason', async () => {
      server.reply(openAiError(400, "Invalid schema for response_format 'x': 'additionalProperties' is required to be supplied and to be false.", 'invalid_request_error', null));
      const error = await caught(provider().generate({ prompt: 'p', jsonSchema: { name: 'x', schema: { type: 'object' } } }));
      expect(error.code).toBe('provider_bad_request');
      expect(error.details.join()).toContain('additionalProperties');
    });

    it('maps 429 with Retry-After seconds, HTTP date or retry-after-ms to retryAfterMs', async () => {
      server.reply(
        openAiError(429, 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3.', 'requests', 'rate_limit_exceeded', { 'retry-after': '20' }),
        openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': new Date(Date.now() + 8000).toUTCString() }),
        openAiError(429, 'Rate limit reached', 'tokens', 'rate_limit_exceeded', { 'retry-after-ms': '750', 'retry-after': '1' }),
        openAiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
      );
      expect(await caught(provider().generate({ prompt: 'p' }))).toMatchObject({ code: 'provider_rate_limited', retryable: true, retryAfterMs: 20_000 });
      const date = await caught(provider().generate({ prompt: 'p' }));
      expect(date.retryAfterMs).toBeGreaterThan(5000);
      expect(date.retryAfterMs).toBeLessThanOrEqual(8000);
      expect((await caught(provider().generate({ prompt: 'p' }))).retryAfterMs).toBe(750);
      const quota = await caught(provider().generate({ prompt: 'p' }));
      expect(quota).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: undefined });
      expect(quota.message).toContain('quota');
    });

    it.each([500, 502, 503])('maps %i to a retryable provider_unavailable', async (status) => {
      server.reply(openAiError(status, 'The server had an error while processing your request. Sorry about that!', 'server_error', null));
      expect(await caught(provider().generate({ prompt: 'p' }))).toMatchObject({ code: 'provider_unavailable', retryable: true });
    });

    it('gives provider_timeout beyond timeoutMs', async () => {
      server.reply({ ...completion('late'), delayMs: 1500 });
      expect(await caught(provider({ timeoutMs: 100 }).generate({ prompt: 'p' }))).toMatchObject({ code: 'provider_timeout', retryable: true });
    });

    it("gives 'aborted' when the caller cancels", async () => {
      server.reply({ ...completion('late'), delayMs: 1500 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      expect((await caught(provider().generate({ prompt: 'p', signal: controller.signal }))).code).toBe('aborted');
    });

    it('gives provider_unavailable when the server is down, without the key', async () => {
      const error = await caught(provider({ baseUrl: `${await unusedLocalUrl()}/v1` }).generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
      expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
    });

    it('gives provider_bad_output for malformed JSON, no choices, or no content', async () => {
      server.reply(
        { body: '{"choices": [' },
        { json: { id: 'x', choices: [] } },
        completion(null, { refusal: "I'm sorry, I can't help with that." }),
        { body: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } },
      );
      for (let i = 0; i < 4; i += 1) {
        const error = await caught(provider().generate({ prompt: 'p' }));
        expect(error).toMatchObject({ code: 'provider_bad_output', retryable: true });
      }
    });
  });

  describe('embed', () => {
    it('posts embeddings with the embedding model and orders vectors by index', async () => {
      server.reply({
        json: {
          object: 'list',
          data: [
            { object: 'embedding', index: 1, embedding: [0.3, 0.4] },
            { object: 'embedding', index: 0, embedding: [0.1, 0.2] },
          ],
          model: 'text-embedding-3-small',
          usage: { prompt_tokens: 9, total_tokens: 9 },
        },
      });
      const result = await provider({ embeddingModel: 'text-embedding-3-small', providerOptions: { seed: 1 } }).embed(['person at door', 'car leaves']);
      expect(result).toEqual({ vectors: [[0.1, 0.2], [0.3, 0.4]], model: 'text-embedding-3-small', usage: { inputTokens: 9 } });
      const request = server.lastRequest();
      expect(request.path).toBe('/v1/embeddings');
      expect(request.headers['authorization']).toBe(`Bearer ${API_KEY}`);
      // Chat provider_options (seed) are not embeddings parameters.
      expect(request.json).toEqual({ model: 'text-embedding-3-small', input: ['person at door', 'car leaves'] });
    });

    it('gives provider_bad_output for missing or duplicated indexes, and skips the call for no texts', async () => {
      server.reply({ json: { data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }] } }, { json: { data: [{ index: 0 }] } });
      expect((await caught(provider().embed(['a', 'b']))).code).toBe('provider_bad_output');
      expect((await caught(provider().embed(['a']))).code).toBe('provider_bad_output');
      expect(await provider().embed([])).toEqual({ vectors: [], model: 'gpt-4o-mini', usage: {} });
      expect(server.requests).toHaveLength(2);
    });

    it('maps errors the same way as generate', async () => {
      server.reply(openAiError(401, `Incorrect API key provided: ${API_KEY}.`, 'invalid_request_error', 'invalid_api_key'));
      const error = await caught(provider().embed(['a']));
      expect(error.code).toBe('provider_auth');
      expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
    });
  });
});
