import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { openAiError, type OpenAiErrorBody } from './openai-errors.ts';
import { finishReason, toolCallId, usageWire, type OpenAiCompletionMeta, type OpenAiFinishReason, type OpenAiUsageWire } from './openai-wire.ts';

/**
 * ChatStreamEvents as OpenAI streams a chat completion: `chat.completion.chunk` objects, each sent
 * as `data: <json>\n\n`, then `data: [DONE]\n\n`.
 *
 * - Every chunk carries the same id, `created` and the client's model name.
 * - The first chunk opens the assistant turn: `delta: { role: "assistant", content: "" }`.
 * - Thinking goes out as `delta.reasoning_content`: OpenAI's own API never shows reasoning, and
 *   this is the field DeepSeek, vLLM and llama.cpp use, which OpenAI-compatible clients read.
 * - A tool call opens with its id, type and name and `arguments: ""`; its JSON follows in
 *   `{ index, function: { arguments } }` fragments.
 * - The last choice chunk has an empty delta and the finish reason. With `include_usage`, every
 *   chunk has `usage: null` and a last chunk with `choices: []` carries the usage, as OpenAI does.
 * - A failure after the stream began cannot change the status any more: it goes out as
 *   `data: {"error": {message, type, param, code}}` (what OpenAI and vLLM send), on which the
 *   official SDKs raise an APIError with that message; `[DONE]` follows so that plain SSE readers stop.
 */

export interface OpenAiToolCallDeltaWire {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface OpenAiDeltaWire {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: OpenAiToolCallDeltaWire[];
}

export interface OpenAiChunkChoiceWire {
  index: 0;
  delta: OpenAiDeltaWire;
  logprobs: null;
  finish_reason: OpenAiFinishReason | null;
}

export interface OpenAiChatChunkWire {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: OpenAiChunkChoiceWire[];
  /** Present only when the client asked for usage: null on every chunk but the last. */
  usage?: OpenAiUsageWire | null;
}

export const SSE_DONE = 'data: [DONE]\n\n';

/** One SSE message. JSON has no raw newlines, so one `data:` line always holds it. */
export function sseData(payload: object): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The chunk that reports a failure after the stream began (see the module comment). */
export function openAiStreamErrorChunk(error: unknown): OpenAiErrorBody {
  return openAiError(error).body;
}

/**
 * Turns ChatStreamEvents into chunks, one event at a time, keeping the little state the wire needs
 * (whether the turn was opened, whether tool calls were made). Pure: the caller picks id and time.
 */
export class OpenAiChunkEncoder {
  readonly #meta: OpenAiCompletionMeta;
  readonly #includeUsage: boolean;
  #opened = false;
  #hadToolCalls = false;
  #ended = false;

  constructor(meta: OpenAiCompletionMeta, options: { includeUsage: boolean }) {
    this.#meta = meta;
    this.#includeUsage = options.includeUsage;
  }

  /** The chunks for one event: the opening chunk comes first, before the first event's own. */
  encode(event: ChatStreamEvent): OpenAiChatChunkWire[] {
    if (this.#ended) return [];
    const out = this.#opened ? [] : [this.#choiceChunk({ role: 'assistant', content: '' }, null)];
    this.#opened = true;
    switch (event.type) {
      case 'text':
        if (event.text !== '') out.push(this.#choiceChunk({ content: event.text }, null));
        break;
      case 'thinking':
        if (event.text !== '') out.push(this.#choiceChunk({ reasoning_content: event.text }, null));
        break;
      case 'tool_call_start':
        this.#hadToolCalls = true;
        out.push(
          this.#choiceChunk(
            { tool_calls: [{ index: event.index, id: toolCallId(event.id, this.#meta, event.index), type: 'function', function: { name: event.name, arguments: '' } }] },
            null,
          ),
        );
        break;
      case 'tool_call_delta':
        if (event.argumentsJson !== '') out.push(this.#choiceChunk({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsJson } }] }, null));
        break;
      case 'end':
        this.#ended = true;
        out.push(this.#choiceChunk({}, finishReason(event.stopReason, this.#hadToolCalls)));
        if (this.#includeUsage) out.push({ ...this.#base(), choices: [], usage: usageWire(event.usage) });
        break;
    }
    return out;
  }

  #base(): Omit<OpenAiChatChunkWire, 'choices'> {
    return { id: this.#meta.id, object: 'chat.completion.chunk', created: this.#meta.created, model: this.#meta.model };
  }

  #choiceChunk(delta: OpenAiDeltaWire, finish: OpenAiFinishReason | null): OpenAiChatChunkWire {
    const chunk: OpenAiChatChunkWire = { ...this.#base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (this.#includeUsage) chunk.usage = null;
    return chunk;
  }
}

export interface OpenAiSseOptions {
  includeUsage: boolean;
  /** Told of a failure after the stream began (to log it): the client only sees the error chunk. */
  onError?: (error: unknown) => void;
}

/**
 * The whole SSE body of a streamed answer, as text pieces to write in order. A stream that ends
 * without an `end` event broke off: that is reported as an error, never as a finished answer.
 * A failure before the first event is the caller's to answer with a status (this body starts with
 * the first event, so a caller that awaits it first can still choose).
 */
export async function* openAiChatSse(events: AsyncIterable<ChatStreamEvent>, meta: OpenAiCompletionMeta, options: OpenAiSseOptions): AsyncGenerator<string> {
  const encoder = new OpenAiChunkEncoder(meta, { includeUsage: options.includeUsage });
  let ended = false;
  try {
    for await (const event of events) {
      for (const chunk of encoder.encode(event)) yield sseData(chunk);
      if (event.type === 'end') {
        ended = true;
        break;
      }
    }
    if (!ended) throw new VigilError('provider_bad_output', 'The model stream ended without finishing the answer.');
  } catch (error) {
    options.onError?.(error);
    yield sseData(openAiStreamErrorChunk(error));
  }
  yield SSE_DONE;
}
