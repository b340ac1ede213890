/**
 * OpenAI Chat Completions and Embeddings, for OpenAI itself and any OpenAI-compatible server
 * (baseUrl pointing at vLLM, LM Studio, llama.cpp, LocalAI, Ollama's /v1, DashScope's
 * compatible-mode/v1 ...); Azure OpenAI (azure-openai-provider.ts) builds on the same client.
 *
 *   OpenAI  POST {baseUrl}/chat/completions, {baseUrl}/embeddings; Authorization: Bearer <key>
 *
 * provider_options become extra body fields (e.g. reasoning_effort, seed, top_p), except the
 * keys the adapter owns and three it reads itself: `api_version` (Azure), `strict_json_schema`
 * (default true) and `max_tokens_field`.
 */
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider, ProviderKind, ProviderSettings } from '../../../ports/llm-provider.ts';
import { VigilError } from '../../../domain/errors.ts';
import { temperatureGuard } from './temperature-guard.ts';
import { joinUrl, mergeProviderOptions, postJson, readBody, tokenUsage } from '../http/provider-http.ts';
import { chatCompletionBody, chatCompletionSchema, embeddingsSchema, type ChatBodyOptions } from './openai-wire.ts';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const ADAPTER_OPTIONS = ['api_version', 'api-version', 'strict_json_schema', 'max_tokens_field'];
const RESERVED_KEYS = ['model', 'messages', 'response_format', 'stream', 'n', 'input', ...ADAPTER_OPTIONS];

export interface Wire {
  kind: ProviderKind;
  chatUrl: string;
  embeddingsUrl: (model: string) => string;
  headers: Record<string, string>;
  /** Azure picks the model by deployment in the URL, not by a body field. */
  modelInBody: boolean;
  defaultMaxTokensField: ChatBodyOptions['maxTokensField'];
}

export function createOpenAiProvider(settings: ProviderSettings): LlmProvider {
  const baseUrl = settings.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  return createChatCompletionsProvider(settings, {
    kind: 'openai',
    chatUrl: joinUrl(baseUrl, 'chat/completions'),
    embeddingsUrl: () => joinUrl(baseUrl, 'embeddings'),
    headers: settings.apiKey === undefined || settings.apiKey === '' ? {} : { authorization: `Bearer ${settings.apiKey}` },
    modelInBody: true,
    // OpenAI deprecated max_tokens (reasoning models reject it); many compatible servers only know max_tokens.
    defaultMaxTokensField: isOfficialOpenAi(baseUrl) ? 'max_completion_tokens' : 'max_tokens',
  });
}

export function createChatCompletionsProvider(settings: ProviderSettings, wire: Wire): LlmProvider {
  const providerName = settings.name;
  const embeddingModel = settings.embeddingModel ?? settings.model;
  const readOptions = { providerName, secrets: [settings.apiKey] };
  const bodyOptions: ChatBodyOptions = {
    ...(wire.modelInBody ? { model: settings.model } : {}),
    maxTokensField: maxTokensFieldOption(settings) ?? wire.defaultMaxTokensField,
    strictJsonSchema: settings.providerOptions['strict_json_schema'] !== false,
  };
  const post = (url: string, body: Record<string, unknown>, signal: AbortSignal | undefined) =>
    postJson(url, body, {
      providerName,
      timeoutMs: settings.timeoutMs,
      headers: wire.headers,
      ...(signal === undefined ? {} : { signal }),
    });

  const withTemperature = temperatureGuard();
  const generateOnce = async (request: GenerateRequest): Promise<GenerateResult> => {
    const body = mergeProviderOptions(chatCompletionBody(request, bodyOptions), settings.providerOptions, RESERVED_KEYS);
    const response = readBody(await post(wire.chatUrl, body, request.signal), chatCompletionSchema, readOptions);
    const choice = response.choices[0];
    const text = choice?.message.content;
    if (text === undefined || text === null) {
      const refusal = choice?.message.refusal;
      throw new VigilError(
        'provider_bad_output',
        refusal ? `${providerName} refused to answer` : `${providerName} answered without any text (finish_reason: ${choice?.finish_reason ?? 'unknown'})`,
        { retryable: true, details: refusal ? [`refusal: ${refusal}`] : [] },
      );
    }
    return {
      text,
      model: response.model ?? settings.model,
      usage: tokenUsage(response.usage?.prompt_tokens, response.usage?.completion_tokens),
    };
  };

  return {
    name: settings.name,
    kind: wire.kind,
    model: settings.model,

    generate: (request: GenerateRequest) => withTemperature(request, generateOnce),

    async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
      if (texts.length === 0) return { vectors: [], model: embeddingModel, usage: {} };
      // provider_options are chat parameters (reasoning_effort, seed...): the embeddings endpoint would reject them.
      const body = { ...(wire.modelInBody ? { model: embeddingModel } : {}), input: [...texts] };
      const response = readBody(await post(wire.embeddingsUrl(embeddingModel), body, options.signal), embeddingsSchema, readOptions);
      const vectors = orderedVectors(response.data, texts.length);
      if (vectors === undefined) {
        throw new VigilError('provider_bad_output', `${providerName} returned ${response.data.length} embeddings for ${texts.length} texts`, {
          retryable: true,
        });
      }
      return { vectors, model: response.model ?? embeddingModel, usage: tokenUsage(response.usage?.prompt_tokens, undefined) };
    },
  };
}

/** The API promises an `index` per embedding; order by it and check every input got exactly one. */
function orderedVectors(data: readonly { index: number; embedding: number[] }[], count: number): number[][] | undefined {
  if (data.length !== count) return undefined;
  const vectors: (number[] | undefined)[] = new Array<number[] | undefined>(count).fill(undefined);
  for (const item of data) {
    if (item.index >= count || vectors[item.index] !== undefined) return undefined;
    vectors[item.index] = item.embedding;
  }
  return vectors.every((vector) => vector !== undefined) ? vectors : undefined;
}

/** api.openai.com itself, whose newer models take max_completion_tokens (compatible servers take max_tokens). */
export function isOfficialOpenAi(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    // An unparsable base URL fails at request time with a clear message; here it is simply not OpenAI's.
    return false;
  }
}

export function stringOption(settings: ProviderSettings, key: string): string | undefined {
  const value = settings.providerOptions[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function maxTokensFieldOption(settings: ProviderSettings): ChatBodyOptions['maxTokensField'] | undefined {
  const value = settings.providerOptions['max_tokens_field'];
  return value === 'max_tokens' || value === 'max_completion_tokens' ? value : undefined;
}
