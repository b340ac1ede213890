import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { startFakeModelServer, type FakeModelServer } from '../../../../test/support/fake-model-server.ts';
import { unusedLocalUrl } from '../../../../test/support/fake-llm-server.ts';
import { createOllamaChatBackend } from './ollama-chat.ts';

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

const settings = (overrides: Partial<ProviderSettings> = {}): ProviderSettings => ({
  name: 'local',
  kind: 'ollama',
  model: 'qwen3:8b',
  baseUrl: server.url,
  providerOptions: {},
  timeoutMs: 2000,
  ...overrides,
});

const ask = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'qwen3:8b',
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
  createOllamaChatBackend(s).chat(request, { signal });

describe('Ollama chat backend', () => {
  it('streams text deltas and ends with usage and end_turn', async () => {
    server.script({ text: ['Hel', 'lo'], usage: { input: 12, output: 2 } });
    const events = await collect(chat());
    expect(events).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 12, outputTokens: 2 } },
    ]);
    const sent = server.requests[0];
    expect(sent?.path).toBe('/api/chat');
    expect(sent?.body).toMatchObject({ model: 'qwen3:8b', stream: true, options: { num_predict: 100 } });
  });

  it('sends sampling options, a fixed configured num_ctx and keep_alive, never a per-request num_ctx', async () => {
    server.script({ text: ['ok'] });
    const s = settings({ providerOptions: { keep_alive: '30m', options: { num_ctx: 32768, temperature: 0.1 } } });
    await collect(chat(ask({ temperature: 0.7, topP: 0.9, topK: 40, stop: ['END'], system: 'Be brief.' }), s));
    expect(server.requests[0]?.body).toMatchObject({
      keep_alive: '30m',
      options: { num_ctx: 32768, num_predict: 100, temperature: 0.7, top_p: 0.9, top_k: 40, stop: ['END'] },
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
    });
  });

  it('turns message.thinking into thinking events and asks with think: true', async () => {
    server.script({ thinking: ['Let me', ' see'], text: ['Four'] });
    const events = await collect(chat(ask({ thinking: true })));
    expect(events.slice(0, 3)).toEqual([
      { type: 'thinking', text: 'Let me' },
      { type: 'thinking', text: ' see' },
      { type: 'text', text: 'Four' },
    ]);
    expect(server.requests[0]?.body).toMatchObject({ think: true });
  });

  it('splits inline <think> tags out of the content', async () => {
    server.script({ thinking: ['hmm', ' ok'], thinkingAs: 'tags', text: ['Answer'] });
    const events = await collect(chat());
    expect(events.filter((e) => e.type === 'thinking').map((e) => (e.type === 'thinking' ? e.text : '')).join('')).toBe('hmm ok');
    expect(events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', text: 'Answer' }]);
  });

  it('asks again without think when the model does not support thinking, and remembers it', async () => {
    server.script({ rejectThink: true }, { text: ['plain'] }, { text: ['again'] });
    const backend = createOllamaChatBackend(settings());
    const signal = new AbortController().signal;
    const first = await collect(backend.chat(ask({ thinking: true }), { signal }));
    expect(first[0]).toEqual({ type: 'text', text: 'plain' });
    await collect(backend.chat(ask({ thinking: true }), { signal }));
    expect(server.chatRequests().map((r) => (r.body as { think?: unknown }).think)).toEqual([true, undefined, undefined]);
  });

  it('round-trips a tool call: tools, the assistant tool_calls and the tool result as Ollama wants them', async () => {
    server.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
    const events = await collect(
      chat(ask({ tools: [{ name: 'get_weather', description: 'Weather now', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }] })),
    );
    const start = events[0];
    expect(start).toMatchObject({ type: 'tool_call_start', index: 0, name: 'get_weather' });
    expect(start?.type === 'tool_call_start' && /^call_[0-9a-f]{24}$/.test(start.id)).toBe(true);
    expect(events[1]).toEqual({ type: 'tool_call_delta', index: 0, argumentsJson: '{"city":"Paris"}' });
    expect(events[2]).toMatchObject({ type: 'end', stopReason: 'tool_use' });
    expect(server.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object' } } }],
    });

    server.script({ text: ['Sunny'] });
    await collect(
      chat(
        ask({
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', text: 'need a tool' },
                { type: 'text', text: 'Checking.' },
                { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', toolUseId: 'toolu_1', content: [{ type: 'text', text: '21C' }], isError: false },
                { type: 'text', text: 'And tomorrow?' },
                { type: 'image', image: { mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              ],
            },
          ],
          tools: [{ name: 'get_weather', inputSchema: { type: 'object' } }],
        }),
      ),
    );
    expect((server.requests[1]?.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Checking.', thinking: 'need a tool', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '21C', tool_name: 'get_weather' },
      { role: 'user', content: 'And tomorrow?', images: ['iVBORw0KGgo='] },
    ]);
  });

  it('keeps an id Ollama gives, numbers parallel calls, and leaves the tools out for tool_choice none', async () => {
    server.script({ toolCalls: [{ name: 'a', arguments: {}, id: 'call_x' }, { name: 'b', arguments: { n: 1 } }] });
    const events = await collect(chat(ask({ tools: [{ name: 'a', inputSchema: {} }], toolChoice: { type: 'none' } })));
    expect(events.filter((e) => e.type === 'tool_call_start').map((e) => e.type === 'tool_call_start' && [e.index, e.id, e.name])).toEqual([
      [0, 'call_x', 'a'],
      [1, expect.stringMatching(/^call_/), 'b'],
    ]);
    expect(server.requests[0]?.body).not.toHaveProperty('tools');
  });

  it('maps done_reason length to max_tokens', async () => {
    server.script({ text: ['cut'], stopReason: 'length' });
    expect((await collect(chat())).at(-1)).toMatchObject({ type: 'end', stopReason: 'max_tokens' });
  });

  it('maps HTTP errors before the stream to provider codes', async () => {
    server.script(
      { status: 429, retryAfterS: 2 },
      { status: 500 },
      { status: 404, errorMessage: 'model "x" not found, try pulling it first' },
      { status: 401 },
    );
    const rate = await failure(chat());
    expect([rate.code, rate.retryAfterMs]).toEqual(['provider_rate_limited', 2000]);
    expect((await failure(chat())).code).toBe('provider_unavailable');
    const missing = await failure(chat());
    expect(missing.code).toBe('provider_bad_request');
    expect(missing.message).toContain('not found');
    expect((await failure(chat())).code).toBe('provider_auth');
  });

  it('never puts the API key in an error message', async () => {
    server.script({ status: 401, errorMessage: 'bad key sk-secret-123456' });
    const error = await failure(chat(ask(), settings({ apiKey: 'sk-secret-123456' })));
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-secret-123456');
    expect(error.message).not.toContain('sk-secret-123456');
    expect(error.details.join(' ')).not.toContain('sk-secret-123456');
  });

  it('gives provider_unavailable when nothing listens', async () => {
    const error = await failure(chat(ask(), settings({ baseUrl: await unusedLocalUrl() })));
    expect(error.code).toBe('provider_unavailable');
  });

  it('times out waiting for headers', async () => {
    server.script({ hangBeforeHeaders: true });
    const error = await failure(chat(ask(), settings({ timeoutMs: 200 })));
    expect(error.code).toBe('provider_timeout');
    await server.waitForDisconnect(0, 2000);
  });

  it('times out when the backend sends headers and then nothing', async () => {
    server.script({ hang: true });
    expect((await failure(chat(ask(), settings({ timeoutMs: 200 })))).code).toBe('provider_timeout');
    await server.waitForDisconnect(0, 2000);
  });

  it('times out when the backend stalls mid-stream, after the events it did send', async () => {
    server.script({ text: ['part'], hang: true });
    const events: ChatStreamEvent[] = [];
    const started = Date.now();
    const error = await failure(
      (async function* () {
        for await (const event of chat(ask(), settings({ timeoutMs: 300 }))) {
          events.push(event);
          yield event;
        }
      })(),
    );
    expect(error.code).toBe('provider_timeout');
    expect(events).toEqual([{ type: 'text', text: 'part' }]);
    expect(Date.now() - started).toBeLessThan(1500);
    await server.waitForDisconnect(0, 2000);
  });

  it('aborting mid-stream throws aborted and closes the backend connection at once', async () => {
    server.script({ text: ['one', 'two'], hang: true });
    const controller = new AbortController();
    const stream = chat(ask(), settings({ timeoutMs: 10_000 }), controller.signal);
    const seen: ChatStreamEvent[] = [];
    const error = await failure(
      (async function* () {
        for await (const event of stream) {
          seen.push(event);
          if (seen.length === 2) controller.abort();
          yield event;
        }
      })(),
    );
    expect(error.code).toBe('aborted');
    await server.waitForDisconnect(0, 1000);
  });

  it('leaving the loop early cancels the request', async () => {
    server.script({ text: ['one', 'two'], hang: true });
    for await (const event of chat(ask(), settings({ timeoutMs: 10_000 }))) {
      expect(event).toEqual({ type: 'text', text: 'one' });
      break;
    }
    await server.waitForDisconnect(0, 1000);
  });

  it('a line that is not JSON is provider_bad_output; an error line is provider_failed', async () => {
    server.script({ text: ['a'], malformed: 'not json' }, { text: ['a'], streamError: 'CUDA out of memory' });
    expect((await failure(chat())).code).toBe('provider_bad_output');
    const failed = await failure(chat());
    expect(failed.code).toBe('provider_failed');
    expect(failed.message).toContain('CUDA out of memory');
  });

  it('a stream that ends without its done line is provider_bad_output', async () => {
    server.script({ text: ['a'], malformed: '' });
    expect((await failure(chat())).code).toBe('provider_bad_output');
  });

  it('says it cannot force a tool', () => {
    expect(createOllamaChatBackend(settings()).capabilities.forcedToolChoice).toBe(false);
  });
});
