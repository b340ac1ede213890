/**
 * Every base_url form Frigate's Azure OpenAI provider accepts (and the v1 API), each against a
 * local server that routes like Azure: the right path, `api-key`, `api-version`, and the body of
 * the API that path belongs to.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { azureChatAnswer, azureOpenAiRoutes, azureResponsesAnswer, type AzureRoute } from '../../../../test/support/fake-azure-openai.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { AZURE_OPENAI_DEFAULT_API_VERSION, createAzureOpenAiProvider } from './azure-openai-provider.ts';

const API_KEY = '7c1e0d5b9a8f4e3d2c1b0a9f8e7d6c5b';
const JPEG = { data: new Uint8Array([0xff, 0xd8, 0xff, 1]), mimeType: 'image/jpeg' as const };

describe('Azure OpenAI base_url forms', () => {
  let server: FakeLlmServer;
  const routes: AzureRoute[] = [];
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    routes.length = 0;
    server.setFallback(
      azureOpenAiRoutes({
        apiKey: API_KEY,
        deployments: ['gpt-5-mini', 'gpt-4o', 'embed-3'],
        answers: {
          responses: (route) => {
            routes.push(route);
            return azureResponsesAnswer('A person in a red jacket at the gate.');
          },
          chat: (route) => {
            routes.push(route);
            return azureChatAnswer('A person walks by.');
          },
          embeddings: (route) => {
            routes.push(route);
            return { json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.25, 0.5] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } } };
          },
        },
      }),
    );
  });

  const provider = (baseUrl: string, overrides: Partial<ProviderSettings> = {}) =>
    createAzureOpenAiProvider({
      name: 'azure',
      kind: 'azure_openai',
      model: 'gpt-5-mini',
      embeddingModel: 'embed-3',
      baseUrl,
      apiKey: API_KEY,
      providerOptions: {},
      timeoutMs: 2000,
      ...overrides,
    });

  it("Frigate's documented form (a responses URL) calls the Responses API with the deployment as model", async () => {
    const llm = provider(`${server.url}/openai/responses?api-version=2025-04-01-preview`);
    const result = await llm.generate({
      system: 'You describe security camera images.',
      prompt: 'What happens?',
      images: [JPEG],
      maxOutputTokens: 2048,
      jsonSchema: { name: 'event description', schema: { type: 'object' } },
    });
    expect(result).toEqual({ text: 'A person in a red jacket at the gate.', model: 'gpt-5-mini-2025-08-07', usage: { inputTokens: 1029, outputTokens: 285 } });
    const request = server.lastRequest();
    expect(request.path).toBe('/openai/responses');
    expect(request.query.get('api-version')).toBe('2025-04-01-preview');
    expect(request.headers['api-key']).toBe(API_KEY);
    expect(request.headers['authorization']).toBeUndefined();
    expect(request.json).toEqual({
      model: 'gpt-5-mini',
      instructions: 'You describe security camera images.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What happens?' },
            { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/AQ==' },
          ],
        },
      ],
      store: false,
      max_output_tokens: 2048,
      text: { format: { type: 'json_schema', name: 'event_description', schema: { type: 'object' }, strict: true } },
    });
    expect(routes).toEqual([{ operation: 'responses', deployment: 'gpt-5-mini', apiVersion: '2025-04-01-preview' }]);
  });

  it('embeds through the embedding deployment of the same resource and api-version when given a responses URL', async () => {
    const result = await provider(`${server.url}/openai/responses?api-version=2025-04-01-preview`).embed(['hello']);
    expect(result.vectors).toEqual([[0.25, 0.5]]);
    expect(server.lastRequest().path).toBe('/openai/deployments/embed-3/embeddings');
    expect(server.lastRequest().json).toEqual({ input: ['hello'] });
    expect(routes).toEqual([{ operation: 'embeddings', deployment: 'embed-3', apiVersion: '2025-04-01-preview' }]);
  });

  it.each([
    ['a deployments URL', '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'],
    ['a deployments URL without the operation', '/openai/deployments/gpt-4o?api-version=2024-10-21'],
  ])('%s calls Chat Completions on that deployment with its api-version', async (_form, path) => {
    const result = await provider(`${server.url}${path}`, { model: 'gpt-4o' }).generate({ prompt: 'What happens?', images: [JPEG], maxOutputTokens: 50 });
    expect(result.text).toBe('A person walks by.');
    const request = server.lastRequest();
    expect(request.path).toBe('/openai/deployments/gpt-4o/chat/completions');
    expect(request.query.get('api-version')).toBe('2024-10-21');
    expect(request.json).toEqual({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What happens?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/AQ==' } }] }],
      max_completion_tokens: 50,
    });
  });

  it.each([
    ['with api-version in the query (as Frigate reads it)', '/?api-version=2025-01-01-preview', '2025-01-01-preview'],
    ['ending in /openai', '/openai', AZURE_OPENAI_DEFAULT_API_VERSION],
    ['bare', '', AZURE_OPENAI_DEFAULT_API_VERSION],
  ])('a resource URL %s calls Chat Completions on the deployment named by model', async (_form, path, version) => {
    await provider(`${server.url}${path}`, { model: 'gpt-4o' }).generate({ prompt: 'p' });
    expect(server.lastRequest().path).toBe('/openai/deployments/gpt-4o/chat/completions');
    expect(routes).toEqual([{ operation: 'chat', deployment: 'gpt-4o', apiVersion: version }]);
  });

  it('the api-version in the URL wins over provider_options.api_version', async () => {
    await provider(`${server.url}/openai/responses?api-version=2025-04-01-preview`, { providerOptions: { api_version: '2024-10-21' } }).generate({ prompt: 'p' });
    expect(server.lastRequest().query.get('api-version')).toBe('2025-04-01-preview');
  });

  it('the v1 API takes the deployment in the body and needs no api-version', async () => {
    await provider(`${server.url}/openai/v1/`).generate({ prompt: 'p' });
    expect(server.lastRequest().path).toBe('/openai/v1/chat/completions');
    expect([...server.lastRequest().query.keys()]).toEqual([]);
    expect(server.lastRequest().json).toMatchObject({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'p' }] });
    await provider(`${server.url}/openai/v1/responses`).generate({ prompt: 'p' });
    expect(server.lastRequest().path).toBe('/openai/v1/responses');
    expect(routes.map((r) => r.operation)).toEqual(['chat', 'responses']);
  });

  it('refuses an /openai URL it does not know instead of guessing', () => {
    expect(() => provider(`${server.url}/openai/deployments/gpt-4o/completions?api-version=2024-10-21`)).toThrow(VigilError);
    expect(() => provider(`${server.url}/openai/deployments/gpt-4o/completions?api-version=2024-10-21`)).toThrow(/not an Azure OpenAI form/);
  });

  it('sends no temperature again once the model refused one (reasoning models accept only the default)', async () => {
    const llm = provider(`${server.url}/openai/responses?api-version=2025-04-01-preview`);
    server.reply({
      status: 400,
      json: { error: { message: "Unsupported parameter: 'temperature' is not supported with this model.", type: 'invalid_request_error', param: 'temperature', code: 'unsupported_parameter' } },
    });
    const result = await llm.generate({ prompt: 'p', temperature: 0.2 });
    expect(result.text).toBe('A person in a red jacket at the gate.');
    expect(server.requests.map((r) => (r.json as { temperature?: number }).temperature)).toEqual([0.2, undefined]);
    await llm.generate({ prompt: 'p', temperature: 0.2 });
    expect((server.lastRequest().json as { temperature?: number }).temperature).toBeUndefined();
    expect(server.requests).toHaveLength(3);
  });

  it('gives provider_bad_output for a Responses answer without text (cut short, or a refusal)', async () => {
    const llm = provider(`${server.url}/openai/responses?api-version=2025-04-01-preview`);
    server.reply(
      { json: { object: 'response', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, model: 'gpt-5-mini', output: [{ type: 'reasoning', summary: [] }], usage: { input_tokens: 10, output_tokens: 2048 } } },
      { json: { object: 'response', status: 'completed', model: 'gpt-5-mini', output: [{ type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }] } },
    );
    await expect(llm.generate({ prompt: 'p' })).rejects.toMatchObject({ code: 'provider_bad_output', message: expect.stringContaining('max_output_tokens') as unknown });
    await expect(llm.generate({ prompt: 'p' })).rejects.toMatchObject({ code: 'provider_bad_output', details: ['refusal: I cannot help with that.'] });
  });

  it('a wrong key gets the 401 Azure sends, as provider_auth', async () => {
    await expect(provider(`${server.url}/openai/responses?api-version=2025-04-01-preview`, { apiKey: 'wrong-key-123456' }).generate({ prompt: 'p' })).rejects.toMatchObject({ code: 'provider_auth' });
  });
});
