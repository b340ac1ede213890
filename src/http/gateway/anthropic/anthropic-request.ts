import type { z } from 'zod';
import type { ChatBlock, ChatImageBlock, ChatMessage, ChatRequest, ChatTextBlock, ChatTool, ChatToolChoice } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import {
  countTokensBodySchema,
  messagesBodySchema,
  type ContentBlockWire,
  type CountTokensBodyWire,
  type MessageWire,
} from './anthropic-request.schema.ts';

/** A request in the neutral shape, before routing picks the backend's model and limits clamp max_tokens. */
export type AnthropicChatRequest = Omit<ChatRequest, 'model' | 'maxTokens'>;

export interface ParsedAnthropicRequest {
  /** The model name the client sent; answers repeat it, routing maps it to a backend model. */
  clientModel: string;
  stream: boolean;
  /** What the client asked for, before the key's limits clamp it. */
  maxTokens: number;
  /**
   * False when the client asked for thinking with `display: "omitted"` (Claude Code does): the model
   * still reasons (`request.thinking`), but the answer carries no thinking blocks. Anthropic would send
   * signature-only blocks there; without a signature to give, the gateway sends none.
   */
  showThinking: boolean;
  request: AnthropicChatRequest;
}

export interface ParsedCountTokensRequest {
  clientModel: string;
  request: AnthropicChatRequest;
}

/** Parse a POST /v1/messages body; every problem is an invalid_argument naming the field path. */
export function parseAnthropicRequest(body: unknown): ParsedAnthropicRequest {
  const wire = validate(messagesBodySchema, body);
  const thinkingDisplay = wire.thinking !== undefined && 'display' in wire.thinking ? wire.thinking.display : undefined;
  return {
    clientModel: wire.model,
    stream: wire.stream ?? false,
    maxTokens: wire.max_tokens,
    showThinking: thinkingDisplay !== 'omitted',
    request: {
      ...toChatRequest(wire),
      ...(wire.temperature !== undefined ? { temperature: wire.temperature } : {}),
      ...(wire.top_p !== undefined ? { topP: wire.top_p } : {}),
      ...(wire.top_k !== undefined ? { topK: wire.top_k } : {}),
      ...(wire.stop_sequences !== undefined && wire.stop_sequences.length > 0 ? { stop: wire.stop_sequences } : {}),
    },
  };
}

/** Parse a POST /v1/messages/count_tokens body: the same fields without max_tokens and stream (ignored if sent). */
export function parseCountTokensRequest(body: unknown): ParsedCountTokensRequest {
  const wire = validate(countTokensBodySchema, body);
  return { clientModel: wire.model, request: toChatRequest(wire) };
}

/** The count_tokens answer. The number is the gateway's estimate (see estimateTokens), not a tokenizer's count. */
export function countTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}

/** Zod's default wording, said shorter; the schemas' own messages take precedence over it. */
const issueMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'required';
  return issue.path === undefined || issue.path.length === 0 ? 'expected a JSON object' : `expected ${issue.expected}`;
};

function validate<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body, { error: issueMessage });
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));
  throw new VigilError('invalid_argument', details[0] ?? 'invalid request body', { details });
}

function invalid(path: Array<string | number>, message: string): VigilError {
  const where = `${path.join('.')}: ${message}`;
  return new VigilError('invalid_argument', where, { details: [where] });
}

function toChatRequest(wire: CountTokensBodyWire): AnthropicChatRequest {
  const systemParts = wire.system === undefined ? [] : [joinText(wire.system)];
  const messages: ChatMessage[] = [];
  const toolUseIds = new Set<string>();

  wire.messages.forEach((message, i) => {
    if (message.role === 'system') {
      // Claude Code sends mid-conversation `role: "system"` turns; they join the system prompt in order.
      systemParts.push(systemTurnText(message, i));
      return;
    }
    const content = message.content.flatMap((block, j) => toChatBlocks(block, message.role as 'user' | 'assistant', ['messages', i, 'content', j], toolUseIds));
    if (content.length === 0) return;
    // Consecutive turns of one role are one turn to Anthropic (and folding system turns out can make
    // them); strict chat templates refuse two user turns in a row, so they are merged here.
    const previous = messages.at(-1);
    if (previous !== undefined && previous.role === message.role) previous.content.push(...content);
    else messages.push({ role: message.role as 'user' | 'assistant', content });
  });

  if (messages.length === 0) throw invalid(['messages'], 'expected at least one user or assistant message with content');

  const system = systemParts.filter((part) => part.length > 0).join('\n\n');
  const tools = wire.tools?.map((tool, i): ChatTool => {
    if (wire.tools?.findIndex((other) => other.name === tool.name) !== i) throw invalid(['tools', i, 'name'], `another tool is already named "${tool.name.slice(0, 80)}"`);
    return { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), inputSchema: tool.input_schema };
  });
  const toolChoice = wire.tool_choice === undefined ? undefined : toChatToolChoice(wire.tool_choice, tools ?? []);

  return {
    ...(system.length > 0 ? { system } : {}),
    messages,
    ...(tools !== undefined && tools.length > 0 ? { tools } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(wire.thinking !== undefined ? { thinking: wire.thinking.type !== 'disabled' } : {}),
  };
}

function joinText(blocks: Array<{ text: string }>): string {
  return blocks.map((block) => block.text).join('\n\n');
}

function systemTurnText(message: MessageWire, i: number): string {
  const texts = message.content.map((block, j) => {
    if (block.type !== 'text') throw invalid(['messages', i, 'content', j], `a system turn holds text blocks only, not ${block.type}`);
    return block.text;
  });
  return texts.join('\n\n');
}

const USER_ONLY = new Set(['image', 'tool_result', 'search_result']);
const ASSISTANT_ONLY = new Set(['tool_use', 'thinking', 'redacted_thinking']);

function toChatBlocks(block: ContentBlockWire, role: 'user' | 'assistant', path: Array<string | number>, toolUseIds: Set<string>): ChatBlock[] {
  if (role === 'assistant' && USER_ONLY.has(block.type)) throw invalid(path, `${block.type} blocks belong in user turns, not assistant turns`);
  if (role === 'user' && ASSISTANT_ONLY.has(block.type)) throw invalid(path, `${block.type} blocks belong in assistant turns, not user turns`);
  switch (block.type) {
    case 'text':
      // Anthropic refuses empty text blocks; clients that leave one behind lose nothing when it is skipped.
      return block.text.length > 0 ? [{ type: 'text', text: block.text }] : [];
    case 'image':
      return [toImage(block)];
    case 'search_result':
      return [{ type: 'text', text: searchResultText(block) }];
    case 'tool_use':
      toolUseIds.add(block.id);
      return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
    case 'tool_result': {
      // A result that answers no call cannot be matched to one by a backend (OpenAI-style backends need the id).
      if (!toolUseIds.has(block.tool_use_id)) throw invalid([...path, 'tool_use_id'], `no earlier tool_use block has the id "${block.tool_use_id.slice(0, 80)}"`);
      const content = (block.content ?? []).flatMap((inner): Array<ChatTextBlock | ChatImageBlock> => {
        switch (inner.type) {
          case 'text':
            return inner.text.length > 0 ? [{ type: 'text', text: inner.text }] : [];
          case 'image':
            return [toImage(inner)];
          case 'search_result':
            return [{ type: 'text', text: searchResultText(inner) }];
          case 'tool_reference':
            // Every declared tool reaches the backend already, so a reference only has to say the tool is there.
            return [{ type: 'text', text: `Tool ${inner.tool_name} is available.` }];
          default:
            // The schema refuses documents before they get here; this keeps the switch exhaustive.
            throw invalid(path, `unsupported tool_result content block ${inner.type}`);
        }
      });
      return [{ type: 'tool_result', toolUseId: block.tool_use_id, content, isError: block.is_error ?? false }];
    }
    case 'thinking':
      // Earlier reasoning is kept (Ollama and reasoning_content backends can replay it); its signature is
      // Anthropic's and means nothing to a local model. An empty one (display "omitted") carries nothing.
      return block.thinking.length > 0 ? [{ type: 'thinking', text: block.thinking }] : [];
    case 'redacted_thinking':
      // Encrypted by Anthropic for Anthropic: no local model can read it, and the gateway never makes one.
      return [];
    default:
      // Refused variants fail in the schema; anything reaching here is a schema/switch mismatch.
      throw invalid(path, `unsupported content block ${block.type}`);
  }
}

function toImage(block: Extract<ContentBlockWire, { type: 'image' }>): ChatImageBlock {
  const source = block.source;
  if (source.type !== 'base64') throw new VigilError('internal', `image source ${source.type} passed the schema`);
  return { type: 'image', image: { mediaType: source.media_type, data: source.data } };
}

function searchResultText(block: { title: string; source: string; content: Array<{ text: string }> }): string {
  return [`${block.title} (${block.source})`, ...block.content.map((c) => c.text)].join('\n');
}

function toChatToolChoice(choice: NonNullable<CountTokensBodyWire['tool_choice']>, tools: ChatTool[]): ChatToolChoice {
  if ((choice.type === 'any' || choice.type === 'tool') && tools.length === 0) {
    throw invalid(['tool_choice', 'type'], `"${choice.type}" needs at least one tool in tools`);
  }
  if (choice.type === 'tool') {
    if (!tools.some((tool) => tool.name === choice.name)) throw invalid(['tool_choice', 'name'], `no tool is named "${choice.name.slice(0, 80)}"`);
    return { type: 'tool', name: choice.name };
  }
  return { type: choice.type };
}
