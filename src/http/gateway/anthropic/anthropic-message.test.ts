import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { gatherAnthropicMessage } from './anthropic-message.ts';
import { encodeAnthropicStream } from './anthropic-stream.ts';

const OPTIONS = { clientModel: 'claude-haiku-4-5', inputTokensEstimate: 12, messageId: 'msg_1' };

describe('gatherAnthropicMessage', () => {
  it('gathers thinking, text and tool calls into one Message with parsed inputs', async () => {
    const events: ChatStreamEvent[] = [
      { type: 'thinking', text: 'Need ' },
      { type: 'thinking', text: 'weather.' },
      { type: 'text', text: 'Let me ' },
      { type: 'text', text: 'check.' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '{"city":"Pa' },
      { type: 'tool_call_delta', index: 0, argumentsJson: 'ris","days":[1,2]}' },
      { type: 'tool_call_start', index: 1, id: 'call_2', name: 'now' },
      { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 40, outputTokens: 17 } },
    ];
    expect(await gatherAnthropicMessage(events, OPTIONS)).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [
        { type: 'thinking', thinking: 'Need weather.', signature: '' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 17, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('reads an async backend stream, keeps the estimate when no input count came, and leaves out omitted thinking', async () => {
    async function* backend(): AsyncGenerator<ChatStreamEvent> {
      yield { type: 'thinking', text: 'secret' };
      yield { type: 'text', text: 'ok' };
      yield { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 0, outputTokens: 1 } };
    }
    const message = await gatherAnthropicMessage(backend(), { ...OPTIONS, showThinking: false });
    expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(message.usage.input_tokens).toBe(12);
  });

  it('refuses tool arguments that are not a JSON object as provider_bad_output', async () => {
    const events: ChatStreamEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'c', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '"just a string"' },
      { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1 } },
    ];
    await expect(gatherAnthropicMessage(events, OPTIONS)).rejects.toSatisfy((e: unknown) => e instanceof VigilError && e.code === 'provider_bad_output');
  });

  it('rethrows a backend failure, and refuses a stream without an end', async () => {
    async function* failing(): AsyncGenerator<ChatStreamEvent> {
      yield { type: 'text', text: 'par' };
      throw new VigilError('provider_timeout', 'slow');
    }
    await expect(gatherAnthropicMessage(failing(), OPTIONS)).rejects.toMatchObject({ code: 'provider_timeout' });
    await expect(gatherAnthropicMessage([{ type: 'text', text: 'x' }], OPTIONS)).rejects.toMatchObject({ code: 'provider_bad_output' });
  });
});

describe('an answer cut off by max_tokens inside a tool call', () => {
  it('ends with stop_reason max_tokens and the call as far as it got, not an error', async () => {
    const cut = [
      { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'Write' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '{"file_path":"/tmp/a.txt","content":"lo' },
      { type: 'end', stopReason: 'max_tokens', usage: { inputTokens: 10, outputTokens: 8 } },
    ] as const;
    const message = await gatherAnthropicMessage(cut, { clientModel: 'm', inputTokensEstimate: 10, messageId: 'msg_1' });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} }]);
    const events = [];
    for await (const e of encodeAnthropicStream(toAsync(cut), { clientModel: 'm', inputTokensEstimate: 10 })) events.push(e.event);
    expect(events).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });
});

async function* toAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
