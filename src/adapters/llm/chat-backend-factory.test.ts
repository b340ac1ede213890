import { describe, expect, it } from 'vitest';
import type { ProviderKind, ProviderSettings } from '../../ports/llm-provider.ts';
import { CHAT_BACKEND_KINDS, createChatBackend } from './chat-backend-factory.ts';

const settings = (kind: ProviderKind, baseUrl = 'http://127.0.0.1:1'): ProviderSettings => ({
  name: `p_${kind}`,
  kind,
  model: 'm',
  baseUrl,
  providerOptions: {},
  timeoutMs: 1000,
});

describe('createChatBackend', () => {
  it('builds the backend of each kind the gateway routes to', () => {
    expect(createChatBackend(settings('ollama'))).toMatchObject({ name: 'p_ollama', kind: 'ollama', model: 'm', capabilities: { forcedToolChoice: false } });
    expect(createChatBackend(settings('openai'))).toMatchObject({ kind: 'openai', capabilities: { forcedToolChoice: true } });
    expect(createChatBackend(settings('azure_openai', 'https://r.openai.azure.com'))).toMatchObject({ kind: 'azure_openai' });
    expect(CHAT_BACKEND_KINDS).toEqual(['ollama', 'openai', 'azure_openai']);
  });

  it.each(['gemini', 'anthropic'] as const)('refuses %s with config_invalid naming the kinds it can serve', (kind) => {
    expect(() => createChatBackend(settings(kind))).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining('ollama, openai, azure_openai') }),
    );
  });
});
