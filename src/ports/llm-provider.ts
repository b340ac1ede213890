/**
 * The one port every generative model sits behind: Ollama, OpenAI and compatible servers,
 * Azure OpenAI, Gemini, Anthropic. Adapters translate to each wire protocol and turn every
 * failure into a VigilError with one of the `provider_*` codes:
 *   provider_unavailable  connection refused / DNS / 5xx (retryable)
 *   provider_timeout      no answer within the timeout (retryable)
 *   provider_rate_limited 429; `retryAfterMs` from Retry-After when given (retryable)
 *   provider_auth         401/403: wrong or missing key (not retryable)
 *   provider_bad_request  400/404/422: wrong model name, bad parameters (not retryable)
 *   provider_bad_output   a 2xx whose body is not what the protocol promises (retryable once)
 * Secrets (API keys) never appear in messages.
 */
export type ProviderKind = 'ollama' | 'openai' | 'azure_openai' | 'gemini' | 'anthropic';

export interface LlmImage {
  data: Uint8Array;
  mimeType: 'image/jpeg' | 'image/png' | 'image/webp';
}

export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface GenerateRequest {
  system?: string;
  prompt: string;
  /** Images for vision models, in the order they are referred to in the prompt. */
  images?: readonly LlmImage[];
  /** Ask for JSON matching this JSON Schema (the provider's structured-output feature where it has one). */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface GenerateResult {
  text: string;
  model: string;
  usage: LlmUsage;
}

export interface EmbedResult {
  vectors: number[][];
  model: string;
  usage: LlmUsage;
}

export interface LlmProvider {
  /** The configured name of this provider (e.g. "local_vlm"). */
  readonly name: string;
  readonly kind: ProviderKind;
  readonly model: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<EmbedResult>;
}

/** How an adapter is built: from the config's provider entry, with the key already resolved from the environment. */
export interface ProviderSettings {
  name: string;
  kind: ProviderKind;
  model: string;
  /** Embedding model, when it differs from `model`. */
  embeddingModel?: string;
  baseUrl?: string;
  apiKey?: string;
  /** Passed through to the provider's request (Frigate's provider_options): e.g. keep_alive, options.num_ctx, api-version. */
  providerOptions: Record<string, unknown>;
  timeoutMs: number;
}
