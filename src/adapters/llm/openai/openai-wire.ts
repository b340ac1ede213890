/**
 * The Chat Completions and Embeddings wire format shared by OpenAI, OpenAI-compatible servers
 * (vLLM, LM Studio, llama.cpp, LocalAI, Ollama's /v1) and Azure OpenAI.
 */
import { z } from 'zod';
import type { GenerateRequest, LlmImage } from '../../../ports/llm-provider.ts';
import { toBase64 } from '../http/provider-http.ts';

export const chatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative().nullish(),
      completion_tokens: z.number().int().nonnegative().nullish(),
    })
    .nullish(),
});

export const embeddingsSchema = z.object({
  model: z.string().optional(),
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});

export interface ChatBodyOptions {
  /** Omitted for Azure, where the deployment in the URL picks the model. */
  model?: string;
  /** `max_completion_tokens` for OpenAI and Azure, `max_tokens` for compatible servers that predate it. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  strictJsonSchema: boolean;
}

export function chatCompletionBody(request: GenerateRequest, options: ChatBodyOptions): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  if (request.system !== undefined) messages.push({ role: 'system', content: request.system });
  const images = request.images ?? [];
  messages.push({
    role: 'user',
    content:
      images.length === 0
        ? request.prompt
        : [{ type: 'text', text: request.prompt }, ...images.map((image) => ({ type: 'image_url', image_url: { url: dataUrl(image) } }))],
  });
  return {
    ...(options.model === undefined ? {} : { model: options.model }),
    messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens === undefined ? {} : { [options.maxTokensField]: request.maxOutputTokens }),
    ...(request.jsonSchema === undefined
      ? {}
      : {
          response_format: {
            type: 'json_schema',
            json_schema: { name: schemaName(request.jsonSchema.name), schema: request.jsonSchema.schema, strict: options.strictJsonSchema },
          },
        }),
  };
}

export function dataUrl(image: LlmImage): string {
  return `data:${image.mimeType};base64,${toBase64(image.data)}`;
}

/** The API accepts a-z, A-Z, 0-9, underscores and dashes, at most 64 characters. */
export function schemaName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'response' : cleaned;
}
