import { describe, expect, it } from 'vitest';
import { openAiModel, openAiModelList } from './openai-models.ts';

describe('openAiModelList', () => {
  it('lists each name once, in order, as OpenAI model objects', () => {
    expect(openAiModelList(['qwen3:32b', 'gpt-4o', 'qwen3:32b'], { created: 1_700_000_000 })).toEqual({
      object: 'list',
      data: [
        { id: 'qwen3:32b', object: 'model', created: 1_700_000_000, owned_by: 'vigil' },
        { id: 'gpt-4o', object: 'model', created: 1_700_000_000, owned_by: 'vigil' },
      ],
    });
  });

  it('takes an owner', () => {
    expect(openAiModel('m', { created: 5, ownedBy: 'ollama' })).toEqual({ id: 'm', object: 'model', created: 5, owned_by: 'ollama' });
  });
});
