import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { createAnthropicProvider } from './anthropic-provider.ts';

const API_KEY = 'sk-ant-api03-test-secret-0123456789';
const SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, objects: { type: 'array', items: { type: 'string' } } },
  required: ['title', 'objects'],
};

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
    name: 'claude',
    kind: 'anthropic',
    model: 'claude-sonnet-4-5',
    baseUrl: server.url,
    apiKey: API_KEY,
    providerOptions: {},
    timeoutMs: 5_000,
    ...overrides,
  };
}

function message(content: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content,
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 412, output_tokens: 88 },
    ...extra,
  };
}

function anthropicError(type: string, text: string): Record<string, unknown> {
  return { type: 'error', error: { type, message: text }, request_id: 'req_01' };
}

async function failure(promise: Promise<unknown>): Promise<VigilError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof VigilError)) throw new Error(`expected a VigilError, got ${String(error)}`);
  return error;
}

describe('createAnthropicProvider: request', () => {
  it('posts to /v1/messages with x-api-key, anthropic-version, the image before the text and a default max_tokens', async () => {
    server.reply({ json: message([{ type: 'text', text: 'A dog on a leash.' }]) });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 8, 7]);
    await createAnthropicProvider(settings()).generate({
      system: 'You describe security camera footage.',
      prompt: 'What happens here?',
      images: [{ data: png, mimeType: 'image/png' }],
    });

    const request = server.lastRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: 'You describe security camera footage.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from(png).toString('base64') } },
            { type: 'text', text: 'What happens here?' },
          ],
        },
      ],
    });
  });

  it('sends maxOutputTokens and temperature, merges provider_options and ignores the reserved keys', async () => {
    server.reply({ json: message([{ type: 'text', text: 'ok' }]) }, { json: message([{ type: 'text', text: 'ok' }]) });
    const provider = createAnthropicProvider(
      settings({
        baseUrl: `${server.url}/v1`,
        providerOptions: { top_k: 5, max_tokens: 2048, temperature: 1, metadata: { user_id: 'vigil' }, stream: true, messages: [] },
      }),
    );
    await provider.generate({ prompt: 'hi', maxOutputTokens: 300, temperature: 0.2 });
    expect(server.lastRequest().path).toBe('/v1/messages');
    expect(server.lastRequest().json).toMatchObject({ max_tokens: 300, temperature: 0.2, top_k: 5, metadata: { user_id: 'vigil' } });
    expect(server.lastRequest().json).not.toHaveProperty('stream');
    expect((server.lastRequest().json as { messages: unknown[] }).messages).toHaveLength(1);

    await provider.generate({ prompt: 'hi' });
    expect(server.lastRequest().json).toMatchObject({ max_tokens: 2048, temperature: 1 });
  });

  it('asks for JSON through one forced tool whose input_schema is the schema, and returns its input as JSON text', async () => {
    server.reply({
      json: message([{ type: 'tool_use', id: 'toolu_01', name: 'event_description', input: { title: 'Dog walker', objects: ['person', 'dog'] } }], {
        stop_reason: 'tool_use',
      }),
    });
    const result = await createAnthropicProvider(settings()).generate({
      prompt: 'Describe',
      jsonSchema: { name: 'event_description', schema: SCHEMA },
    });

    expect(result).toEqual({
      text: '{"title":"Dog walker","objects":["person","dog"]}',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 412, outputTokens: 88 },
    });
    const body = server.lastRequest().json as Record<string, unknown>;
    expect(body['tools']).toEqual([{ name: 'event_description', description: expect.any(String) as unknown, input_schema: SCHEMA }]);
    expect(body['tool_choice']).toEqual({ type: 'tool', name: 'event_description' });
  });

  it('wraps a schema that is not an object, and unwraps the answer; cleans tool names', async () => {
    server.reply({ json: message([{ type: 'tool_use', id: 'toolu_01', name: 'labels_v1', input: { value: ['car', 'bus'] } }]) });
    const schema = { type: 'array', items: { type: 'string' } };
    const result = await createAnthropicProvider(settings()).generate({ prompt: 'List', jsonSchema: { name: 'labels v1', schema } });

    expect(result.text).toBe('["car","bus"]');
    expect(server.lastRequest().json).toMatchObject({
      tools: [{ name: 'labels_v1', input_schema: { type: 'object', properties: { value: schema }, required: ['value'] } }],
    });
  });

  it('uses native structured outputs (output_config.format) when provider_options.json_output says so', async () => {
    server.reply({ json: message([{ type: 'text', text: '{"title":"Dog walker","objects":[]}' }]) });
    const provider = createAnthropicProvider(settings({ providerOptions: { json_output: 'output_config', output_config: { effort: 'low' } } }));
    const result = await provider.generate({ prompt: 'Describe', jsonSchema: { name: 'event_description', schema: SCHEMA } });

    expect(result.text).toBe('{"title":"Dog walker","objects":[]}');
    const body = server.lastRequest().json as Record<string, unknown>;
    expect(body['output_config']).toEqual({ effort: 'low', format: { type: 'json_schema', schema: SCHEMA } });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('json_output');
  });

  it('rejects an unknown json_output when the provider is built', () => {
    expect(() => createAnthropicProvider(settings({ providerOptions: { json_output: 'prefill' } }))).toThrow(/json_output/);
  });
});

describe('createAnthropicProvider: answer', () => {
  it('joins the text blocks and skips others', async () => {
    server.reply({
      json: message([
        { type: 'thinking', thinking: 'hmm', signature: 'x' },
        { type: 'text', text: 'A dog ' },
        { type: 'text', text: 'on a leash.' },
      ]),
    });
    const result = await createAnthropicProvider(settings()).generate({ prompt: 'Describe' });
    expect(result.text).toBe('A dog on a leash.');
  });

  it.each([
    ['a body that is not JSON', { body: '{"type": "message", "content": [' }],
    ['a body without content', { json: { type: 'message', model: 'claude', usage: { input_tokens: 1, output_tokens: 1 } } }],
    ['no text at all', { json: message([]) }],
  ])('turns a 200 with %s into a retryable provider_bad_output', async (_label, reply) => {
    server.reply(reply);
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.retryable).toBe(true);
  });

  it('turns a JSON request answered without the tool call into provider_bad_output', async () => {
    server.reply({ json: message([{ type: 'text', text: 'Here you go: {"title": "x"}' }]) });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi', jsonSchema: { name: 'd', schema: SCHEMA } }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.message).toContain('did not call the d tool');
  });

  it('never returns a tool input cut off by max_tokens', async () => {
    server.reply({ json: message([{ type: 'tool_use', id: 't', name: 'd', input: { title: 'Do' } }], { stop_reason: 'max_tokens' }) });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi', jsonSchema: { name: 'd', schema: SCHEMA } }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.message).toContain('maxOutputTokens');
  });

  it('turns a refusal into a provider_bad_output that is not retried', async () => {
    server.reply({ json: message([], { stop_reason: 'refusal' }) });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_bad_output');
    expect(error.message).toContain('declined');
    expect(error.retryable).toBe(false);
  });
});

describe('createAnthropicProvider: errors', () => {
  it.each([
    [400, 'invalid_request_error', 'max_tokens: Field required', 'provider_bad_request', false],
    [401, 'authentication_error', 'invalid x-api-key', 'provider_auth', false],
    [403, 'permission_error', 'Your API key does not have permission to use the specified resource.', 'provider_auth', false],
    [404, 'not_found_error', 'model: claude-9', 'provider_bad_request', false],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 'provider_bad_request', false],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 'provider_rate_limited', true],
    [500, 'api_error', 'Internal server error', 'provider_unavailable', true],
    [529, 'overloaded_error', 'Overloaded', 'provider_unavailable', true],
  ])('maps HTTP %i %s to %s', async (status, type, text, code, retryable) => {
    server.reply({ status, json: anthropicError(type, text) });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(text);
  });

  it('reads retry-after on a 429 into retryAfterMs', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '17' }, json: anthropicError('rate_limit_error', 'slow down') });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_rate_limited');
    expect(error.retryAfterMs).toBe(17_000);
  });

  it('reads retry-after on a 529 overloaded_error too', async () => {
    server.reply({ status: 529, headers: { 'retry-after': '3' }, json: anthropicError('overloaded_error', 'Overloaded') });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_unavailable');
    expect(error.retryAfterMs).toBe(3_000);
  });

  it('does not call a reached spend limit retryable', async () => {
    server.reply({
      status: 429,
      json: {
        type: 'error',
        error: { type: 'rate_limit_error', message: 'You have reached your monthly spend limit.', details: { error_code: 'enforced_spend_limit_reached' } },
      },
    });
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_rate_limited');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('spend limit');
  });

  it('gives provider_timeout when the answer is slower than timeoutMs', async () => {
    server.reply({ delayMs: 2_000, json: message([{ type: 'text', text: 'late' }]) });
    const error = await failure(createAnthropicProvider(settings({ timeoutMs: 150 })).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_timeout');
    expect(error.retryable).toBe(true);
  });

  it('gives aborted when the caller cancels', async () => {
    server.reply({ delayMs: 2_000, json: message([{ type: 'text', text: 'late' }]) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi', signal: controller.signal }));
    expect(error.code).toBe('aborted');
  });

  it('gives a retryable provider_unavailable when nothing listens', async () => {
    const error = await failure(createAnthropicProvider(settings({ baseUrl: await unusedLocalUrl() })).generate({ prompt: 'hi' }));
    expect(error.code).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
  });

  it('never puts the API key in an error, even when the provider echoes it back', async () => {
    server.reply(
      { status: 401, json: anthropicError('authentication_error', `invalid x-api-key ${API_KEY}`) },
      {
        status: 429,
        json: { type: 'error', error: { type: 'rate_limit_error', message: `spend limit for ${API_KEY}`, details: { error_code: 'enforced_spend_limit_reached' } } },
      },
    );
    const errors = [
      await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' })),
      await failure(createAnthropicProvider(settings()).generate({ prompt: 'hi' })),
      await failure(createAnthropicProvider(settings({ baseUrl: await unusedLocalUrl() })).generate({ prompt: 'hi' })),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain(API_KEY);
      expect(error.details.join('\n')).not.toContain(API_KEY);
    }
  });
});

describe('createAnthropicProvider: embed', () => {
  it('says Anthropic has no embeddings, without calling the server', async () => {
    const error = await failure(createAnthropicProvider(settings()).embed(['a red car']));
    expect(error.code).toBe('provider_bad_request');
    expect(error.message).toBe('Anthropic offers no embeddings API; configure another provider for the embeddings role');
    expect(server.requests).toHaveLength(0);
  });
});
