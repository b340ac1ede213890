import type { z } from 'zod';
import type {
  ChatBlock,
  ChatImageBlock,
  ChatImageMediaType,
  ChatMessage,
  ChatRequest,
  ChatTextBlock,
  ChatTool,
  ChatToolChoice,
  ChatToolResultBlock,
} from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { echo } from '../../echo.ts';
import { openAiChatRequestSchema, type OpenAiChatRequestWire, type OpenAiMessageWire } from './openai-chat-request.schema.ts';

/**
 * POST /v1/chat/completions into the neutral `ChatRequest`.
 *
 * Decisions a client may notice (docs/gateway should repeat them):
 * - `system` and `developer` turns all go to `ChatRequest.system`, joined by blank lines in their
 *   order; where they stood between other turns is not kept (no backend protocol keeps it either).
 * - Consecutive `tool` messages become one user turn of tool_result blocks, as Anthropic-style
 *   backends need; a user message after them stays its own turn.
 * - `reasoning_effort`: "none" and "minimal" turn thinking off, "low" and above turn it on; absent,
 *   the backend's default stands. The neutral request has no degrees of effort.
 * - `max_completion_tokens` wins over the older `max_tokens` when both are sent.
 * - Accepted and ignored, because they do not change what a local model can answer: `user`, `seed`,
 *   `metadata`, `store`, `parallel_tool_calls`, `frequency_penalty`, `presence_penalty`,
 *   `logit_bias`, `service_tier`, `prompt_cache_key`, `safety_identifier`, `verbosity`,
 *   `prediction`, `stream_options.include_obfuscation`, messages' `name`, images' `detail`, tools'
 *   `strict`, and any field this parser does not know (vendor extras such as `min_p`).
 * - Refused with a reason: `n` > 1, `response_format` other than text (structured output is not
 *   supported yet), `logprobs`/`top_logprobs`, audio in or out, files, image URLs that are not
 *   `data:` URLs (Vigil does not fetch images for a client), the legacy `functions`/`function_call`
 *   API and its `function` role, and tool types other than `function`.
 */

export interface ParsedOpenAiChatRequest {
  /** The model name as the client wrote it; routing maps it to a backend model. */
  clientModel: string;
  stream: boolean;
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
  /** What the client asked for; the gateway clamps it (or picks a default) before `ChatRequest.maxTokens`. */
  maxTokens: number | undefined;
  request: Omit<ChatRequest, 'model' | 'maxTokens'>;
}

export function parseOpenAiChatRequest(body: unknown): ParsedOpenAiChatRequest {
  const parsed = openAiChatRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  const wire = parsed.data;
  refuseUnsupported(wire);

  const tools = wire.tools?.map((tool, i) => toTool(tool, i));
  const toolChoice = wire.tool_choice === null || wire.tool_choice === undefined ? undefined : toToolChoice(wire.tool_choice, tools ?? []);
  const { system, messages } = toConversation(wire.messages);

  const request: Omit<ChatRequest, 'model' | 'maxTokens'> = { messages };
  if (system !== undefined) request.system = system;
  if (tools !== undefined && tools.length > 0) request.tools = tools;
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  if (wire.temperature != null) request.temperature = wire.temperature;
  if (wire.top_p != null) request.topP = wire.top_p;
  if (wire.top_k != null) request.topK = wire.top_k;
  if (wire.stop != null) {
    const stop = typeof wire.stop === 'string' ? [wire.stop] : wire.stop;
    if (stop.length > 0) request.stop = stop;
  }
  if (wire.reasoning_effort != null) request.thinking = wire.reasoning_effort !== 'none' && wire.reasoning_effort !== 'minimal';

  const stream = wire.stream ?? false;
  return {
    clientModel: wire.model,
    stream,
    includeUsage: stream && (wire.stream_options?.include_usage ?? false),
    maxTokens: wire.max_completion_tokens ?? wire.max_tokens ?? undefined,
    request,
  };
}

/** `messages[2].content[0].image_url`: the field as a client's code would spell it. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

function invalid(field: string, message: string): VigilError {
  return new VigilError('invalid_argument', `${field}: ${message}`);
}

function invalidBody(error: z.ZodError): VigilError {
  const details = error.issues.flatMap(innermost).map((issue) => (issue.path.length > 0 ? `${fieldPath(issue.path)}: ${issue.message}` : issue.message));
  const first = details[0] ?? 'invalid request body';
  return new VigilError('invalid_argument', first === 'Invalid input: expected object, received undefined' ? 'expected a JSON object body' : first, { details });
}

/**
 * A union (`content`: a string or parts) that failed in the branch of the right type says why
 * there, deeper in: `messages[1].content[0].type: ...` helps, `messages[1].content: ...` does not.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const typed = issue.errors.filter((branch) => !branch.every((i) => i.path.length === 0 && i.code === 'invalid_type'));
  if (typed.length !== 1 || typed[0] === undefined) return [issue];
  return typed[0].flatMap((inner) => innermost({ ...inner, path: [...issue.path, ...inner.path] }));
}

function refuseUnsupported(wire: OpenAiChatRequestWire): void {
  if (wire.n != null && wire.n > 1) throw invalid('n', `only one choice per request is supported (got ${wire.n}); send separate requests`);
  if (wire.response_format != null && wire.response_format.type !== 'text') {
    throw invalid('response_format', `type ${echo(wire.response_format.type)} is not supported yet: only "text"; ask for JSON in the prompt instead`);
  }
  if (wire.logprobs === true || (wire.top_logprobs != null && wire.top_logprobs > 0)) throw invalid('logprobs', 'log probabilities are not supported');
  if (wire.audio != null || wire.modalities?.some((m) => m !== 'text')) throw invalid('modalities', 'only text output is supported (no audio)');
  if (wire.functions != null || wire.function_call != null) {
    throw invalid(wire.functions != null ? 'functions' : 'function_call', 'the legacy functions API is not supported; use tools and tool_choice');
  }
}

function toTool(tool: NonNullable<OpenAiChatRequestWire['tools']>[number], i: number): ChatTool {
  if (tool.type !== 'function' || tool.function === undefined) {
    throw invalid(`tools[${i}].type`, `tool type ${echo(tool.type)} is not supported; only "function" tools with a function object`);
  }
  const out: ChatTool = { name: tool.function.name, inputSchema: tool.function.parameters ?? { type: 'object', properties: {} } };
  if (tool.function.description != null) out.description = tool.function.description;
  return out;
}

function toToolChoice(choice: NonNullable<OpenAiChatRequestWire['tool_choice']>, tools: readonly ChatTool[]): ChatToolChoice {
  if (choice === 'auto' || choice === 'none') return { type: choice };
  if (choice === 'required') return { type: 'any' };
  if (choice.type !== 'function') {
    throw invalid('tool_choice.type', `${echo(choice.type)} is not supported; use "auto", "none", "required" or { type: "function", function: { name } }`);
  }
  const named = (choice as { function?: unknown }).function;
  const name = typeof named === 'object' && named !== null && 'name' in named && typeof named.name === 'string' ? named.name : '';
  if (name === '') throw invalid('tool_choice.function.name', 'expected the name of one of the tools');
  if (!tools.some((t) => t.name === name)) throw invalid('tool_choice.function.name', `${echo(name)} is not among the request's tools`);
  return { type: 'tool', name };
}

function toConversation(wire: readonly OpenAiMessageWire[]): { system: string | undefined; messages: ChatMessage[] } {
  const systemParts: string[] = [];
  const messages: ChatMessage[] = [];
  // The user turn that consecutive tool messages are gathered into; any other message closes it.
  let toolTurn: ChatMessage | undefined;

  wire.forEach((message, i) => {
    const at = `messages[${i}]`;
    if (message.role !== 'tool') toolTurn = undefined;
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(textOf(message.content));
        return;
      case 'user':
        messages.push({ role: 'user', content: userBlocks(message.content, `${at}.content`) });
        return;
      case 'assistant':
        messages.push({ role: 'assistant', content: assistantBlocks(message, at) });
        return;
      case 'tool': {
        const result: ChatToolResultBlock = { type: 'tool_result', toolUseId: message.tool_call_id, content: textBlocks(message.content), isError: false };
        if (toolTurn === undefined) {
          toolTurn = { role: 'user', content: [] };
          messages.push(toolTurn);
        }
        toolTurn.content.push(result);
        return;
      }
      case 'function':
        throw invalid(`${at}.role`, 'the legacy "function" role is not supported; answer tool_calls with "tool" messages');
    }
  });

  return { system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined, messages };
}

type TextContent = string | Array<{ type: 'text'; text: string }>;

function textOf(content: TextContent): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('\n');
}

function textBlocks(content: TextContent): ChatTextBlock[] {
  const parts = typeof content === 'string' ? [content] : content.map((p) => p.text);
  return parts.filter((text) => text !== '').map((text) => ({ type: 'text', text }));
}

function userBlocks(content: Extract<OpenAiMessageWire, { role: 'user' }>['content'], at: string): ChatBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, j): ChatBlock => {
    const field = `${at}[${j}]`;
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image_url':
        return imageBlock(typeof part.image_url === 'string' ? part.image_url : part.image_url.url, `${field}.image_url.url`);
      case 'input_audio':
        throw invalid(`${field}.type`, 'audio input is not supported');
      case 'file':
        throw invalid(`${field}.type`, 'file input is not supported; send the text, or images as image_url parts with data: URLs');
    }
  });
}

const MEDIA_TYPES: Readonly<Record<string, ChatImageMediaType>> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/webp': 'image/webp',
  'image/gif': 'image/gif',
};

function imageBlock(url: string, field: string): ChatImageBlock {
  if (/^https?:/i.test(url)) {
    throw invalid(field, 'image URLs are not fetched: send the image inline as a data: URL ("data:image/png;base64,...")');
  }
  const match = /^data:([^;,]*)((?:;[^;,]*)*),/i.exec(url);
  if (!match) throw invalid(field, 'expected a data: URL ("data:image/png;base64,...")');
  const declared = (match[1] ?? '').toLowerCase();
  const mediaType = MEDIA_TYPES[declared];
  if (mediaType === undefined) throw invalid(field, `image type ${echo(declared)} is not supported; send JPEG, PNG, WebP or GIF`);
  if (!/;base64$/i.test(match[2] ?? '')) throw invalid(field, 'expected a base64 data: URL (";base64,")');
  const data = url.slice(match[0].length).replace(/\s+/g, '');
  if (data === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw invalid(field, 'the data: URL does not hold base64 data');
  return { type: 'image', image: { mediaType, data } };
}

function assistantBlocks(message: Extract<OpenAiMessageWire, { role: 'assistant' }>, at: string): ChatBlock[] {
  if (message.function_call != null) throw invalid(`${at}.function_call`, 'the legacy functions API is not supported; use tool_calls');
  const blocks: ChatBlock[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning != null && reasoning !== '') blocks.push({ type: 'thinking', text: reasoning });

  const texts =
    message.content == null ? []
    : typeof message.content === 'string' ? [message.content]
    : message.content.map((p) => (p.type === 'text' ? p.text : p.refusal));
  if (message.refusal != null && message.refusal !== '') texts.push(message.refusal);
  const toolCalls = message.tool_calls ?? [];
  // An empty text beside tool calls is how many clients echo `content: null`; alone it is the answer.
  for (const text of texts) if (text !== '' || toolCalls.length === 0) blocks.push({ type: 'text', text });

  toolCalls.forEach((call, k) => {
    const field = `${at}.tool_calls[${k}]`;
    if (call.type !== 'function') throw invalid(`${field}.type`, `tool call type ${echo(call.type)} is not supported; only "function"`);
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolArguments(call.function.arguments, `${field}.function.arguments`) });
  });
  if (blocks.length === 0) throw invalid(at, 'an assistant message needs content or tool_calls');
  return blocks;
}

function toolArguments(json: string, field: string): Record<string, unknown> {
  // Models answer a tool without parameters with "" as often as with "{}".
  if (json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new VigilError('invalid_argument', `${field}: expected a JSON object, got text that is not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'expected a JSON object');
  return value as Record<string, unknown>;
}
