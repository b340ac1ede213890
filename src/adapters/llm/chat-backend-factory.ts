/**
 * The gateway's backends, one per provider kind it can route chat to. Vigil's own work uses
 * llm-provider-factory.ts; the gateway needs streaming, tools and reasoning, which only the model
 * servers below are spoken to for here.
 */
import { VigilError } from '../../domain/errors.ts';
import type { ChatBackend } from '../../ports/chat-backend.ts';
import type { ProviderKind, ProviderSettings } from '../../ports/llm-provider.ts';
import { createOllamaChatBackend } from './ollama/ollama-chat.ts';
import { createAzureOpenAiChatBackend, createOpenAiChatBackend } from './openai/openai-chat.ts';

const BACKENDS: Partial<Record<ProviderKind, (settings: ProviderSettings) => ChatBackend>> = {
  ollama: createOllamaChatBackend,
  openai: createOpenAiChatBackend,
  azure_openai: createAzureOpenAiChatBackend,
};

/** The kinds the gateway can route to, for messages and config validation. */
export const CHAT_BACKEND_KINDS = Object.keys(BACKENDS) as ProviderKind[];

export function createChatBackend(settings: ProviderSettings): ChatBackend {
  const create = BACKENDS[settings.kind];
  if (create === undefined) {
    throw new VigilError(
      'config_invalid',
      `Provider ${settings.name} (kind ${settings.kind}) cannot serve the model gateway; it routes to providers of kind ${CHAT_BACKEND_KINDS.join(', ')}`,
    );
  }
  return create(settings);
}
