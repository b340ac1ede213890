import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { gatherOpenAiChatCompletion, openAiChatCompletion } from './openai-chat-response.ts';

const meta = { id: 'chatcmpl-abc', created: 1_700_000_000, model: 'gpt-local' };
const usage = { inputTokens: 10, outputTokens: 4 };

describe('openAiChatCompletion', () => {
  it('gathers text into a chat.completion', () => {
    const events: ChatStreamEvent[] = [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }, { type: 'end', stopReason: 'max_tokens', usage }];
    expect(openAiChatCompletion(events, meta)).toEqual({
      id: 'chatcmpl-abc',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-local',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
    });
  });

  it('gathers interleaved tool calls by index, with null content and reasoning_content', () => {
    const events: ChatStreamEvent[] = [
      { type: 'thinking', text: 'two ' },
      { type: 'thinking', text: 'calls' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'time' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'weather' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '{"city"' },
      { type: 'tool_call_delta', index: 0, argumentsJson: ':"Rome"}' },
      { type: 'end', stopReason: 'end_turn', usage },
    ];
    const message = openAiChatCompletion(events, meta).choices[0]!;
    expect(message.finish_reason).toBe('tool_calls');
    expect(message.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      reasoning_content: 'two calls',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
      ],
    });
  });

  it('refuses an answer that never ended, or arguments for a call never started', () => {
    expect(() => openAiChatCompletion([{ type: 'text', text: 'cut' }], meta)).toThrow(VigilError);
    expect(() => openAiChatCompletion([{ type: 'tool_call_delta', index: 0, argumentsJson: '{}' }], meta)).toThrow(/before starting it/);
  });

  it('reads events from an async stream and stops at the end', async () => {
    async function* events(): AsyncGenerator<ChatStreamEvent> {
      yield { type: 'text', text: 'ok' };
      yield { type: 'end', stopReason: 'end_turn', usage };
      throw new Error('never read');
    }
    expect((await gatherOpenAiChatCompletion(events(), meta)).choices[0]?.message.content).toBe('ok');
  });
});
