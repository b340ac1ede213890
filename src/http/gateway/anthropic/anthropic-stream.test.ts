import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { AnthropicStreamEncoder, anthropicErrorEvent, encodeAnthropicStream, formatSseEvent, type AnthropicEncodeOptions, type AnthropicSseEvent } from './anthropic-stream.ts';

const OPTIONS: AnthropicEncodeOptions = { clientModel: 'claude-sonnet-4-6', inputTokensEstimate: 50, messageId: 'msg_test' };
const USAGE = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

async function* from(events: ChatStreamEvent[]): AsyncGenerator<ChatStreamEvent> {
  for (const event of events) yield event;
}

async function encode(events: ChatStreamEvent[], options: AnthropicEncodeOptions = OPTIONS): Promise<AnthropicSseEvent[]> {
  const out: AnthropicSseEvent[] = [];
  for await (const event of encodeAnthropicStream(from(events), options)) out.push(event);
  return out;
}

const START: AnthropicSseEvent[] = [
  {
    event: 'message_start',
    data: {
      type: 'message_start',
      message: { id: 'msg_test', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: USAGE(50, 0) },
    },
  },
  { event: 'ping', data: { type: 'ping' } },
];

function blockStart(index: number, contentBlock: Record<string, unknown>): AnthropicSseEvent {
  return { event: 'content_block_start', data: { type: 'content_block_start', index, content_block: contentBlock } } as AnthropicSseEvent;
}
function blockDelta(index: number, delta: Record<string, unknown>): AnthropicSseEvent {
  return { event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } } as AnthropicSseEvent;
}
function blockStop(index: number): AnthropicSseEvent {
  return { event: 'content_block_stop', data: { type: 'content_block_stop', index } };
}
function end(stopReason: string, input: number, output: number): AnthropicSseEvent[] {
  return [
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: USAGE(input, output) } } as AnthropicSseEvent,
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

describe('encodeAnthropicStream: the exact event sequence', () => {
  it('text only', async () => {
    const out = await encode([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 61, outputTokens: 2 } },
    ]);
    expect(out).toEqual([
      ...START,
      blockStart(0, { type: 'text', text: '' }),
      blockDelta(0, { type: 'text_delta', text: 'Hel' }),
      blockDelta(0, { type: 'text_delta', text: 'lo' }),
      blockStop(0),
      ...end('end_turn', 61, 2),
    ]);
  });

  it('thinking then text: two blocks, the thinking one with empty thinking and signature', async () => {
    const out = await encode([
      { type: 'thinking', text: 'Let me ' },
      { type: 'thinking', text: 'think.' },
      { type: 'text', text: 'Answer.' },
      { type: 'end', stopReason: 'max_tokens', usage: { inputTokens: 70, outputTokens: 9 } },
    ]);
    expect(out).toEqual([
      ...START,
      blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
      blockDelta(0, { type: 'thinking_delta', thinking: 'Let me ' }),
      blockDelta(0, { type: 'thinking_delta', thinking: 'think.' }),
      blockStop(0),
      blockStart(1, { type: 'text', text: '' }),
      blockDelta(1, { type: 'text_delta', text: 'Answer.' }),
      blockStop(1),
      ...end('max_tokens', 70, 9),
    ]);
  });

  it('text then two tool calls: each call its own block, input {} then partial_json fragments', async () => {
    const out = await encode([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '{"city":' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '"Paris"}' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'get_weather' },
      { type: 'tool_call_delta', index: 1, argumentsJson: '{"city":"Oslo"}' },
      { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 80, outputTokens: 30 } },
    ]);
    expect(out).toEqual([
      ...START,
      blockStart(0, { type: 'text', text: '' }),
      blockDelta(0, { type: 'text_delta', text: 'Checking.' }),
      blockStop(0),
      blockStart(1, { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} }),
      blockDelta(1, { type: 'input_json_delta', partial_json: '{"city":' }),
      blockDelta(1, { type: 'input_json_delta', partial_json: '"Paris"}' }),
      blockStop(1),
      blockStart(2, { type: 'tool_use', id: 'call_b', name: 'get_weather', input: {} }),
      blockDelta(2, { type: 'input_json_delta', partial_json: '{"city":"Oslo"}' }),
      blockStop(2),
      ...end('tool_use', 80, 30),
    ]);
  });

  it('an empty answer still opens and closes the message', async () => {
    expect(await encode([{ type: 'end', stopReason: 'end_turn', usage: { inputTokens: 5, outputTokens: 0 } }])).toEqual([...START, ...end('end_turn', 5, 0)]);
  });
});

describe('encodeAnthropicStream: edge cases', () => {
  it('keeps the estimate when the backend reports no input tokens, and skips empty deltas', async () => {
    const out = await encode([{ type: 'text', text: '' }, { type: 'text', text: 'x' }, { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 0, outputTokens: 1 } }]);
    expect(out.filter((e) => e.event === 'content_block_start')).toHaveLength(1);
    expect(out.at(-2)).toEqual(end('end_turn', 50, 1)[0]);
  });

  it('drops thinking when the client asked for it omitted, and text around it stays one block', async () => {
    const out = await encode(
      [{ type: 'text', text: 'a' }, { type: 'thinking', text: 'hidden' }, { type: 'text', text: 'b' }, { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } }],
      { ...OPTIONS, showThinking: false },
    );
    expect(JSON.stringify(out)).not.toContain('hidden');
    expect(out.filter((e) => e.event === 'content_block_start')).toHaveLength(1);
  });

  it('gives a tool call without an id a toolu_ id, and one without arguments no delta', async () => {
    const out = await encode([{ type: 'tool_call_start', index: 0, id: '', name: 'now' }, { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1 } }]);
    const start = out[2]?.data;
    expect(start?.type === 'content_block_start' && start.content_block.type === 'tool_use' ? start.content_block.id : '').toMatch(/^toolu_[0-9a-f]{32}$/);
    expect(out.map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('produces nothing before the backend\'s first event, so an early failure can still be an HTTP error', async () => {
    async function* failing(): AsyncGenerator<ChatStreamEvent> {
      yield* [];
      throw new VigilError('provider_unavailable', 'down');
    }
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of encodeAnthropicStream(failing(), OPTIONS)) seen.push(event.event);
      })(),
    ).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(seen).toEqual([]);
  });

  it.each<[string, ChatStreamEvent[], RegExp]>([
    ['arguments that are not JSON', [{ type: 'tool_call_start', index: 0, id: 'a', name: 'f' }, { type: 'tool_call_delta', index: 0, argumentsJson: '{"x":' }, { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1 } }], /f with arguments that are not JSON/],
    ['arguments that are not an object', [{ type: 'tool_call_start', index: 0, id: 'a', name: 'f' }, { type: 'tool_call_delta', index: 0, argumentsJson: '[1]' }, { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1 } }], /not a JSON object/],
    ['arguments after the next block began', [{ type: 'tool_call_start', index: 0, id: 'a', name: 'f' }, { type: 'tool_call_start', index: 1, id: 'b', name: 'g' }, { type: 'tool_call_delta', index: 0, argumentsJson: '{}' }], /tool call 0 after the next block began/],
    ['arguments for a call never started', [{ type: 'tool_call_delta', index: 3, argumentsJson: '{}' }], /tool call 3 before the call started/],
    ['a stream that stops without an end', [{ type: 'text', text: 'x' }], /ended without finishing/],
  ])('refuses %s as provider_bad_output', async (_what, events, message) => {
    await expect(encode(events)).rejects.toSatisfy((error: unknown) => error instanceof VigilError && error.code === 'provider_bad_output' && message.test(error.message));
  });

  it('stops reading the backend at its end event', async () => {
    let pulled = 0;
    async function* chatty(): AsyncGenerator<ChatStreamEvent> {
      pulled++;
      yield { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 0 } };
      pulled++;
      yield { type: 'text', text: 'late' };
    }
    const out: AnthropicSseEvent[] = [];
    for await (const event of encodeAnthropicStream(chatty(), OPTIONS)) out.push(event);
    expect(pulled).toBe(1);
    expect(out.at(-1)?.event).toBe('message_stop');
  });
});

describe('AnthropicStreamEncoder', () => {
  it('must be started once, before events, and refuses events after the end', () => {
    const encoder = new AnthropicStreamEncoder(OPTIONS);
    expect(() => encoder.push({ type: 'text', text: 'x' })).toThrow(/before start/);
    expect(encoder.start().map((e) => e.event)).toEqual(['message_start', 'ping']);
    expect(() => encoder.start()).toThrow(/started twice/);
    encoder.push({ type: 'end', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } });
    expect(encoder.ended).toBe(true);
    expect(() => encoder.push({ type: 'text', text: 'x' })).toThrow(/after the end/);
  });

  it('gives each message a fresh msg_ id unless told one', () => {
    const a = new AnthropicStreamEncoder({ clientModel: 'm', inputTokensEstimate: 0 }).messageId;
    const b = new AnthropicStreamEncoder({ clientModel: 'm', inputTokensEstimate: 0 }).messageId;
    expect(a).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe('SSE text and the error event', () => {
  it('formats an event as event/data lines and a blank line', () => {
    expect(formatSseEvent({ event: 'ping', data: { type: 'ping' } })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('says a failure after the stream began as an error event of Anthropic\'s type', () => {
    expect(anthropicErrorEvent(new VigilError('queue_full', 'the model server is busy'), 'req_1')).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'the model server is busy' }, request_id: 'req_1' },
    });
  });
});
