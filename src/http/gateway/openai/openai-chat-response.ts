import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { finishReason, toolCallId, usageWire, type OpenAiCompletionMeta, type OpenAiFinishReason, type OpenAiUsageWire } from './openai-wire.ts';

/**
 * The events of one answer gathered into the `chat.completion` object a client gets when it did
 * not ask to stream. `content` is null when the model said nothing (only tool calls), as OpenAI
 * sends it; tool call arguments stay the JSON text the model wrote; thinking, when there was some,
 * is `message.reasoning_content` (the field of DeepSeek, vLLM and llama.cpp).
 */

export interface OpenAiToolCallWire {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAiChatCompletionWire {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      reasoning_content?: string;
      tool_calls?: OpenAiToolCallWire[];
    };
    logprobs: null;
    finish_reason: OpenAiFinishReason;
  }>;
  usage: OpenAiUsageWire;
}

/** Events in, the completion out once `end` arrives. Fails if the events stop before it. */
export async function gatherOpenAiChatCompletion(events: AsyncIterable<ChatStreamEvent>, meta: OpenAiCompletionMeta): Promise<OpenAiChatCompletionWire> {
  const gathered: ChatStreamEvent[] = [];
  for await (const event of events) {
    gathered.push(event);
    if (event.type === 'end') break;
  }
  return openAiChatCompletion(gathered, meta);
}

export function openAiChatCompletion(events: readonly ChatStreamEvent[], meta: OpenAiCompletionMeta): OpenAiChatCompletionWire {
  let text = '';
  let thinking = '';
  // By the event's index: a backend may interleave the fragments of several calls.
  const calls = new Map<number, OpenAiToolCallWire>();
  for (const event of events) {
    switch (event.type) {
      case 'text':
        text += event.text;
        break;
      case 'thinking':
        thinking += event.text;
        break;
      case 'tool_call_start':
        calls.set(event.index, { id: toolCallId(event.id, meta, event.index), type: 'function', function: { name: event.name, arguments: '' } });
        break;
      case 'tool_call_delta': {
        const call = calls.get(event.index);
        if (call === undefined) throw new VigilError('provider_bad_output', `The model sent arguments for tool call ${event.index} before starting it.`);
        call.function.arguments += event.argumentsJson;
        break;
      }
      case 'end': {
        const toolCalls = [...calls.entries()]
          .sort(([a], [b]) => a - b)
          // A call without arguments is a call with none: "{}" parses, "" does not.
          .map(([, call]) => (call.function.arguments === '' ? { ...call, function: { ...call.function, arguments: '{}' } } : call));
        const message: OpenAiChatCompletionWire['choices'][number]['message'] = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null };
        if (thinking !== '') message.reasoning_content = thinking;
        if (toolCalls.length > 0) message.tool_calls = toolCalls;
        return {
          id: meta.id,
          object: 'chat.completion',
          created: meta.created,
          model: meta.model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(event.stopReason, toolCalls.length > 0) }],
          usage: usageWire(event.usage),
        };
      }
    }
  }
  throw new VigilError('provider_bad_output', 'The model stream ended without finishing the answer.');
}
