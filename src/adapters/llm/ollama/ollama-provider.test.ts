import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { createOllamaProvider } from './ollama-provider.ts';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9]);

const chatReply = (content: string) => ({
  json: {
    model: 'llava:7b',
    created_at: '2024-12-06T00:46:58.265747Z',
    message: { role: 'assistant', content },
    done_reason: 'stop',
    done: true,
    total_duration: 2254970291,
    prompt_eval_count: 34,
    eval_count: 12,
  },
});

async function caught(promise: Promise<unknown>): Promise<VigilError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

describe('createOllamaProvider', () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const provider = (overrides: Partial<ProviderSettings> = {}) =>
    createOllamaProvider({ name: 'local_vlm', kind: 'ollama', model: 'llava:7b', baseUrl: server.url, providerOptions: {}, timeoutMs: 2000, ...overrides });

  describe('generate', () => {
    it('posts a non-streaming chat with bare base64 images, the schema in format and options merged', async () => {
      server.reply(chatReply('{"people": 2}'));
      const schema = { type: 'object', properties: { people: { type: 'integer' } }, required: ['people'] };
      const llm = provider({ providerOptions: { keep_alive: -1, options: { num_ctx: 8192, temperature: 0.9 }, model: 'sneaky', stream: true } });
      const result = await llm.generate({
        system: 'You describe camera footage.',
        prompt: 'How many people?',
        images: [
          { data: JPEG, mimeType: 'image/jpeg' },
          { data: PNG, mimeType: 'image/png' },
        ],
        jsonSchema: { name: 'count', schema },
        temperature: 0.2,
        maxOutputTokens: 200,
      });

      expect(result).toEqual({ text: '{"people": 2}', model: 'llava:7b', usage: { inputTokens: 34, outputTokens: 12 } });
      const request = server.lastRequest();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/api/chat');
      expect(request.headers['authorization']).toBeUndefined();
      expect(request.json).toEqual({
        model: 'llava:7b',
        stream: false,
        keep_alive: -1,
        format: schema,
        options: { num_ctx: 8192, temperature: 0.2, num_predict: 200 },
        messages: [
          { role: 'system', content: 'You describe camera footage.' },
          {
            role: 'user',
            content: 'How many people?',
            images: [Buffer.from(JPEG).toString('base64'), Buffer.from(PNG).toString('base64')],
          },
        ],
      });
      expect(JSON.stringify(request.json)).not.toContain('data:image');
    });

    it('sends a plain chat when nothing optional is asked for', async () => {
      server.reply(chatReply('hello'));
      await provider().generate({ prompt: 'hi' });
      expect(server.lastRequest().json).toEqual({ model: 'llava:7b', stream: false, messages: [{ role: 'user', content: 'hi' }] });
    });

    it('accepts an answer without token counts', async () => {
      server.reply({ json: { model: 'llava:7b', message: { role: 'assistant', content: 'ok' }, done: true } });
      expect(await provider().generate({ prompt: 'hi' })).toEqual({ text: 'ok', model: 'llava:7b', usage: {} });
    });

    it('defaults to http://localhost:11434', async () => {
      const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify(chatReply('x').json), { status: 200 }));
      try {
        await createOllamaProvider({ name: 'o', kind: 'ollama', model: 'm', providerOptions: {}, timeoutMs: 1000 }).generate({ prompt: 'p' });
        expect(fetchSpy.mock.calls[0]?.[0]).toBe('http://localhost:11434/api/chat');
      } finally {
        fetchSpy.mockRestore();
      }
    });
  });

  describe('errors', () => {
    it('maps 404 for a model that is not pulled to provider_bad_request with Ollama\'s message', async () => {
      server.reply({ status: 404, json: { error: 'model "llava:7b" not found, try pulling it first' } });
      const error = await caught(provider().generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_bad_request', retryable: false });
      expect(error.message).toContain('model "llava:7b" not found, try pulling it first');
    });

    it('maps 400 to provider_bad_request', async () => {
      server.reply({ status: 400, json: { error: 'invalid format: expected "json" or a JSON schema' } });
      expect((await caught(provider().generate({ prompt: 'p' }))).code).toBe('provider_bad_request');
    });

    it.each([500, 503])('maps %i to a retryable provider_unavailable', async (status) => {
      server.reply({ status, json: { error: 'llama runner process has terminated' } });
      const error = await caught(provider().generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    });

    it('maps 429 with Retry-After in seconds or as an HTTP date to retryAfterMs', async () => {
      server.reply(
        { status: 429, headers: { 'retry-after': '2' }, json: { error: 'server busy, please try again' } },
        { status: 429, headers: { 'retry-after': new Date(Date.now() + 5000).toUTCString() }, json: { error: 'busy' } },
      );
      const seconds = await caught(provider().generate({ prompt: 'p' }));
      expect(seconds).toMatchObject({ code: 'provider_rate_limited', retryable: true, retryAfterMs: 2000 });
      const date = await caught(provider().generate({ prompt: 'p' }));
      expect(date.retryAfterMs).toBeGreaterThan(2500);
      expect(date.retryAfterMs).toBeLessThanOrEqual(5000);
    });

    it('gives provider_timeout when the model takes longer than timeoutMs', async () => {
      server.reply({ ...chatReply('late'), delayMs: 1500 });
      const error = await caught(provider({ timeoutMs: 100 }).generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });
    });

    it("gives 'aborted' when the caller's signal fires", async () => {
      server.reply({ ...chatReply('late'), delayMs: 1500 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      expect((await caught(provider().generate({ prompt: 'p', signal: controller.signal }))).code).toBe('aborted');
    });

    it('gives provider_unavailable when Ollama is not running', async () => {
      const error = await caught(provider({ baseUrl: await unusedLocalUrl() }).generate({ prompt: 'p' }));
      expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    });

    it('gives provider_bad_output for malformed JSON or a missing message in a 200', async () => {
      server.reply({ body: '{"model": "llava:7b", "message": {' }, { json: { model: 'llava:7b', done: true } });
      expect((await caught(provider().generate({ prompt: 'p' }))).code).toBe('provider_bad_output');
      const missing = await caught(provider().generate({ prompt: 'p' }));
      expect(missing).toMatchObject({ code: 'provider_bad_output', retryable: true });
      expect(missing.details.join()).toContain('message');
    });

    it('never lets the key (for an Ollama behind an auth proxy) reach the error', async () => {
      const apiKey = 'ollama-proxy-key-0123456789';
      server.reply({ status: 401, json: { error: `bad token ${apiKey}` } });
      const error = await caught(provider({ apiKey }).generate({ prompt: 'p' }));
      expect(server.lastRequest().headers['authorization']).toBe(`Bearer ${apiKey}`);
      expect(error.code).toBe('provider_auth');
      expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
      expect(error.details.join()).not.toContain(apiKey);
    });
  });

  describe('embed', () => {
    afterEach(() => server.reset());

    it('posts every text at once to /api/embed with the embedding model', async () => {
      server.reply({ json: { model: 'nomic-embed-text', embeddings: [[0.1, 0.2], [0.3, 0.4]], total_duration: 1, prompt_eval_count: 8 } });
      const llm = provider({ embeddingModel: 'nomic-embed-text', providerOptions: { keep_alive: '10m' } });
      const result = await llm.embed(['a person at the door', 'a car leaves']);
      expect(result).toEqual({ vectors: [[0.1, 0.2], [0.3, 0.4]], model: 'nomic-embed-text', usage: { inputTokens: 8 } });
      const request = server.lastRequest();
      expect(request.path).toBe('/api/embed');
      expect(request.json).toEqual({ model: 'nomic-embed-text', input: ['a person at the door', 'a car leaves'], keep_alive: '10m' });
    });

    it('embeds with the chat model when no embedding model is set, and skips the call for no texts', async () => {
      expect(await provider().embed([])).toEqual({ vectors: [], model: 'llava:7b', usage: {} });
      expect(server.requests).toHaveLength(0);
      server.reply({ json: { model: 'llava:7b', embeddings: [[1]] } });
      await provider().embed(['x']);
      expect(server.lastRequest().json).toMatchObject({ model: 'llava:7b' });
    });

    it('gives provider_bad_output when the count of vectors does not match', async () => {
      server.reply({ json: { model: 'm', embeddings: [[1]] } });
      expect((await caught(provider().embed(['a', 'b']))).code).toBe('provider_bad_output');
    });

    it('maps an unknown embedding model to provider_bad_request', async () => {
      server.reply({ status: 404, json: { error: 'model "nomic-embed-text" not found, try pulling it first' } });
      expect((await caught(provider({ embeddingModel: 'nomic-embed-text' }).embed(['a']))).code).toBe('provider_bad_request');
    });
  });
});
