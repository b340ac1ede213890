import { z } from 'zod';
import type { ChatStopReason, ChatStreamEvent, ChatUsage } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { anthropicErrorBody, type AnthropicErrorBody } from './anthropic-errors.ts';

/**
 * The Anthropic Messages streaming protocol, spoken from the backends' neutral ChatStreamEvents.
 * The order is Anthropic's: message_start, ping, then for each content block content_block_start,
 * its deltas and content_block_stop (indices from 0; a new block whenever the kind changes and for
 * every tool call), then message_delta (stop_reason and usage) and message_stop.
 *
 * Thinking blocks open with `thinking: ""` and `signature: ""` and get no signature_delta: a signature
 * is Anthropic's proof that Claude wrote the block, and a made-up one would be a lie that fails later
 * anywhere it is checked. The official SDK keeps the block's empty signature; Claude Code replays
 * unsigned thinking blocks, which this gateway accepts back.
 */

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type AnthropicStartBlock =
  | { type: 'text'; text: '' }
  | { type: 'thinking'; thinking: ''; signature: '' }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };

export type AnthropicDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'input_json_delta'; partial_json: string };

export type AnthropicStreamData =
  | {
      type: 'message_start';
      message: {
        id: string;
        type: 'message';
        role: 'assistant';
        model: string;
        content: [];
        stop_reason: null;
        stop_sequence: null;
        usage: AnthropicUsage;
      };
    }
  | { type: 'ping' }
  | { type: 'content_block_start'; index: number; content_block: AnthropicStartBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: ChatStopReason; stop_sequence: null }; usage: AnthropicUsage }
  | { type: 'message_stop' }
  | AnthropicErrorBody;

/** `event` repeats `data.type`, as Anthropic's streams do. */
export interface AnthropicSseEvent {
  event: AnthropicStreamData['type'];
  data: AnthropicStreamData;
}

export interface AnthropicEncodeOptions {
  /** The model name the client asked for, repeated in the answer. */
  clientModel: string;
  /**
   * The prompt's estimated tokens, for message_start: backends count input only at the end. The real
   * count follows in message_delta's usage, which the SDK lets overwrite it; a backend that reports 0
   * input tokens (some do not count) leaves the estimate standing.
   */
  inputTokensEstimate: number;
  /** False for thinking `display: "omitted"`: thinking text is not sent (see ParsedAnthropicRequest). */
  showThinking?: boolean;
  /** For tests; otherwise a fresh `msg_` id. */
  messageId?: string;
}

type NewBlock = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number; argumentsJson: string };
type OpenBlock = NewBlock & { index: number };

export function newMessageId(): string {
  return `msg_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
}

export function newToolUseId(): string {
  return `toolu_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
}

/** The real input count when the backend gave one, else the estimate (see AnthropicEncodeOptions). */
export function reportedInputTokens(usage: ChatUsage, estimate: number): number {
  return usage.inputTokens > 0 ? usage.inputTokens : estimate;
}

const toolInputSchema = z.record(z.string(), z.unknown());

/**
 * A tool call's arguments as the client will read them: empty means no arguments; anything else must
 * be one JSON object, or clients would fail on it later with a less useful message.
 */
export function parseToolInput(argumentsJson: string, toolName: string): Record<string, unknown> {
  if (argumentsJson.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(argumentsJson);
  } catch (cause) {
    throw new VigilError('provider_bad_output', `the model called ${toolName} with arguments that are not JSON`, { cause, retryable: true });
  }
  const parsed = toolInputSchema.safeParse(value);
  if (!parsed.success) throw new VigilError('provider_bad_output', `the model called ${toolName} with arguments that are not a JSON object`, { retryable: true });
  return parsed.data;
}

/**
 * Turns ChatStreamEvents, pushed one at a time, into Anthropic SSE events. `start()` first (the caller
 * decides when: before the first backend event, or after it so that an early failure can still be an
 * HTTP error), then `push()` every event; the `end` event closes the message. A backend event that
 * cannot be said in Anthropic's protocol throws a provider_bad_output VigilError; the caller then
 * sends anthropicErrorEvent.
 */
export class AnthropicStreamEncoder {
  readonly messageId: string;
  private readonly options: AnthropicEncodeOptions;
  private state: 'new' | 'started' | 'ended' = 'new';
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private readonly toolNames = new Map<number, string>();
  private readonly closedTools = new Set<number>();

  constructor(options: AnthropicEncodeOptions) {
    this.options = options;
    this.messageId = options.messageId ?? newMessageId();
  }

  get started(): boolean {
    return this.state !== 'new';
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  start(): AnthropicSseEvent[] {
    if (this.state !== 'new') throw new VigilError('internal', 'the Anthropic stream was started twice');
    this.state = 'started';
    const message = {
      id: this.messageId,
      type: 'message',
      role: 'assistant',
      model: this.options.clientModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(this.options.inputTokensEstimate, 0),
    } as const;
    return [sse({ type: 'message_start', message: { ...message, content: [] } }), anthropicPing()];
  }

  push(event: ChatStreamEvent): AnthropicSseEvent[] {
    if (this.state === 'new') throw new VigilError('internal', 'the Anthropic stream got an event before start()');
    if (this.state === 'ended') throw new VigilError('provider_bad_output', `the backend sent ${event.type} after the end of its answer`);
    const out: AnthropicSseEvent[] = [];
    switch (event.type) {
      case 'text':
        if (event.text.length === 0) break;
        if (this.open?.kind !== 'text') this.openBlock(out, { kind: 'text' }, { type: 'text', text: '' });
        out.push(this.delta({ type: 'text_delta', text: event.text }));
        break;
      case 'thinking':
        if (event.text.length === 0 || this.options.showThinking === false) break;
        if (this.open?.kind !== 'thinking') this.openBlock(out, { kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
        out.push(this.delta({ type: 'thinking_delta', thinking: event.text }));
        break;
      case 'tool_call_start': {
        if (this.toolNames.has(event.index)) throw new VigilError('provider_bad_output', `the backend started tool call ${event.index} twice`);
        this.toolNames.set(event.index, event.name);
        const id = event.id.length > 0 ? event.id : newToolUseId();
        this.openBlock(out, { kind: 'tool', toolIndex: event.index, argumentsJson: '' }, { type: 'tool_use', id, name: event.name, input: {} });
        break;
      }
      case 'tool_call_delta': {
        if (event.argumentsJson.length === 0) break;
        const open = this.open;
        if (open?.kind !== 'tool' || open.toolIndex !== event.index) {
          // Anthropic blocks are sequential: once the next block began, a call's arguments cannot grow.
          const why = this.closedTools.has(event.index) ? 'after the next block began' : 'before the call started';
          throw new VigilError('provider_bad_output', `the backend sent arguments for tool call ${event.index} ${why}`);
        }
        open.argumentsJson += event.argumentsJson;
        out.push(this.delta({ type: 'input_json_delta', partial_json: event.argumentsJson }));
        break;
      }
      case 'end': {
        // Cut off by max_tokens, a tool call's arguments may be unfinished: Anthropic ends such a
        // block as it is, with stop_reason max_tokens, and the client asks again with more room.
        this.closeBlock(out, event.stopReason === 'max_tokens');
        this.state = 'ended';
        const inputTokens = reportedInputTokens(event.usage, this.options.inputTokensEstimate);
        out.push(
          sse({
            type: 'message_delta',
            delta: { stop_reason: event.stopReason, stop_sequence: null },
            usage: usage(inputTokens, event.usage.outputTokens),
          }),
          sse({ type: 'message_stop' }),
        );
        break;
      }
    }
    return out;
  }

  private openBlock(out: AnthropicSseEvent[], block: NewBlock, contentBlock: AnthropicStartBlock): void {
    this.closeBlock(out);
    const index = this.nextIndex++;
    this.open = { ...block, index };
    out.push(sse({ type: 'content_block_start', index, content_block: contentBlock }));
  }

  private closeBlock(out: AnthropicSseEvent[], truncated = false): void {
    const open = this.open;
    if (open === undefined) return;
    if (open.kind === 'tool' && !truncated) {
      // Checked before the stop, so that a client never holds a finished tool_use it cannot parse.
      parseToolInput(open.argumentsJson, this.toolNames.get(open.toolIndex) ?? 'a tool');
      this.closedTools.add(open.toolIndex);
    }
    this.open = undefined;
    out.push(sse({ type: 'content_block_stop', index: open.index }));
  }

  private delta(delta: AnthropicDelta): AnthropicSseEvent {
    return sse({ type: 'content_block_delta', index: this.open?.index ?? 0, delta });
  }
}

/**
 * The whole stream for one backend answer. Nothing is produced until the backend's first event, so a
 * backend that fails at once throws before any byte is sent and can still get an HTTP error status
 * (or another backend). A failure later is thrown too; the caller then sends anthropicErrorEvent.
 */
export async function* encodeAnthropicStream(events: AsyncIterable<ChatStreamEvent>, options: AnthropicEncodeOptions): AsyncGenerator<AnthropicSseEvent> {
  const encoder = new AnthropicStreamEncoder(options);
  for await (const event of events) {
    if (!encoder.started) yield* encoder.start();
    yield* encoder.push(event);
    if (encoder.ended) return;
  }
  throw new VigilError('provider_bad_output', 'the backend stream ended without finishing its answer', { retryable: true });
}

/** Anthropic sends one after message_start; a caller may send more to keep a slow stream's connection alive. */
export function anthropicPing(): AnthropicSseEvent {
  return sse({ type: 'ping' });
}

/** A failure after the stream began (HTTP 200 already sent): the SDKs throw it as an APIError of its type. */
export function anthropicErrorEvent(error: VigilError, requestId?: string): AnthropicSseEvent {
  return sse(anthropicErrorBody(error, requestId));
}

/** One event as text/event-stream bytes. */
export function formatSseEvent(event: AnthropicSseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function sse(data: AnthropicStreamData): AnthropicSseEvent {
  return { event: data.type, data };
}

function usage(inputTokens: number, outputTokens: number): AnthropicUsage {
  // Cache counters are 0, not absent: clients add them up (Claude Code does) and a local model has no prompt cache to report.
  return { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}
