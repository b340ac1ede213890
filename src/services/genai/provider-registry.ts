import type { LlmProvider } from '../../ports/llm-provider.ts';

export type RequestPriority = 'interactive' | 'background';

/** The configured providers by name, each behind its queue; a view carries priority and camera for accounting. */
export interface ProviderRegistry {
  names(): string[];
  get(name: string, context: { priority: RequestPriority; camera?: string }): LlmProvider | undefined;
}
