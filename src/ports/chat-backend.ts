import type { ChatRequest, ChatStreamEvent } from '../domain/chat/chat-types.ts';
import type { ProviderKind } from './llm-provider.ts';

/** What a backend can do beyond plain chat; the gateway refuses, or degrades as documented, what it cannot. */
export interface ChatBackendCapabilities {
  /** Can force a tool (`tool_choice` any / a named tool). Ollama cannot. */
  forcedToolChoice: boolean;
}

/**
 * A model server spoken to as a chat: the gateway's side of one configured provider (Ollama's
 * /api/chat, an OpenAI-compatible /v1/chat/completions). `chat` always streams from the backend;
 * a client that asked for one JSON answer gets the events gathered. Aborting `signal` closes the
 * backend request at once (a client that went away frees its slot). Failures are VigilErrors with
 * the provider_* codes of `LlmProvider`; one thrown before the first event means nothing was
 * generated, so another backend may be tried.
 */
export interface ChatBackend {
  readonly name: string;
  readonly kind: ProviderKind;
  /** The provider's configured model, used when a route names none. */
  readonly model: string;
  readonly capabilities: ChatBackendCapabilities;
  chat(request: ChatRequest, options: { signal: AbortSignal }): AsyncIterable<ChatStreamEvent>;
}
