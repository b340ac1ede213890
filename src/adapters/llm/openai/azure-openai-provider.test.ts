import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { AZURE_OPENAI_DEFAULT_API_VERSION, createAzureOpenAiProvider } from './azure-openai-provider.ts';

const API_KEY = 'f3a9c0d1e2b34a5b8c7d6e5f4a3b2c1d';

const completion = {
  json: {
    id: 'chatcmpl-az',
    object: 'chat.completion',
    model: 'gpt-4o-2024-11-20',
    choices: [{ index: 0, message: { role: 'assistant', content: 'A person walks by.' }, finish_reason: 'stop', content_filter_results: {} }],
    prompt_filter_results: [],
    usage: { prompt_tokens: 812, completion_tokens: 9, total_tokens: 821 },
  },
};

async function caught(promise: Promise<unknown>): Promise<VigilError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

describe('createAzureOpenAiProvider', () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const provider = (overrides: Partial<ProviderSettings> = {}) =>
    createAzureOpenAiProvider({
      name: 'azure',
      kind: 'azure_openai',
      model: 'vision-prod',
      baseUrl: `${server.url}/`,
      apiKey: API_KEY,
      providerOptions: {},
      timeoutMs: 2000,
      ...overrides,
    });

  it('posts to the deployment with api-key and the default api-version, without a model field', async () => {
    server.reply(completion);
    const llm = provider();
    expect(llm.kind).toBe('azure_openai');
    const result = await llm.generate({ prompt: 'What happens?', images: [{ data: new Uint8Array([1, 2]), mimeType: 'image/png' }], maxOutputTokens: 50 });
    expect(result).toEqual({ text: 'A person walks by.', model: 'gpt-4o-2024-11-20', usage: { inputTokens: 812, outputTokens: 9 } });
    const request = server.lastRequest();
    expect(request.path).toBe('/openai/deployments/vision-prod/chat/completions');
    expect(request.query.get('api-version')).toBe(AZURE_OPENAI_DEFAULT_API_VERSION);
    expect(request.headers['api-key']).toBe(API_KEY);
    expect(request.headers['authorization']).toBeUndefined();
    expect(request.json).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What happens?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AQI=' } },
          ],
        },
      ],
      max_completion_tokens: 50,
    });
  });

  it('takes api_version from provider_options and passes the other options into the body', async () => {
    server.reply(completion);
    await provider({ providerOptions: { api_version: '2025-04-01-preview', seed: 3 } }).generate({
      prompt: 'p',
      jsonSchema: { name: 'scene', schema: { type: 'object' } },
    });
    const request = server.lastRequest();
    expect(request.query.get('api-version')).toBe('2025-04-01-preview');
    expect(request.json).toEqual({
      messages: [{ role: 'user', content: 'p' }],
      response_format: { type: 'json_schema', json_schema: { name: 'scene', schema: { type: 'object' }, strict: true } },
      seed: 3,
    });
  });

  it('embeds through the embedding deployment', async () => {
    server.reply({ json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5] }], model: 'text-embedding-3-large', usage: { prompt_tokens: 2, total_tokens: 2 } } });
    const result = await provider({ embeddingModel: 'embed-prod' }).embed(['hello']);
    expect(result).toEqual({ vectors: [[0.5]], model: 'text-embedding-3-large', usage: { inputTokens: 2 } });
    const request = server.lastRequest();
    expect(request.path).toBe('/openai/deployments/embed-prod/embeddings');
    expect(request.query.get('api-version')).toBe(AZURE_OPENAI_DEFAULT_API_VERSION);
    expect(request.json).toEqual({ input: ['hello'] });
  });

  it('maps a 401 from the gateway to provider_auth without the key', async () => {
    server.reply({
      status: 401,
      json: { error: { code: '401', message: `Access denied due to invalid subscription key ${API_KEY} or wrong API endpoint.` } },
    });
    const error = await caught(provider().generate({ prompt: 'p' }));
    expect(error.code).toBe('provider_auth');
    expect(error.message).toContain('Access denied');
    expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
  });

  it('maps DeploymentNotFound (404) to provider_bad_request', async () => {
    server.reply({
      status: 404,
      json: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.' } },
    });
    const error = await caught(provider().generate({ prompt: 'p' }));
    expect(error).toMatchObject({ code: 'provider_bad_request', retryable: false });
    expect(error.message).toContain('deployment for this resource does not exist');
  });

  it('maps 429 with Retry-After to provider_rate_limited', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after': '6' },
      json: { error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded the call rate limit. Please retry after 6 seconds.' } },
    });
    expect(await caught(provider().generate({ prompt: 'p' }))).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: 6000, retryable: true });
  });

  it('maps 503 to provider_unavailable and a slow answer to provider_timeout', async () => {
    server.reply({ status: 503, json: { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request.' } } }, { ...completion, delayMs: 1500 });
    expect(await caught(provider().generate({ prompt: 'p' }))).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(await caught(provider({ timeoutMs: 100 }).generate({ prompt: 'p' }))).toMatchObject({ code: 'provider_timeout', retryable: true });
  });

  it('gives provider_bad_output for a 200 without choices', async () => {
    server.reply({ json: { id: 'x', object: 'chat.completion', prompt_filter_results: [] } });
    expect((await caught(provider().generate({ prompt: 'p' }))).code).toBe('provider_bad_output');
  });

  it('refuses to start without the resource URL', () => {
    expect(() => provider({ baseUrl: undefined })).toThrow(VigilError);
    expect(() => provider({ baseUrl: undefined })).toThrow(/base_url/);
  });
});
