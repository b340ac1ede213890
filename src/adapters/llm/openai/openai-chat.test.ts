import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeModelServer, type FakeModelServer } from '../../../../test/support/fake-model-server.ts';
import { unusedLocalUrl } from '../../../../test/support/fake-llm-server.ts';
import { createAzureOpenAiChatBackend, createOpenAiChatBackend } from './openai-chat.ts';

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

const settings = (overrides: Partial<ProviderSettings> = {}): ProviderSettings => ({
  name: 'lmstudio',
  kind: 'openai',
  model: 'qwen3-8b',
  baseUrl: server.openAiUrl,
  apiKey: 'sk-local-key-1234',
  providerOptions: {},
  timeoutMs: 2000,
  ...overrides,
});

const ask = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'qwen3-8b',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  maxTokens: 100,
  ...overrides,
});

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function failure(stream: AsyncIterable<ChatStreamEvent>): Promise<VigilError> {
  try {
    await collect(stream);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('the stream did not fail');
}

const chat = (request: ChatRequest = ask(), s: ProviderSettings = settings(), signal = new AbortController().signal) =>
  createOpenAiChatBackend(s).chat(request, { signal });

const textOf = (events: ChatStreamEvent[], type: 'text' | 'thinking') =>
  events.map((e) => (e.type === type ? e.text : '')).join('');

describe('OpenAI-compatible chat backend', () => {
  it('streams text, asks for usage and reports it from the final chunk', async () => {
    server.script({ text: ['Hel', 'lo'], usage: { input: 9, output: 2 } });
    const events = await collect(chat(ask({ temperature: 0.2, topP: 0.9, topK: 20, stop: ['END'], system: 'Be brief.' })));
    expect(events).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 9, outputTokens: 2 } },
    ]);
    const sent = server.requests[0];
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-local-key-1234');
    expect(sent?.body).toEqual({
      model: 'qwen3-8b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 20,
      stop: ['END'],
    });
  });

  it('falls back to zero usage when the server sends none', async () => {
    server.script({ text: ['x'], usage: null });
    expect((await collect(chat())).at(-1)).toEqual({ type: 'end', stopReason: 'end_turn', usage: { inputTokens: 0, outputTokens: 0 } });
  });

  it('turns reasoning_content, reasoning and inline <think> tags into thinking', async () => {
    server.script(
      { thinking: ['a', 'b'], thinkingAs: 'field', text: ['A'] },
      { thinking: ['c'], thinkingAs: 'reasoning', text: ['B'] },
      { thinking: ['d', 'e'], thinkingAs: 'tags', text: ['C'] },
    );
    const runs = [await collect(chat()), await collect(chat()), await collect(chat())];
    expect(runs.map((events) => [textOf(events, 'thinking'), textOf(events, 'text')])).toEqual([
      ['ab', 'A'],
      ['c', 'B'],
      ['de', 'C'],
    ]);
  });

  it('round-trips a tool call: fragments joined by index, then the calls and results sent back per the protocol', async () => {
    server.script({ text: ['Let me check.'], toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_abc' }, { name: 'get_time', arguments: { tz: 'CET' } }] });
    const tools = [{ name: 'get_weather', description: 'Weather now', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const events = await collect(chat(ask({ tools, toolChoice: { type: 'tool', name: 'get_weather' } })));
    expect(events.filter((e) => e.type === 'tool_call_start')).toEqual([
      { type: 'tool_call_start', index: 0, id: 'call_abc', name: 'get_weather' },
      { type: 'tool_call_start', index: 1, id: 'call_fake1', name: 'get_time' },
    ]);
    const args = (index: number) => events.map((e) => (e.type === 'tool_call_delta' && e.index === index ? e.argumentsJson : '')).join('');
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris' });
    expect(JSON.parse(args(1))).toEqual({ tz: 'CET' });
    expect(events.filter((e) => e.type === 'tool_call_delta' && e.index === 0).length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ type: 'end', stopReason: 'tool_use' });
    expect(server.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });

    server.script({ text: ['Sunny'] });
    await collect(
      chat(
        ask({
          tools,
          toolChoice: { type: 'any' },
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', text: 'need a tool' },
                { type: 'tool_use', id: 'call_abc', name: 'get_weather', input: { city: 'Paris' } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', toolUseId: 'call_abc', content: [{ type: 'text', text: 'no data' }, { type: 'image', image: { mediaType: 'image/png', data: 'AAAA' } }], isError: true },
                { type: 'text', text: 'Try again' },
              ],
            },
          ],
        }),
      ),
    );
    const sent = server.requests[1]?.body as { messages: unknown; tool_choice: unknown };
    expect(sent.tool_choice).toBe('required');
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: 'Error: no data' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Try again' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ]);
  });

  it('maps finish_reason length to max_tokens', async () => {
    server.script({ text: ['cut'], stopReason: 'length' });
    expect((await collect(chat())).at(-1)).toMatchObject({ type: 'end', stopReason: 'max_tokens' });
  });

  it('merges provider_options but keeps the fields it owns', async () => {
    server.script({ text: ['ok'] });
    await collect(chat(ask(), settings({ providerOptions: { seed: 7, stream: false, max_tokens_field: 'max_completion_tokens', max_tokens: 5 } })));
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ seed: 7, stream: true, max_completion_tokens: 100 });
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('max_tokens_field');
  });

  it('maps HTTP errors before the stream to provider codes', async () => {
    server.script({ status: 429, retryAfterS: 3 }, { status: 503 }, { status: 400, errorMessage: 'bad tools' }, { status: 403 });
    const rate = await failure(chat());
    expect([rate.code, rate.retryAfterMs]).toEqual(['provider_rate_limited', 3000]);
    expect((await failure(chat())).code).toBe('provider_unavailable');
    expect((await failure(chat())).code).toBe('provider_bad_request');
    expect((await failure(chat())).code).toBe('provider_auth');
  });

  it('a wrong key is provider_auth, without the key in the message', async () => {
    const guarded = await startFakeModelServer({ apiKey: 'the-right-key' });
    try {
      const error = await failure(chat(ask(), settings({ baseUrl: guarded.openAiUrl, apiKey: 'sk-wrong-key-5678' })));
      expect(error.code).toBe('provider_auth');
      expect(`${error.message} ${error.details.join(' ')}`).not.toContain('sk-wrong-key-5678');
    } finally {
      await guarded.close();
    }
  });

  it('gives provider_unavailable when nothing listens', async () => {
    expect((await failure(chat(ask(), settings({ baseUrl: `${await unusedLocalUrl()}/v1` })))).code).toBe('provider_unavailable');
  });

  it('times out before headers and mid-stream, freeing the connection', async () => {
    server.script({ hangBeforeHeaders: true }, { text: ['part'], hang: true });
    expect((await failure(chat(ask(), settings({ timeoutMs: 200 })))).code).toBe('provider_timeout');
    await server.waitForDisconnect(0, 2000);
    expect((await failure(chat(ask(), settings({ timeoutMs: 300 })))).code).toBe('provider_timeout');
    await server.waitForDisconnect(1, 2000);
  });

  it('a slow consumer is not a stalled backend', async () => {
    server.script({ text: ['a', 'b', 'c'] });
    const events: ChatStreamEvent[] = [];
    for await (const event of chat(ask(), settings({ timeoutMs: 150 }))) {
      events.push(event);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(textOf(events, 'text')).toBe('abc');
  });

  it('aborting mid-stream throws aborted and closes the backend connection at once', async () => {
    server.script({ text: ['one'], hang: true });
    const controller = new AbortController();
    const error = await failure(
      (async function* () {
        for await (const event of chat(ask(), settings({ timeoutMs: 10_000 }), controller.signal)) {
          controller.abort();
          yield event;
        }
      })(),
    );
    expect(error.code).toBe('aborted');
    await server.waitForDisconnect(0, 1000);
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(chat(ask(), settings(), controller.signal))).code).toBe('aborted');
    expect(server.requests).toHaveLength(0);
  });

  it('leaving the loop early cancels the request', async () => {
    server.script({ text: ['one', 'two'], hang: true });
    for await (const event of chat(ask(), settings({ timeoutMs: 10_000 }))) {
      expect(event.type).toBe('text');
      break;
    }
    await server.waitForDisconnect(0, 1000);
  });

  it('malformed data is provider_bad_output; an error event is provider_failed; a cut stream is provider_bad_output', async () => {
    server.script({ text: ['a'], malformed: '{not json' }, { text: ['a'], streamError: 'model crashed' }, { text: ['a'], malformed: '' });
    expect((await failure(chat())).code).toBe('provider_bad_output');
    const failed = await failure(chat());
    expect([failed.code, failed.message.includes('model crashed')]).toEqual(['provider_failed', true]);
    expect((await failure(chat())).code).toBe('provider_bad_output');
  });

  it('can force a tool', () => {
    expect(createOpenAiChatBackend(settings()).capabilities.forcedToolChoice).toBe(true);
  });
});

describe('Azure OpenAI chat backend', () => {
  it('posts to the deployment with api-key, no model in the body and max_completion_tokens', async () => {
    server.script({ text: ['hi'] });
    const backend = createAzureOpenAiChatBackend(settings({ kind: 'azure_openai', baseUrl: `${server.url}/openai/deployments/gpt4o?api-version=2024-10-21`, model: 'gpt4o' }));
    const events = await collect(backend.chat(ask(), { signal: new AbortController().signal }));
    expect(events[0]).toEqual({ type: 'text', text: 'hi' });
    const sent = server.requests[0];
    expect(sent?.path).toBe('/openai/deployments/gpt4o/chat/completions');
    expect(sent?.headers['api-key']).toBe('sk-local-key-1234');
    expect(sent?.body).not.toHaveProperty('model');
    expect(sent?.body).toMatchObject({ max_completion_tokens: 100 });
    expect(sent?.body).not.toHaveProperty('top_k');
  });

  it('refuses a Responses API base_url with config_invalid', () => {
    expect(() => createAzureOpenAiChatBackend(settings({ kind: 'azure_openai', baseUrl: 'https://x.openai.azure.com/openai/responses?api-version=2025-04-01-preview' }))).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });
});

describe('a server that sends whole tool calls without `index` (as Gemini\'s compatible API does)', () => {
  it('tells the calls apart by their ids instead of merging their arguments', async () => {
    const { createServer } = await import('node:http');
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const raw = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        chunk({ role: 'assistant', tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }) +
          chunk({ tool_calls: [{ id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] }) +
          chunk({}, 'tool_calls') +
          'data: [DONE]\n\n',
      );
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const port = (raw.address() as { port: number }).port;
      const events = await collect(chat(ask(), settings({ baseUrl: `http://127.0.0.1:${port}/v1` })));
      expect(events.filter((e) => e.type === 'tool_call_start')).toEqual([
        { type: 'tool_call_start', index: 0, id: 'call_a', name: 'get_weather' },
        { type: 'tool_call_start', index: 1, id: 'call_b', name: 'get_weather' },
      ]);
      expect(events.filter((e) => e.type === 'tool_call_delta')).toEqual([
        { type: 'tool_call_delta', index: 0, argumentsJson: '{"city":"Paris"}' },
        { type: 'tool_call_delta', index: 1, argumentsJson: '{"city":"Rome"}' },
      ]);
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});
