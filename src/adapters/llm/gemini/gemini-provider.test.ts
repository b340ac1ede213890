import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { createGeminiProvider } from './gemini-provider.ts';

const API_KEY = 'AIzaSy-test-secret-key-0123456789';
const GENERATE_PATH = '/v1beta/models/gemini-2.5-flash:generateContent';

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  server.setFallback(undefined);
});

function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return {
    name: 'cloud_vlm',
    kind: 'gemini',
    model: 'gemini-2.5-flash',
    baseUrl: server.url,
    apiKey: API_KEY,
    providerOptions: {},
    timeoutMs: 5_000,
    ...overrides,
  };
}

function answer(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 1294, candidatesTokenCount: 125, totalTokenCount: 1419 },
    modelVersion: 'gemini-2.5-flash-001',
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<VigilError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof VigilError)) throw new Error(`expected a VigilError, got ${String(error)}`);
  return error;
}

function googleError(code: number, status: string, message: string, details?: unknown[]): Record<string, unknown> {
  return { error: { code, message, status, ...(details === undefined ? {} : { details }) } };
}

describe('createGeminiProvider: generate request', () => {
  it('posts to models/{model}:generateContent with the key in x-goog-api-key, never in the URL', async () => {
    server.reply({ json: answer('a person walks a dog') });
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await createGeminiProvider(settings()).generate({
      system: 'You describe security camera footage.',
      prompt: 'What happens here?',
      images: [{ data: jpeg, mimeType: 'image/jpeg' }],
      maxOutputTokens: 300,
      temperature: 0.2,
    });

    const request = server.lastRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(GENERATE_PATH);
    expect([...request.query.keys()]).toEqual([]);
    expect(request.headers['x-goog-api-key']).toBe(API_KEY);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json).toEqual({
      contents: [
        {
          role: 'user',
          parts: [{ inline_data: { mime_type: 'image/jpeg', data: Buffer.from(jpeg).toString('base64') } }, { text: 'What happens here?' }],
        },
      ],
      systemInstruction: { parts: [{ text: 'You describe security camera footage.' }] },
      generationConfig: { maxOutputTokens: 300, temperature: 0.2 },
    });
  });

  it('asks for JSON with responseMimeType and responseJsonSchema', async () => {
    server.reply({ json: answer('{"title":"Dog walker"}') });
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false };
    const result = await createGeminiProvider(settings()).generate({ prompt: 'Describe', jsonSchema: { name: 'description', schema } });

    expect(result.text).toBe('{"title":"Dog walker"}');
    expect(server.lastRequest().json).toMatchObject({
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
    });
    expect(server.lastRequest().json).not.toHaveProperty('generationConfig.responseSchema');
  });

  it('merges provider_options into the body, the request winning inside generationConfig and reserved keys ignored', async () => {
    server.reply({ json: answer('ok') });
    const safetySettings = [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_ONLY_HIGH' }];
    const provider = createGeminiProvider(
      settings({
        providerOptions: {
          safetySettings,
          generationConfig: { topK: 20, temperature: 1.5, thinkingConfig: { thinkingBudget: 0 } },
          contents: [{ role: 'user', parts: [{ text: 'injected' }] }],
        },
      }),
    );
    await provider.generate({ prompt: 'Describe', temperature: 0.1 });

    const body = server.lastRequest().json as Record<string, unknown>;
    expect(body['safetySettings']).toEqual(safetySettings);
    expect(body['generationConfig']).toEqual({ topK: 20, temperature: 0.1, thinkingConfig: { thinkingBudget: 0 } });
    expect(body['contents']).toEqual([{ role: 'user', parts: [{ text: 'Describe' }] }]);
  });

  it('accepts a base URL that already names the API version, and model names with the models/ prefix', async () => {
    server.reply({ json: answer('ok') });
    await createGeminiProvider(settings({ baseUrl: `${server.url}/v1beta/`, model: 'models/gemini-2.5-flash' })).generate({ prompt: 'hi' });
    expect(server.lastRequest().path).toBe(GENERATE_PATH);
  });
});

describe('createGeminiProvider: generate answer', () => {
  it('returns the text of the first candidate without thought parts, with usage and the model version', async () => {
    server.reply({
      json: answer('', {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'thinking about it', thought: true }, { text: 'A dog ' }, { text: 'on a leash.' }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 1294, candidatesTokenCount: 125, thoughtsTokenCount: 40 },
      }),
    });
    const result = await createGeminiProvider(settings()).generate({ prompt: 'Describe' });
    expect(result).toEqual({ text: 'A dog on a leash.', model: 'gemini-2.5-flash-001', usage: { inputTokens: 1294, outputTokens: 165 } });
  });

  it('falls back to the configured model name when the answer has no modelVersion', async () => {
    server.reply({ json: { candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] } });
    const result = await createGeminiProvider(settings()).generate({ prompt: 'hi' });
    expect(result).toEqual({ text: 'ok', model: 'gemini-2.5-flash', usage: {} });
  });

  it('turns a blocked prompt into provider_bad_output that names the block reason and is not retried', async () => {
    server.reply({ json: { promptFeedback: { blockReason: 'SAFETY', safetyRatings: [] }, usageMetadata: { promptTokenCount: 8 } } });
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.message).toContain('blocked the prompt');
    expect(error.message).toContain('SAFETY');
    expect(error.retryable).toBe(false);
  });

  it('turns a candidate stopped by a safety filter into provider_bad_output', async () => {
    server.reply({ json: { candidates: [{ finishReason: 'SAFETY', safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'HIGH' }] }] } });
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.message).toContain('finish reason SAFETY');
  });

  it('refuses a JSON answer cut off by maxOutputTokens', async () => {
    server.reply({ json: { candidates: [{ content: { parts: [{ text: '{"title":"Dog wal' }] }, finishReason: 'MAX_TOKENS' }] } });
    const error = await failure(
      createGeminiProvider(settings()).generate({ prompt: 'hi', jsonSchema: { name: 'd', schema: { type: 'object' } } }),
    );
    expect(error.code).toBe('provider_bad_output');
    expect(error.message).toContain('maxOutputTokens');
  });

  it.each([
    ['a body that is not JSON', { body: '<html>Bad gateway</html>' }],
    ['a body of the wrong shape', { json: { candidates: 'none' } }],
    ['no candidates at all', { json: { usageMetadata: { promptTokenCount: 3 } } }],
    ['a candidate with no text', { json: { candidates: [{ content: { parts: [] }, finishReason: 'STOP' }] } }],
  ])('turns a 200 with %s into a retryable provider_bad_output', async (_label, reply) => {
    server.reply(reply);
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.retryable).toBe(true);
  });
});

describe('createGeminiProvider: errors', () => {
  it.each([
    [400, googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'), 'provider_bad_request', false],
    [400, googleError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'), 'provider_bad_request', false],
    [403, googleError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers.'), 'provider_auth', false],
    [404, googleError(404, 'NOT_FOUND', 'models/gemini-9 is not found for API version v1beta.'), 'provider_bad_request', false],
    [429, googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'), 'provider_rate_limited', true],
    [500, googleError(500, 'INTERNAL', 'An internal error has occurred.'), 'provider_unavailable', true],
    [503, googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'), 'provider_unavailable', true],
    [504, googleError(504, 'DEADLINE_EXCEEDED', 'Deadline exceeded.'), 'provider_unavailable', true],
  ])('maps HTTP %i %j to %s', async (status, json, code, retryable) => {
    server.reply({ status, json });
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(((json as { error: { message: string } }).error.message));
  });

  it('maps a 400 API_KEY_INVALID to provider_auth', async () => {
    server.reply({
      status: 400,
      json: googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]),
    });
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_auth');
    expect(error.retryable).toBe(false);
  });

  it('reads the wait of a 429 from RetryInfo.retryDelay in the body', async () => {
    server.reply({
      status: 429,
      json: googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.', [
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
      ]),
    });
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_rate_limited');
    expect(error.retryAfterMs).toBe(37_000);
  });

  it('reads the wait of a 429 from the Retry-After header', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '2' }, json: googleError(429, 'RESOURCE_EXHAUSTED', 'Slow down.') });
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.retryAfterMs).toBe(2_000);
  });

  it('gives provider_timeout when the answer is slower than timeoutMs', async () => {
    server.reply({ delayMs: 2_000, json: answer('late') });
    const error = await failure(createGeminiProvider(settings({ timeoutMs: 150 })).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_timeout');
    expect(error.retryable).toBe(true);
  });

  it('gives aborted when the caller cancels', async () => {
    server.reply({ delayMs: 2_000, json: answer('late') });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(createGeminiProvider(settings()).generate({ prompt: 'hi', signal: controller.signal }));
    expect(error.code).toBe('aborted');
  });

  it('gives a retryable provider_unavailable when nothing listens', async () => {
    const error = await failure(createGeminiProvider(settings({ baseUrl: await unusedLocalUrl() })).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
  });

  it('never puts the API key in an error, even when the provider echoes it back', async () => {
    const errors = [
      await (async () => {
        server.reply({ status: 400, json: googleError(400, 'INVALID_ARGUMENT', `API key not valid: ${API_KEY}`) });
        return failure(createGeminiProvider(settings()).generate({ prompt: 'hi' }));
      })(),
      await (async () => {
        server.reply({ status: 403, json: googleError(403, 'PERMISSION_DENIED', `Key ${API_KEY} is suspended`) });
        return failure(createGeminiProvider(settings()).embed(['hi']));
      })(),
      await failure(createGeminiProvider(settings({ baseUrl: await unusedLocalUrl() })).generate({ prompt: 'hi' })),
      await (async () => {
        server.reply({ delayMs: 1_000, json: answer('late') });
        return failure(createGeminiProvider(settings({ timeoutMs: 100 })).generate({ prompt: 'hi' }));
      })(),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain(API_KEY);
      expect(error.details.join('\n')).not.toContain(API_KEY);
    }
  });
});

describe('createGeminiProvider: embed', () => {
  it('posts every text to batchEmbedContents of the embedding model and returns the vectors in order', async () => {
    server.reply({ json: { embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] } });
    const provider = createGeminiProvider(settings({ embeddingModel: 'gemini-embedding-001' }));
    const result = await provider.embed(['a red car', 'a person']);

    expect(result).toEqual({ vectors: [[0.1, 0.2], [0.3, 0.4]], model: 'gemini-embedding-001', usage: {} });
    const request = server.lastRequest();
    expect(request.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(request.headers['x-goog-api-key']).toBe(API_KEY);
    expect(request.json).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a red car' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a person' }] } },
      ],
    });
  });

  it('splits more than 100 texts into batches the server accepts', async () => {
    server.setFallback((request) => {
      const count = (request.json as { requests: unknown[] }).requests.length;
      return { json: { embeddings: Array.from({ length: count }, (_, index) => ({ values: [index] })) } };
    });
    const texts = Array.from({ length: 150 }, (_, index) => `text ${index}`);
    const result = await createGeminiProvider(settings({ embeddingModel: 'gemini-embedding-001' })).embed(texts);

    expect(server.requests.map((request) => (request.json as { requests: unknown[] }).requests.length)).toEqual([100, 50]);
    expect(result.vectors).toHaveLength(150);
    expect(result.vectors[100]).toEqual([0]);
  });

  it('sends nothing for an empty list', async () => {
    const result = await createGeminiProvider(settings()).embed([]);
    expect(result.vectors).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('turns a wrong number of embeddings or a malformed body into provider_bad_output', async () => {
    server.reply({ json: { embeddings: [{ values: [1] }] } }, { json: { embedding: { values: [1] } } });
    const provider = createGeminiProvider(settings());
    expect((await failure(provider.embed(['a', 'b']))).code).toBe('provider_bad_output');
    expect((await failure(provider.embed(['a']))).code).toBe('provider_bad_output');
  });
});
