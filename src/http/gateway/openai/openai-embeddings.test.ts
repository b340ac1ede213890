import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { float32Base64, openAiEmbeddingsResponse, parseOpenAiEmbeddingsRequest } from './openai-embeddings.ts';

function refusal(body: unknown): string {
  try {
    parseOpenAiEmbeddingsRequest(body);
  } catch (error) {
    if (error instanceof VigilError && error.code === 'invalid_argument') return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseOpenAiEmbeddingsRequest', () => {
  it('reads one text or many, float by default', () => {
    expect(parseOpenAiEmbeddingsRequest({ model: 'nomic', input: 'a cat' })).toEqual({ clientModel: 'nomic', inputs: ['a cat'], encodingFormat: 'float' });
    expect(parseOpenAiEmbeddingsRequest({ model: 'nomic', input: ['a', 'b'], encoding_format: 'base64', user: 'u', dimensions: null })).toEqual({
      clientModel: 'nomic',
      inputs: ['a', 'b'],
      encodingFormat: 'base64',
    });
  });

  it('refuses token ids, dimensions, empty input and unknown formats with a reason', () => {
    expect(refusal({ model: 'm', input: [1, 2, 3] })).toMatch(/^input: token ids are not supported/);
    expect(refusal({ model: 'm', input: [[1, 2], [3]] })).toMatch(/^input: token ids are not supported/);
    expect(refusal({ model: 'm', input: 'x', dimensions: 256 })).toMatch(/^dimensions: not supported/);
    expect(refusal({ model: 'm', input: [] })).toBe('input: expected at least one text');
    expect(refusal({ model: 'm', input: ['a', ''] })).toBe('input[1]: expected non-empty text');
    expect(refusal({ model: 'm', input: 'x', encoding_format: 'int8' })).toBe('encoding_format: expected "float" or "base64"');
    expect(refusal({ input: 'x' })).toBe('model: expected the model name');
    expect(refusal({ model: 'm', input: Array.from({ length: 2049 }, () => 'x') })).toMatch(/at most 2048/);
  });
});

describe('openAiEmbeddingsResponse', () => {
  it('builds the list with floats', () => {
    expect(openAiEmbeddingsResponse({ model: 'nomic', vectors: [[0.5, -1], [2, 0]], promptTokens: 7, encodingFormat: 'float' })).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1] },
        { object: 'embedding', index: 1, embedding: [2, 0] },
      ],
      model: 'nomic',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  });

  it('encodes base64 as little-endian float32', () => {
    // 1.0f is 0x3f800000, -2.0f is 0xc0000000: little-endian bytes 00 00 80 3f, 00 00 00 c0.
    expect(Buffer.from(float32Base64([1, -2]), 'base64')).toEqual(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]));
    const response = openAiEmbeddingsResponse({ model: 'm', vectors: [[0.25]], promptTokens: 1, encodingFormat: 'base64' });
    expect(response.data[0]?.embedding).toBe(float32Base64([0.25]));
  });
});
