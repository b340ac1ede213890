/**
 * Google's Gemini API behind the LlmProvider port: a thin fetch client, no SDK.
 *
 *   generate -> POST {base}/v1beta/models/{model}:generateContent
 *   embed    -> POST {base}/v1beta/models/{embeddingModel}:batchEmbedContents
 *
 * The key travels in the `x-goog-api-key` header, never in the URL's `?key=`, so it cannot
 * leak through anything that logs URLs. The base URL (Frigate's GEMINI_BASE_URL) may be the
 * bare host or already end in a version segment such as `/v1beta`.
 */
import { VigilError } from '../../../domain/errors.ts';
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider, ProviderSettings } from '../../../ports/llm-provider.ts';
import { isRecord, joinUrl, mergeProviderOptions, postJson, readBody, type JsonResponse } from '../http/provider-http.ts';
import {
  GEMINI_EMBED_BATCH_LIMIT,
  GEMINI_RESERVED_OPTIONS,
  batchEmbedResponseSchema,
  buildBatchEmbedBody,
  buildGenerateBody,
  generateResponseSchema,
  isFilteredFinish,
  modelPath,
  modelResource,
  type GeminiGenerateResponse,
} from './gemini-wire.ts';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

export function createGeminiProvider(settings: ProviderSettings): LlmProvider {
  const providerName = settings.name;
  const apiRoot = versionedRoot(settings.baseUrl ?? GEMINI_DEFAULT_BASE_URL);
  const secrets = [settings.apiKey];
  const headers: Record<string, string> = settings.apiKey === undefined ? {} : { 'x-goog-api-key': settings.apiKey };

  async function call(resource: string, method: string, body: unknown, signal: AbortSignal | undefined): Promise<JsonResponse> {
    const url = joinUrl(apiRoot, `${modelPath(resource)}:${method}`);
    const response = await postJson(url, body, { headers, timeoutMs: settings.timeoutMs, providerName, signal });
    if (!response.ok) throwIfBadKey(response, providerName);
    return response;
  }

  return {
    name: settings.name,
    kind: 'gemini',
    model: settings.model,

    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const body = mergeProviderOptions(buildGenerateBody(request), settings.providerOptions, GEMINI_RESERVED_OPTIONS);
      const response = await call(modelResource(settings.model), 'generateContent', body, request.signal);
      const parsed = readBody(response, generateResponseSchema, { providerName, secrets });
      return {
        text: answerText(parsed, providerName, request.jsonSchema !== undefined),
        model: parsed.modelVersion ?? settings.model,
        usage: {
          ...(parsed.usageMetadata?.promptTokenCount === undefined ? {} : { inputTokens: parsed.usageMetadata.promptTokenCount }),
          ...outputTokens(parsed),
        },
      };
    },

    async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
      const model = settings.embeddingModel ?? settings.model;
      const resource = modelResource(model);
      const vectors: number[][] = [];
      // provider_options are not merged here: they are written for generateContent
      // (generationConfig, safetySettings) and embedContent rejects those fields.
      for (let start = 0; start < texts.length; start += GEMINI_EMBED_BATCH_LIMIT) {
        const batch = texts.slice(start, start + GEMINI_EMBED_BATCH_LIMIT);
        const response = await call(resource, 'batchEmbedContents', buildBatchEmbedBody(resource, batch), options.signal);
        const parsed = readBody(response, batchEmbedResponseSchema, { providerName, secrets });
        if (parsed.embeddings.length !== batch.length) {
          throw new VigilError(
            'provider_bad_output',
            `${providerName} returned ${parsed.embeddings.length} embeddings for ${batch.length} texts`,
            { retryable: true },
          );
        }
        vectors.push(...parsed.embeddings.map((embedding) => embedding.values));
      }
      // batchEmbedContents reports no token counts.
      return { vectors, model, usage: {} };
    },
  };
}

/** The answer text of the first candidate, or provider_bad_output saying why there is none. */
function answerText(response: GeminiGenerateResponse, providerName: string, wantsJson: boolean): string {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason !== undefined && blockReason !== 'BLOCK_REASON_UNSPECIFIED') {
    const said = response.promptFeedback?.blockReasonMessage;
    // The same prompt would be blocked again, so this one is not worth a retry.
    throw new VigilError(
      'provider_bad_output',
      `${providerName} blocked the prompt (block reason ${blockReason}); adjust the prompt or the safetySettings in provider_options`,
      { retryable: false, ...(said === undefined ? {} : { details: [`provider said: ${said}`] }) },
    );
  }
  const candidate = response.candidates?.[0];
  if (candidate === undefined) {
    throw new VigilError('provider_bad_output', `${providerName} answered without any candidate`, { retryable: true });
  }
  const finish = candidate.finishReason;
  if (isFilteredFinish(finish)) {
    throw new VigilError(
      'provider_bad_output',
      `${providerName} withheld the answer (finish reason ${finish ?? 'unknown'}); it was stopped by a safety or content filter`,
      { retryable: true, ...(candidate.finishMessage === undefined ? {} : { details: [`provider said: ${candidate.finishMessage}`] }) },
    );
  }
  const text = (candidate.content?.parts ?? [])
    .filter((part) => part.thought !== true)
    .map((part) => part.text ?? '')
    .join('');
  if (finish === 'MAX_TOKENS' && (wantsJson || text === '')) {
    throw new VigilError(
      'provider_bad_output',
      `${providerName} ran out of output tokens before finishing the answer; raise maxOutputTokens`,
      { retryable: false },
    );
  }
  if (text === '') throw new VigilError('provider_bad_output', `${providerName} answered with empty text`, { retryable: true });
  return text;
}

/** Thinking tokens are billed as output, so they count as output here. */
function outputTokens(response: GeminiGenerateResponse): { outputTokens?: number } {
  const usage = response.usageMetadata;
  if (usage?.candidatesTokenCount === undefined && usage?.thoughtsTokenCount === undefined) return {};
  return { outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0) };
}

/**
 * Gemini answers a wrong key with HTTP 400 INVALID_ARGUMENT and reason API_KEY_INVALID, which
 * the generic mapping would call a bad request; it is an auth problem.
 */
function throwIfBadKey(response: JsonResponse, providerName: string): void {
  if (response.status !== 400 || !isRecord(response.body) || !isRecord(response.body['error'])) return;
  const details = response.body['error']['details'];
  const badKey =
    Array.isArray(details) && details.some((detail) => isRecord(detail) && detail['reason'] === 'API_KEY_INVALID');
  if (badKey) {
    throw new VigilError('provider_auth', `${providerName} rejected the API key (HTTP 400 API_KEY_INVALID); check the key`);
  }
}

/** The URL prefix model paths hang off: the base as given if it names an API version, else base + /v1beta. */
function versionedRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v\d+(?:(?:alpha|beta)\d*)?$/.test(trimmed) ? trimmed : joinUrl(trimmed, 'v1beta');
}
