/**
 * Ollama's native API (docs/api.md in ollama/ollama): POST /api/chat with `stream: false`,
 * images as bare base64 strings on the user message, structured output through `format`
 * (a JSON Schema), sampling parameters in `options`; POST /api/embed with an `input` array.
 * Errors come back as {"error": "..."}, with 404 for a model that is not pulled.
 */
import { z } from 'zod';
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider, ProviderSettings } from '../../../ports/llm-provider.ts';
import { VigilError } from '../../../domain/errors.ts';
import { joinUrl, mergeProviderOptions, postJson, readBody, toBase64, tokenUsage } from '../http/provider-http.ts';

export const OLLAMA_DEFAULT_BASE_URL = 'http://localhost:11434';

/** Keys of the request body the adapter owns; provider_options cannot override them. */
const RESERVED_KEYS = ['model', 'messages', 'stream', 'format', 'input', 'images', 'prompt', 'system'];

const chatResponseSchema = z.object({
  model: z.string().optional(),
  message: z.object({ content: z.string() }),
  prompt_eval_count: z.number().int().nonnegative().optional(),
  eval_count: z.number().int().nonnegative().optional(),
});

const embedResponseSchema = z.object({
  model: z.string().optional(),
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().int().nonnegative().optional(),
});

export function createOllamaProvider(settings: ProviderSettings): LlmProvider {
  const baseUrl = settings.baseUrl ?? OLLAMA_DEFAULT_BASE_URL;
  const embeddingModel = settings.embeddingModel ?? settings.model;
  const providerName = settings.name;
  const call = (path: string, body: Record<string, unknown>, signal: AbortSignal | undefined) =>
    postJson(joinUrl(baseUrl, path), mergeProviderOptions(body, settings.providerOptions, RESERVED_KEYS), {
      providerName,
      timeoutMs: settings.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      ...(settings.apiKey === undefined ? {} : { headers: { authorization: `Bearer ${settings.apiKey}` } }),
    });
  const readOptions = { providerName, secrets: [settings.apiKey] };

  return {
    name: settings.name,
    kind: 'ollama',
    model: settings.model,

    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const response = await call('/api/chat', chatBody(settings.model, request), request.signal);
      const body = readBody(response, chatResponseSchema, readOptions);
      return {
        text: body.message.content,
        model: body.model ?? settings.model,
        usage: tokenUsage(body.prompt_eval_count, body.eval_count),
      };
    },

    async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
      if (texts.length === 0) return { vectors: [], model: embeddingModel, usage: {} };
      const response = await call('/api/embed', { model: embeddingModel, input: [...texts] }, options.signal);
      const body = readBody(response, embedResponseSchema, readOptions);
      if (body.embeddings.length !== texts.length) {
        throw new VigilError('provider_bad_output', `${providerName} returned ${body.embeddings.length} embeddings for ${texts.length} texts`, {
          retryable: true,
        });
      }
      return { vectors: body.embeddings, model: body.model ?? embeddingModel, usage: tokenUsage(body.prompt_eval_count, undefined) };
    },
  };
}

function chatBody(model: string, request: GenerateRequest): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  if (request.system !== undefined) messages.push({ role: 'system', content: request.system });
  const images = request.images ?? [];
  messages.push({
    role: 'user',
    content: request.prompt,
    // Ollama wants bare base64, not data URLs; the mime type is sniffed from the bytes.
    ...(images.length === 0 ? {} : { images: images.map((image) => toBase64(image.data)) }),
  });
  const options: Record<string, unknown> = {};
  if (request.temperature !== undefined) options['temperature'] = request.temperature;
  if (request.maxOutputTokens !== undefined) options['num_predict'] = request.maxOutputTokens;
  return {
    model,
    messages,
    stream: false,
    ...(request.jsonSchema === undefined ? {} : { format: request.jsonSchema.schema }),
    ...(Object.keys(options).length === 0 ? {} : { options }),
  };
}
