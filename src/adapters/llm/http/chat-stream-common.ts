/** What the Ollama and OpenAI-compatible chat backends share: message helpers and the errors of a broken stream. */
import { randomBytes } from 'node:crypto';
import type { ChatBlock, ChatImage, ChatMessage, ChatStreamEvent, ChatToolResultBlock } from '../../../domain/chat/chat-types.ts';
import type { ThinkSplit } from '../../../domain/chat/think-tags.ts';
import { VigilError } from '../../../domain/errors.ts';
import { errorMessageOf, redactSecrets } from './provider-http.ts';

/** An id for a tool call the backend gave none (Ollama before tool call ids). */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

/** Tool names by tool_use id: Ollama names a tool result by its tool, not by the call's id. */
export function toolNamesById(messages: readonly ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const block of message.content) if (block.type === 'tool_use') names.set(block.id, block.name);
  }
  return names;
}

/** The text blocks of a turn, one paragraph each. */
export function joinedText(blocks: readonly ChatBlock[], type: 'text' | 'thinking' = 'text'): string {
  return blocks.flatMap((block) => ((block.type === 'text' || block.type === 'thinking') && block.type === type ? [block.text] : [])).join('\n');
}

export function imagesOf(blocks: readonly ChatBlock[]): ChatImage[] {
  return blocks.flatMap((block) => (block.type === 'image' ? [block.image] : []));
}

/**
 * A tool result as the text the model reads. Neither backend protocol has an error flag on a tool
 * result, so a failed tool says so in words the model can act on.
 */
export function toolResultText(block: ChatToolResultBlock): string {
  const text = joinedText(block.content);
  return block.isError ? `Error: ${text}` : text;
}

export function badOutput(providerName: string, what: string, details: string[] = []): VigilError {
  return new VigilError('provider_bad_output', `${providerName} sent a stream that breaks its protocol: ${what}`, { retryable: true, details });
}

/** The server reported a failure inside a stream that had already started (HTTP 200 sent). */
export function streamFailure(providerName: string, body: unknown, secrets: readonly (string | undefined)[]): VigilError {
  const said = errorMessageOf(body) ?? 'no reason given';
  return new VigilError('provider_failed', redactSecrets(`${providerName} failed while answering: ${said.slice(0, 500)}`, secrets), { retryable: true });
}

export function parseJsonLine(providerName: string, line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (error) {
    throw new VigilError('provider_bad_output', `${providerName} sent a stream line that is not JSON`, {
      retryable: true,
      cause: error,
      details: [`line starts with: ${line.slice(0, 200)}`],
    });
  }
}

export function tooLong(providerName: string): () => VigilError {
  return () => badOutput(providerName, 'a line or event longer than the stream reader keeps');
}

/** The events of one think-tag split, reasoning first. */
export function* splitEvents(split: ThinkSplit): Generator<ChatStreamEvent> {
  if (split.thinking !== '') yield { type: 'thinking', text: split.thinking };
  if (split.text !== '') yield { type: 'text', text: split.text };
}
