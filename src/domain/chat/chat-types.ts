/**
 * The gateway's one neutral conversation shape. Client protocols (Anthropic Messages, OpenAI chat
 * completions) are parsed into it, backends (Ollama's /api/chat, OpenAI-compatible servers) are
 * spoken from it, and their streams come back as `ChatStreamEvent`s that each client protocol
 * encodes in its own order. Nothing here knows a wire format.
 */

export type ChatImageMediaType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';

/** An image as every protocol carries it: base64 bytes and their type (never a URL to fetch). */
export interface ChatImage {
  mediaType: ChatImageMediaType;
  /** Base64, without a `data:` prefix. */
  data: string;
}

export interface ChatTextBlock {
  type: 'text';
  text: string;
}

export interface ChatImageBlock {
  type: 'image';
  image: ChatImage;
}

/** A model's reasoning, kept apart from its answer (Anthropic thinking, `reasoning_content`, `<think>`). */
export interface ChatThinkingBlock {
  type: 'thinking';
  text: string;
}

/** The assistant asks for a tool to be run. `input` is the parsed JSON object of its arguments. */
export interface ChatToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** The client's answer to a tool_use, in a user turn. */
export interface ChatToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  content: Array<ChatTextBlock | ChatImageBlock>;
  isError: boolean;
}

export type ChatBlock = ChatTextBlock | ChatImageBlock | ChatThinkingBlock | ChatToolUseBlock | ChatToolResultBlock;

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: ChatBlock[];
}

export interface ChatTool {
  name: string;
  description?: string;
  /** JSON Schema of the tool's input object. */
  inputSchema: Record<string, unknown>;
}

/** auto: the model decides; none: no tool; any: some tool; tool: this one. */
export type ChatToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'any' } | { type: 'tool'; name: string };

export interface ChatRequest {
  /** The backend's model name (after routing), e.g. "qwen3:32b". */
  model: string;
  /** System prompt: the client's system text and any system turns, in order. */
  system?: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  toolChoice?: ChatToolChoice;
  /** Most tokens to generate (already clamped to what the key may use). */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  /** The client asked to see the model's reasoning (Anthropic `thinking`, OpenAI `reasoning_effort`). */
  thinking?: boolean;
}

export type ChatStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence';

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * What a backend streams. Text and thinking come as deltas; a tool call opens with its id and name
 * and its JSON arguments follow as fragments (a backend that gives whole calls sends one fragment).
 * `index` numbers the tool calls of one answer from 0. Exactly one `end` closes a stream that did not
 * fail; a failure is thrown (a VigilError with a provider_* code), never sent as an event.
 */
export type ChatStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsJson: string }
  | { type: 'end'; stopReason: ChatStopReason; usage: ChatUsage };
