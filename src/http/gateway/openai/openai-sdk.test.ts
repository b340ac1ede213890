import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError, type ErrorCode } from '../../../domain/errors.ts';
import { parseOpenAiChatRequest, type ParsedOpenAiChatRequest } from './openai-chat-request.ts';
import { gatherOpenAiChatCompletion } from './openai-chat-response.ts';
import { openAiChatSse } from './openai-chat-stream.ts';
import { openAiEmbeddingsResponse, parseOpenAiEmbeddingsRequest } from './openai-embeddings.ts';
import { openAiError } from './openai-errors.ts';
import { openAiModelList } from './openai-models.ts';
import { newChatCompletionId } from './openai-wire.ts';

/**
 * The codec served over real HTTP to the official `openai` client: what it parses, reassembles and
 * raises is what users' programs will see. The little server here plays the integrator's routes.
 */

const usage = { inputTokens: 21, outputTokens: 9 };
const TOOL_EVENTS: ChatStreamEvent[] = [
  { type: 'thinking', text: 'Paris, ' },
  { type: 'thinking', text: 'then answer.' },
  { type: 'text', text: 'Checking.' },
  { type: 'tool_call_start', index: 0, id: 'call_w1', name: 'weather' },
  { type: 'tool_call_delta', index: 0, argumentsJson: '{"city":' },
  { type: 'tool_call_delta', index: 0, argumentsJson: '"Paris","unit":"C"}' },
  { type: 'tool_call_start', index: 1, id: 'call_t1', name: 'time' },
  { type: 'tool_call_delta', index: 1, argumentsJson: '{}' },
  { type: 'end', stopReason: 'tool_use', usage },
];
const TEXT_EVENTS: ChatStreamEvent[] = [
  { type: 'text', text: 'It is ' },
  { type: 'text', text: '18°C in Paris.' },
  { type: 'end', stopReason: 'end_turn', usage },
];

/** What the next chat request gets: events (and a failure after them), or an error before anything. */
let script: { events: ChatStreamEvent[]; failAfter?: VigilError } | { error: VigilError } = { events: TEXT_EVENTS };
let lastChat: ParsedOpenAiChatRequest | undefined;
let lastEmbeddingsBody: unknown;
const VECTORS = [
  [0.1, -0.25, 3.5, 1e-7],
  [Math.fround(0.3), 0, -1, 42],
];

async function* play(events: ChatStreamEvent[], failAfter: VigilError | undefined): AsyncGenerator<ChatStreamEvent> {
  for (const event of events) {
    // A real backend ends its stream with `end`; a failure comes instead of it.
    if (event.type === 'end' && failAfter) throw failAfter;
    yield event;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method === 'GET' && req.url === '/v1/models') return sendJson(res, 200, openAiModelList(['qwen3:32b', 'nomic-embed-text'], { created: 1_750_000_000 }));
    if (req.method === 'POST' && req.url === '/v1/embeddings') {
      lastEmbeddingsBody = await readJson(req);
      const parsed = parseOpenAiEmbeddingsRequest(lastEmbeddingsBody);
      return sendJson(res, 200, openAiEmbeddingsResponse({ model: parsed.clientModel, vectors: VECTORS.slice(0, parsed.inputs.length), promptTokens: 6, encodingFormat: parsed.encodingFormat }));
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      const parsed = parseOpenAiChatRequest(await readJson(req));
      lastChat = parsed;
      if ('error' in script) throw script.error;
      const meta = { id: newChatCompletionId(), created: 1_750_000_000, model: parsed.clientModel };
      const events = play(script.events, script.failAfter);
      if (!parsed.stream) return sendJson(res, 200, await gatherOpenAiChatCompletion(events, meta));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for await (const piece of openAiChatSse(events, meta, { includeUsage: parsed.includeUsage })) res.write(piece);
      return void res.end();
    }
    throw new VigilError('not_found', `no route ${req.method} ${req.url}`);
  } catch (error) {
    const answer = openAiError(error);
    sendJson(res, answer.status, answer.body, answer.headers);
  }
}

let server: Server;
let client: OpenAI;

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'vk_test', maxRetries: 0 });
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

beforeEach(() => {
  script = { events: TEXT_EVENTS };
  lastChat = undefined;
});

const weatherTools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'time', parameters: { type: 'object', properties: {} } } },
];

describe('the official openai client against the codec', () => {
  it('iterates a stream with usage: same id throughout, text deltas, finish reason, usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'qwen3:32b',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(lastChat).toMatchObject({ clientModel: 'qwen3:32b', stream: true, includeUsage: true });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]?.id).toMatch(/^chatcmpl-/);
    expect(chunks.every((c) => c.model === 'qwen3:32b' && c.object === 'chat.completion.chunk' && c.created === 1_750_000_000)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('It is 18°C in Paris.');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 } });
  });

  it('reassembles text and tool calls with the chat.completions.stream helper', async () => {
    script = { events: TOOL_EVENTS };
    const runner = client.chat.completions.stream({ model: 'qwen3:32b', messages: [{ role: 'user', content: 'Weather and time in Paris?' }], tools: weatherTools });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();

    expect(deltas.join('')).toBe('Checking.');
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'call_w1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris","unit":"C"}' } },
      { id: 'call_t1', type: 'function', function: { name: 'time', arguments: '{}' } },
    ]);
    expect(lastChat?.request.tools?.map((t) => t.name)).toEqual(['weather', 'time']);
  });

  it('reads reasoning_content from the stream chunks', async () => {
    script = { events: TOOL_EVENTS };
    const stream = await client.chat.completions.create({ model: 'qwen3:32b', messages: [{ role: 'user', content: 'x' }], stream: true, reasoning_effort: 'high' });
    let reasoning = '';
    for await (const chunk of stream) reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    expect(reasoning).toBe('Paris, then answer.');
    expect(lastChat?.request.thinking).toBe(true);
  });

  it('gets one chat.completion without streaming', async () => {
    script = { events: TOOL_EVENTS };
    const completion = await client.chat.completions.create({ model: 'qwen3:32b', messages: [{ role: 'user', content: 'x' }], tools: weatherTools, max_completion_tokens: 300 });
    expect(lastChat).toMatchObject({ stream: false, maxTokens: 300 });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('qwen3:32b');
    expect(completion.usage).toEqual({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    const message = completion.choices[0]!.message as OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.reasoning_content).toBe('Paris, then answer.');
    expect(message.tool_calls?.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : []))).toEqual([
      ['weather', { city: 'Paris', unit: 'C' }],
      ['time', {}],
    ]);
  });

  it('sends a whole tool round back through the parser as neutral blocks', async () => {
    const first = await client.chat.completions.create({ model: 'qwen3:32b', messages: [{ role: 'user', content: 'x' }], tools: weatherTools });
    expect(first.choices[0]?.message.content).toBe('It is 18°C in Paris.');
    script = { events: TOOL_EVENTS };
    const withCalls = await client.chat.completions.create({ model: 'qwen3:32b', messages: [{ role: 'user', content: 'Weather?' }], tools: weatherTools });
    const assistant = withCalls.choices[0]!.message;
    script = { events: TEXT_EVENTS };
    await client.chat.completions.create({
      model: 'qwen3:32b',
      tools: weatherTools,
      messages: [
        { role: 'user', content: 'Weather?' },
        assistant,
        { role: 'tool', tool_call_id: 'call_w1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_t1', content: '14:00' },
        { role: 'user', content: 'Thanks. Tomorrow?' },
      ],
    });
    expect(lastChat?.request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Paris, then answer.' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_w1', name: 'weather', input: { city: 'Paris', unit: 'C' } },
          { type: 'tool_use', id: 'call_t1', name: 'time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_w1', content: [{ type: 'text', text: '18C' }], isError: false },
          { type: 'tool_result', toolUseId: 'call_t1', content: [{ type: 'text', text: '14:00' }], isError: false },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks. Tomorrow?' }] },
    ]);
  });

  it('raises an APIError with the message when the stream fails after it began', async () => {
    script = { events: TEXT_EVENTS, failAfter: new VigilError('provider_unavailable', 'The model provider "ollama" went away.') };
    const stream = await client.chat.completions.create({ model: 'qwen3:32b', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    const failure = await (async () => {
      try {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(seen.join('')).toBe('It is 18°C in Paris.');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toBe('The model provider "ollama" went away.');
    expect((failure as APIError).code).toBe('provider_unavailable');
  });

  it('gets embeddings back as the exact floats, base64 (the default) and float', async () => {
    const asBase64 = await client.embeddings.create({ model: 'nomic-embed-text', input: ['a cat', 'a dog'] });
    expect(lastEmbeddingsBody).toMatchObject({ encoding_format: 'base64' });
    // float32 on the wire: the floats come back as float32 rounds them.
    expect(asBase64.data.map((d) => Array.from(d.embedding))).toEqual(VECTORS.map((v) => v.map(Math.fround)));
    expect(asBase64).toMatchObject({ object: 'list', model: 'nomic-embed-text', usage: { prompt_tokens: 6, total_tokens: 6 } });

    const asFloat = await client.embeddings.create({ model: 'nomic-embed-text', input: 'a cat', encoding_format: 'float' });
    expect(asFloat.data).toEqual([{ object: 'embedding', index: 0, embedding: VECTORS[0] }]);
  });

  it('lists the models', async () => {
    const page = await client.models.list();
    expect(page.data).toEqual([
      { id: 'qwen3:32b', object: 'model', created: 1_750_000_000, owned_by: 'vigil' },
      { id: 'nomic-embed-text', object: 'model', created: 1_750_000_000, owned_by: 'vigil' },
    ]);
  });

  it('refuses an unsupported request with BadRequestError and the reason', async () => {
    const failure = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).message).toBe('400 n: only one choice per request is supported (got 2); send separate requests');
    expect((failure as BadRequestError).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_argument' });
  });

  it.each<[ErrorCode, number, new (...args: never[]) => APIError]>([
    ['invalid_argument', 400, BadRequestError],
    ['unauthorized', 401, AuthenticationError],
    ['forbidden', 403, PermissionDeniedError],
    ['not_found', 404, NotFoundError],
    ['too_large', 413, APIError],
    ['rate_limited', 429, RateLimitError],
    ['internal', 500, InternalServerError],
    ['provider_failed', 502, InternalServerError],
    ['queue_full', 503, InternalServerError],
    ['circuit_open', 503, InternalServerError],
    ['provider_timeout', 504, InternalServerError],
  ])('%s raises the SDK class of status %i, streaming or not', async (code, status, errorClass) => {
    script = { error: new VigilError(code, `failed with ${code}`, { retryAfterMs: 2500 }) };
    for (const stream of [false, true]) {
      const failure = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(errorClass);
      expect((failure as APIError).status).toBe(status);
      expect((failure as APIError).message).toBe(`${status} failed with ${code}`);
      if (status === 429 || status >= 500) expect((failure as APIError).headers?.get('retry-after')).toBe('3');
    }
  });
});
