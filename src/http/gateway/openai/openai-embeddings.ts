import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';

/**
 * POST /v1/embeddings: the request read, the answer built.
 *
 * The official SDKs ask for `encoding_format: "base64"` unless told otherwise (and decode it back to
 * floats): each vector is then its float32 values, little-endian, in base64. Token-id input
 * (arrays of integers) is refused: a local backend has its own tokenizer, not OpenAI's. `dimensions`
 * is refused too: a model's vectors have the length they have. `user` is accepted and ignored.
 */

/** OpenAI's own limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;

const embeddingsRequestSchema = z.looseObject({
  model: z.string({ error: 'expected the model name' }).min(1, 'expected the model name').max(200, 'expected a model name of at most 200 characters'),
  // Token ids (numbers, arrays of numbers) are recognised here so that the refusal can say why.
  input: z.union([z.string(), z.array(z.union([z.string(), z.number(), z.array(z.number())]))], { error: 'expected a string or an array of strings' }),
  encoding_format: z.enum(['float', 'base64'], { error: 'expected "float" or "base64"' }).nullish(),
  dimensions: z.unknown().optional(),
  user: z.string().nullish(),
});

export type OpenAiEncodingFormat = 'float' | 'base64';

export interface ParsedOpenAiEmbeddingsRequest {
  clientModel: string;
  /** Always a list, even when the client sent one string. */
  inputs: string[];
  encodingFormat: OpenAiEncodingFormat;
}

export function parseOpenAiEmbeddingsRequest(body: unknown): ParsedOpenAiEmbeddingsRequest {
  const parsed = embeddingsRequestSchema.safeParse(body);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message));
    throw new VigilError('invalid_argument', details[0] ?? 'invalid request body', { details });
  }
  const { model, input, encoding_format, dimensions } = parsed.data;
  if (dimensions != null) throw new VigilError('invalid_argument', "dimensions: not supported; the model's vectors have their own length (leave it out)");
  const inputs = typeof input === 'string' ? [input] : input;
  if (!inputs.every((i): i is string => typeof i === 'string')) {
    throw new VigilError('invalid_argument', 'input: token ids are not supported; send the text (a string or an array of strings)');
  }
  if (inputs.length === 0) throw new VigilError('invalid_argument', 'input: expected at least one text');
  if (inputs.length > MAX_EMBEDDING_INPUTS) throw new VigilError('invalid_argument', `input: expected at most ${MAX_EMBEDDING_INPUTS} texts (got ${inputs.length})`);
  const empty = inputs.findIndex((i) => i === '');
  if (empty >= 0) throw new VigilError('invalid_argument', `${typeof input === 'string' ? 'input' : `input[${empty}]`}: expected non-empty text`);
  return { clientModel: model, inputs, encodingFormat: encoding_format ?? 'float' };
}

export interface OpenAiEmbeddingsWire {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export function openAiEmbeddingsResponse(args: {
  /** The model name the client asked for. */
  model: string;
  /** One vector per input, in the inputs' order. */
  vectors: readonly (readonly number[])[];
  promptTokens: number;
  encodingFormat: OpenAiEncodingFormat;
}): OpenAiEmbeddingsWire {
  return {
    object: 'list',
    data: args.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: args.encodingFormat === 'base64' ? float32Base64(vector) : [...vector],
    })),
    model: args.model,
    usage: { prompt_tokens: args.promptTokens, total_tokens: args.promptTokens },
  };
}

/** Float32, little-endian whatever this machine is, in base64: what the SDKs decode. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = new DataView(new ArrayBuffer(vector.length * 4));
  vector.forEach((value, i) => bytes.setFloat32(i * 4, value, true));
  return Buffer.from(bytes.buffer).toString('base64');
}
