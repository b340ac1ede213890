import Anthropic from '@anthropic-ai/sdk';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { isVigilError, VigilError } from '../../../domain/errors.ts';
import { anthropicError } from './anthropic-errors.ts';
import { gatherAnthropicMessage } from './anthropic-message.ts';
import { parseAnthropicRequest, type ParsedAnthropicRequest } from './anthropic-request.ts';
import { anthropicErrorEvent, encodeAnthropicStream, formatSseEvent } from './anthropic-stream.ts';

/**
 * The codec against the official SDK: a real local HTTP server speaks the encoder's output as SSE
 * text (and the gathered Message as JSON, and errors as Anthropic error bodies), and the SDK has to
 * put the same answer back together. The server is the smallest stand-in for the integrator's route.
 */

interface Scenario {
  events: ChatStreamEvent[];
  /** Thrown by the "backend" after this many events (the stream has begun by then). */
  failAfter?: { count: number; error: VigilError };
  /** Answer every request with this error, before anything is sent. */
  refuse?: VigilError;
  /** Answer requests after the first `refuse` with the events instead (to see a retry land). */
  refuseOnce?: boolean;
}

let scenario: Scenario;
let requests: ParsedAnthropicRequest[];
let server: Server;
let client: Anthropic;

async function* backend(current: Scenario): AsyncGenerator<ChatStreamEvent> {
  let sent = 0;
  for (const event of current.events) {
    if (current.failAfter !== undefined && sent === current.failAfter.count) throw current.failAfter.error;
    yield event;
    sent++;
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function sendError(res: ServerResponse, error: VigilError): void {
  const answer = anthropicError(error, 'req_test');
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let parsed: ParsedAnthropicRequest;
  try {
    parsed = parseAnthropicRequest(await readBody(req));
  } catch (error) {
    sendError(res, isVigilError(error) ? error : new VigilError('internal', 'unexpected'));
    return;
  }
  requests.push(parsed);
  if (scenario.refuse !== undefined && !(scenario.refuseOnce === true && requests.length > 1)) {
    sendError(res, scenario.refuse);
    return;
  }
  const options = { clientModel: parsed.clientModel, inputTokensEstimate: 99, showThinking: parsed.showThinking };
  if (!parsed.stream) {
    try {
      const message = await gatherAnthropicMessage(backend(scenario), options);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(message));
    } catch (error) {
      sendError(res, error as VigilError);
    }
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  try {
    for await (const event of encodeAnthropicStream(backend(scenario), options)) res.write(formatSseEvent(event));
  } catch (error) {
    res.write(formatSseEvent(anthropicErrorEvent(error as VigilError, 'req_test')));
  }
  res.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new Anthropic({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'vk_test', maxRetries: 0 });
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

beforeEach(() => {
  requests = [];
});

const TOOLS: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];

const MIXED: ChatStreamEvent[] = [
  { type: 'thinking', text: 'Two cities; ' },
  { type: 'thinking', text: 'two calls.' },
  { type: 'text', text: 'Checking ' },
  { type: 'text', text: 'both.' },
  { type: 'tool_call_start', index: 0, id: 'toolu_a', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsJson: '{"ci' },
  { type: 'tool_call_delta', index: 0, argumentsJson: 'ty": "Paris"}' },
  { type: 'tool_call_start', index: 1, id: 'toolu_b', name: 'get_weather' },
  { type: 'tool_call_delta', index: 1, argumentsJson: '{"city": "Oslo", "unit": "C"}' },
  { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 321, outputTokens: 45 } },
];

const EXPECTED_CONTENT = [
  { type: 'thinking', thinking: 'Two cities; two calls.', signature: '' },
  { type: 'text', text: 'Checking both.' },
  { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
  { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Oslo', unit: 'C' } },
];

describe('the official SDK reads the stream', () => {
  it('reassembles thinking, text and two tool calls, stop_reason and the real usage', async () => {
    scenario = { events: MIXED };
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: TOOLS,
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
    });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();

    expect(message.model).toBe('claude-sonnet-4-6');
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toMatchObject(EXPECTED_CONTENT);
    expect(message.stop_reason).toBe('tool_use');
    // message_start carried the estimate (99); message_delta's real count replaced it.
    expect(message.usage).toMatchObject({ input_tokens: 321, output_tokens: 45 });
    expect(texts).toEqual(['Checking ', 'both.']);
    expect(requests[0]?.request.thinking).toBe(true);
  });

  it('takes a multi-turn tool conversation the SDK sends, and streams the answer', async () => {
    scenario = { events: [{ type: 'text', text: 'Paris: 18°C, Oslo: 4°C.' }, { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 400, outputTokens: 12 } }] };
    const message = await client.messages
      .stream({
        model: 'local',
        max_tokens: 256,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        tools: TOOLS,
        messages: [
          { role: 'user', content: 'Weather in Paris and Oslo?' },
          { role: 'assistant', content: EXPECTED_CONTENT as Anthropic.ContentBlockParam[] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_a', content: '18°C' },
              { type: 'tool_result', tool_use_id: 'toolu_b', content: [{ type: 'text', text: '4°C' }] },
            ],
          },
        ],
      })
      .finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Paris: 18°C, Oslo: 4°C.' }]);
    expect(message.stop_reason).toBe('end_turn');
    const sent = requests[0]?.request;
    expect(sent?.system).toBe('Be brief.');
    expect(sent?.messages.map((m) => m.content.map((b) => b.type))).toEqual([['text'], ['thinking', 'text', 'tool_use', 'tool_use'], ['tool_result', 'tool_result']]);
  });

  it('throws an error event sent after the stream began as an APIError of its type', async () => {
    scenario = { events: MIXED, failAfter: { count: 3, error: new VigilError('queue_full', 'the model server is busy') } };
    const stream = client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const error = await stream.finalMessage().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect((error as Error).message).toContain('the model server is busy');
  });
});

describe('the official SDK reads the gathered Message', () => {
  it('messages.create without stream gets the same content, tool inputs, stop_reason and usage', async () => {
    scenario = { events: MIXED };
    const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, tools: TOOLS, messages: [{ role: 'user', content: 'Weather?' }] });
    expect(message.model).toBe('claude-sonnet-4-6');
    expect(message.content).toEqual(EXPECTED_CONTENT);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 321, output_tokens: 45 });
    expect(requests[0]?.stream).toBe(false);
  });
});

describe('the official SDK reads the error bodies', () => {
  async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    return error as InstanceType<typeof Anthropic.APIError>;
  }
  const ask = () => client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

  it('a rate limit is a RateLimitError with retry-after and the request id', async () => {
    scenario = { events: [], refuse: new VigilError('rate_limited', 'key vk_1 is over 10 requests a minute', { retryAfterMs: 1_500 }) };
    const error = await failure(ask());
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('2');
    expect(error.requestID).toBe('req_test');
    expect(error.type).toBe('rate_limit_error');
    expect(error.message).toContain('key vk_1 is over 10 requests a minute');
  });

  it('a busy queue is an OverloadedError; a bad key an AuthenticationError; a forbidden model a PermissionDeniedError', async () => {
    scenario = { events: [], refuse: new VigilError('queue_full', 'busy') };
    expect(await failure(ask())).toBeInstanceOf(Anthropic.OverloadedError);
    scenario = { events: [], refuse: new VigilError('unauthorized', 'unknown key') };
    expect(await failure(ask())).toBeInstanceOf(Anthropic.AuthenticationError);
    scenario = { events: [], refuse: new VigilError('forbidden', 'this key may not use m') };
    expect(await failure(ask())).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });

  it('a body the parser refuses is a BadRequestError naming the field', async () => {
    scenario = { events: [] };
    const error = await failure(
      client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain('messages.0.content.0.source: image URLs are not fetched');
  });

  it('the SDK retries an overloaded answer after retry-after-ms, and never one marked x-should-retry: false', async () => {
    const retrying = new Anthropic({ baseURL: client.baseURL, apiKey: 'vk_test', maxRetries: 2 });
    scenario = { events: [{ type: 'text', text: 'ok' }, { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } }], refuse: new VigilError('queue_full', 'busy', { retryAfterMs: 20 }), refuseOnce: true };
    const message = await retrying.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(requests).toHaveLength(2);

    requests = [];
    scenario = { events: [], refuse: new VigilError('provider_auth', 'the model server refused the gateway\'s key') };
    const error = await failure(retrying.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.status).toBe(502);
    expect(requests).toHaveLength(1);
  });
});
