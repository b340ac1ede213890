import { randomUUID } from 'node:crypto';
import type { ChatStopReason, ChatUsage } from '../../../domain/chat/chat-types.ts';

/** What the chat stream and the gathered answer share: ids, finish reasons and usage as OpenAI spells them. */

export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls';

export interface OpenAiUsageWire {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Who answered, and when: the same id and `created` go into every chunk of one answer. */
export interface OpenAiCompletionMeta {
  /** "chatcmpl-..." (see {@link newChatCompletionId}). */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model name the client asked for, not the backend's. */
  model: string;
}

export function newChatCompletionId(): string {
  return `chatcmpl-${randomUUID().replace(/-/g, '')}`;
}

/** Unix seconds, as OpenAI's `created`. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * A stop sequence is a plain stop to OpenAI. Some backends (Ollama) say "stop" even when they
 * answered with tool calls; OpenAI clients run their tool loop only on "tool_calls", so an answer
 * that holds tool calls finishes with it unless it was cut short.
 */
export function finishReason(stopReason: ChatStopReason, hadToolCalls: boolean): OpenAiFinishReason {
  if (stopReason === 'max_tokens') return 'length';
  if (stopReason === 'tool_use' || hadToolCalls) return 'tool_calls';
  return 'stop';
}

export function usageWire(usage: ChatUsage): OpenAiUsageWire {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
}

/** A tool call without an id cannot be answered by the client; give it one that is unique in its answer. */
export function toolCallId(id: string, meta: OpenAiCompletionMeta, index: number): string {
  return id !== '' ? id : `call_${meta.id.replace(/^chatcmpl-/, '').slice(0, 16)}_${index}`;
}
