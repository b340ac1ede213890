/** One client per provider kind; each speaks its server's wire protocol over fetch. */
import type { LlmProvider, ProviderKind, ProviderSettings } from '../../ports/llm-provider.ts';
import { createAnthropicProvider } from './anthropic/anthropic-provider.ts';
import { createGeminiProvider } from './gemini/gemini-provider.ts';
import { createOllamaProvider } from './ollama/ollama-provider.ts';
import { createAzureOpenAiProvider } from './openai/azure-openai-provider.ts';
import { createOpenAiProvider } from './openai/openai-provider.ts';

const CLIENTS: Record<ProviderKind, (settings: ProviderSettings) => LlmProvider> = {
  ollama: createOllamaProvider,
  openai: createOpenAiProvider,
  azure_openai: createAzureOpenAiProvider,
  gemini: createGeminiProvider,
  anthropic: createAnthropicProvider,
};

export function createLlmProvider(settings: ProviderSettings): LlmProvider {
  return CLIENTS[settings.kind](settings);
}
