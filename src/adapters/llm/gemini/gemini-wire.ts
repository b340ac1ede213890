/**
 * The Gemini API (generativelanguage.googleapis.com, v1beta) as far as Vigil speaks it:
 * request builders and zod schemas for `models/{model}:generateContent` and
 * `models/{model}:batchEmbedContents`. Response schemas are loose (unknown keys pass) so that
 * fields Google adds later do not break us; only what we read is checked.
 */
import { z } from 'zod';
import type { GenerateRequest } from '../../../ports/llm-provider.ts';
import { toBase64 } from '../http/provider-http.ts';

/**
 * Keys of provider_options the adapter owns: the conversation itself. Everything else
 * (safetySettings, tools, toolConfig, cachedContent, generationConfig defaults such as topK
 * or thinkingConfig) is passed through; generationConfig is merged one level deep with the
 * request's own values winning.
 */
export const GEMINI_RESERVED_OPTIONS = ['contents', 'systemInstruction', 'system_instruction', 'model'] as const;

/** The server refuses more than this many requests in one batchEmbedContents call. */
export const GEMINI_EMBED_BATCH_LIMIT = 100;

export function buildGenerateBody(request: GenerateRequest): Record<string, unknown> {
  // Images go before the text: Gemini's image-understanding guide recommends the text prompt
  // after the image parts, and the port keeps images in the order the prompt refers to them.
  const parts: Record<string, unknown>[] = [
    ...(request.images ?? []).map((image) => ({ inline_data: { mime_type: image.mimeType, data: toBase64(image.data) } })),
    { text: request.prompt },
  ];
  const generationConfig: Record<string, unknown> = {};
  if (request.maxOutputTokens !== undefined) generationConfig['maxOutputTokens'] = request.maxOutputTokens;
  if (request.temperature !== undefined) generationConfig['temperature'] = request.temperature;
  if (request.jsonSchema !== undefined) {
    generationConfig['responseMimeType'] = 'application/json';
    // responseJsonSchema takes standard JSON Schema; the older responseSchema takes Google's
    // OpenAPI-subset Schema object (upper-case types, no additionalProperties / $ref), which
    // our callers' schemas are not written in.
    generationConfig['responseJsonSchema'] = request.jsonSchema.schema;
  }
  const body: Record<string, unknown> = { contents: [{ role: 'user', parts }] };
  if (request.system !== undefined && request.system !== '') body['systemInstruction'] = { parts: [{ text: request.system }] };
  if (Object.keys(generationConfig).length > 0) body['generationConfig'] = generationConfig;
  return body;
}

export function buildBatchEmbedBody(modelResource: string, texts: readonly string[]): Record<string, unknown> {
  return { requests: texts.map((text) => ({ model: modelResource, content: { parts: [{ text }] } })) };
}

const partSchema = z.looseObject({
  text: z.string().optional(),
  /** Thought summaries of thinking models; not part of the answer. */
  thought: z.boolean().optional(),
});

const candidateSchema = z.looseObject({
  content: z.looseObject({ parts: z.array(partSchema).optional() }).optional(),
  finishReason: z.string().optional(),
  finishMessage: z.string().optional(),
});

export const generateResponseSchema = z.looseObject({
  candidates: z.array(candidateSchema).optional(),
  promptFeedback: z
    .looseObject({
      blockReason: z.string().optional(),
      blockReasonMessage: z.string().optional(),
    })
    .optional(),
  usageMetadata: z
    .looseObject({
      promptTokenCount: z.number().optional(),
      candidatesTokenCount: z.number().optional(),
      thoughtsTokenCount: z.number().optional(),
    })
    .optional(),
  modelVersion: z.string().optional(),
});
export type GeminiGenerateResponse = z.output<typeof generateResponseSchema>;

export const batchEmbedResponseSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
});

/**
 * Finish reasons that mean the answer was withheld or cut by a filter rather than finished.
 * (SAFETY, RECITATION, LANGUAGE, OTHER, BLOCKLIST, PROHIBITED_CONTENT, SPII,
 * MALFORMED_FUNCTION_CALL, IMAGE_SAFETY, ...): everything except STOP and MAX_TOKENS.
 */
export function isFilteredFinish(reason: string | undefined): boolean {
  return reason !== undefined && reason !== 'STOP' && reason !== 'MAX_TOKENS' && reason !== 'FINISH_REASON_UNSPECIFIED';
}

/** `gemini-2.5-flash`, `models/gemini-2.5-flash` and `tunedModels/x` all name a resource. */
export function modelResource(model: string): string {
  const trimmed = model.trim();
  return trimmed.includes('/') ? trimmed : `models/${trimmed}`;
}

/** The model resource as a URL path, each segment encoded. */
export function modelPath(resource: string): string {
  return resource.split('/').map(encodeURIComponent).join('/');
}
