import type { ChatStopReason, ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import {
  AnthropicStreamEncoder,
  parseToolInput,
  type AnthropicDelta,
  type AnthropicEncodeOptions,
  type AnthropicSseEvent,
  type AnthropicStartBlock,
  type AnthropicUsage,
} from './anthropic-stream.ts';

/**
 * The non-streaming answer (a Message object). It is gathered from the very SSE events the stream
 * would send, the way the SDKs accumulate a stream, so that both answers split blocks, name tool
 * calls and check their arguments alike.
 */

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: ChatStopReason;
  stop_sequence: null;
  usage: AnthropicUsage;
}

/** Gather a backend's events into one Message. Backend failures are rethrown; malformed tool arguments are provider_bad_output. */
export async function gatherAnthropicMessage(
  events: AsyncIterable<ChatStreamEvent> | Iterable<ChatStreamEvent>,
  options: AnthropicEncodeOptions,
): Promise<AnthropicMessage> {
  const encoder = new AnthropicStreamEncoder(options);
  const gathering = new MessageGathering(options.clientModel, encoder.messageId);
  gathering.add(encoder.start());
  for await (const event of events) {
    gathering.add(encoder.push(event));
    if (encoder.ended) return gathering.message();
  }
  throw new VigilError('provider_bad_output', 'the backend stream ended without finishing its answer', { retryable: true });
}

type Building =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; json: string };

class MessageGathering {
  private readonly blocks: Building[] = [];
  private stopReason: ChatStopReason | undefined;
  private usage: AnthropicMessage['usage'] | undefined;

  constructor(
    private readonly model: string,
    private readonly id: string,
  ) {}

  add(events: AnthropicSseEvent[]): void {
    for (const { data } of events) {
      switch (data.type) {
        case 'content_block_start':
          this.blocks.push(startBlock(data.content_block));
          break;
        case 'content_block_delta':
          this.applyDelta(data.index, data.delta);
          break;
        case 'message_delta':
          this.stopReason = data.delta.stop_reason;
          this.usage = data.usage;
          break;
        default:
          // message_start, ping, content_block_stop and message_stop carry nothing the Message needs.
          break;
      }
    }
  }

  message(): AnthropicMessage {
    if (this.stopReason === undefined || this.usage === undefined) throw new VigilError('internal', 'the answer was gathered before its end');
    return {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: this.blocks.map((block): AnthropicContentBlock =>
        block.type === 'tool_use' ? { type: 'tool_use', id: block.id, name: block.name, input: this.toolInput(block.json, block.name) } : block,
      ),
      stop_reason: this.stopReason,
      stop_sequence: null,
      usage: this.usage,
    };
  }

  /** A call cut off by max_tokens keeps what parses of it, else {}; the stop reason says it is incomplete. */
  private toolInput(json: string, name: string): Record<string, unknown> {
    if (this.stopReason !== 'max_tokens') return parseToolInput(json, name);
    try {
      return parseToolInput(json, name);
    } catch {
      return {};
    }
  }

  private applyDelta(index: number, delta: AnthropicDelta): void {
    const block = this.blocks[index];
    if (block === undefined) throw new VigilError('internal', `a delta for content block ${index}, which was never started`);
    if (block.type === 'text' && delta.type === 'text_delta') block.text += delta.text;
    else if (block.type === 'thinking' && delta.type === 'thinking_delta') block.thinking += delta.thinking;
    else if (block.type === 'tool_use' && delta.type === 'input_json_delta') block.json += delta.partial_json;
    else throw new VigilError('internal', `a ${delta.type} for a ${block.type} block`);
  }
}

function startBlock(block: AnthropicStartBlock): Building {
  return block.type === 'tool_use' ? { type: 'tool_use', id: block.id, name: block.name, json: '' } : { ...block };
}
