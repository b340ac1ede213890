/**
 * Anthropic's Messages API behind the LlmProvider port: a thin fetch client, no SDK.
 *
 *   generate -> POST {base}/v1/messages with x-api-key and anthropic-version headers
 *   embed    -> always provider_bad_request: Anthropic has no embeddings endpoint
 *
 * Errors come as {"type": "error", "error": {"type", "message"}} and are mapped by status
 * (400/404/413 bad request, 401/403 auth, 429 rate limited with retry-after, 500 and
 * 529 overloaded_error unavailable), except the monthly spend cap, which is a 429 that no
 * amount of waiting a few seconds will clear.
 */
import { VigilError } from '../../../domain/errors.ts';
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider, ProviderSettings } from '../../../ports/llm-provider.ts';
import { errorMessageOf, isRecord, joinUrl, mergeProviderOptions, postJson, readBody, redactSecrets, type JsonResponse } from '../http/provider-http.ts';
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_RESERVED_OPTIONS,
  ANTHROPIC_VERSION,
  buildMessagesBody,
  jsonOutputMode,
  messagesResponseSchema,
  type AnthropicMessagesResponse,
  type JsonPlan,
} from './anthropic-wire.ts';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

export function createAnthropicProvider(settings: ProviderSettings): LlmProvider {
  const providerName = settings.name;
  const url = messagesUrl(settings.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL);
  const secrets = [settings.apiKey];
  // Validated up front so a typo in the config fails on the first call with a clear message.
  const mode = jsonOutputMode(settings.providerOptions);
  const headers: Record<string, string> = {
    'anthropic-version': ANTHROPIC_VERSION,
    ...(settings.apiKey === undefined ? {} : { 'x-api-key': settings.apiKey }),
  };

  return {
    name: settings.name,
    kind: 'anthropic',
    model: settings.model,

    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const { body: own, json } = buildMessagesBody(request, mode);
      const body = mergeProviderOptions({ model: settings.model, ...own }, settings.providerOptions, ANTHROPIC_RESERVED_OPTIONS);
      body['max_tokens'] ??= ANTHROPIC_DEFAULT_MAX_TOKENS;
      const response = await postJson(url, body, { headers, timeoutMs: settings.timeoutMs, providerName, signal: request.signal });
      if (!response.ok) throwIfSpendCapped(response, providerName, secrets);
      const parsed = readBody(response, messagesResponseSchema, { providerName, secrets });
      return {
        text: json === undefined || json.mode === 'output_config' ? answerText(parsed, providerName, json !== undefined) : toolAnswer(parsed, json, providerName),
        model: parsed.model ?? settings.model,
        usage: {
          ...(parsed.usage?.input_tokens === undefined ? {} : { inputTokens: parsed.usage.input_tokens }),
          ...(parsed.usage?.output_tokens === undefined ? {} : { outputTokens: parsed.usage.output_tokens }),
        },
      };
    },

    embed(): Promise<EmbedResult> {
      return Promise.reject(
        new VigilError('provider_bad_request', 'Anthropic offers no embeddings API; configure another provider for the embeddings role'),
      );
    },
  };
}

function answerText(response: AnthropicMessagesResponse, providerName: string, wantsJson: boolean): string {
  throwOnRefusal(response, providerName);
  const text = response.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
  if (response.stop_reason === 'max_tokens' && (wantsJson || text === '')) throw truncated(providerName);
  if (text === '') throw new VigilError('provider_bad_output', `${providerName} answered with empty text`, { retryable: true });
  return text;
}

/** The forced tool call's input, as the JSON text the port promises. */
function toolAnswer(response: AnthropicMessagesResponse, plan: JsonPlan, providerName: string): string {
  throwOnRefusal(response, providerName);
  // A tool call cut off by max_tokens has an incomplete input: never hand that on as the answer.
  if (response.stop_reason === 'max_tokens') throw truncated(providerName);
  const call = response.content.find((block) => block.type === 'tool_use' && block.name === plan.toolName);
  if (call === undefined) {
    throw new VigilError('provider_bad_output', `${providerName} did not call the ${plan.toolName} tool that carries the JSON answer`, {
      retryable: true,
    });
  }
  const input = plan.wrapped && isRecord(call.input) ? call.input['value'] : call.input;
  if (input === undefined || (!plan.wrapped && !isRecord(call.input))) {
    throw new VigilError('provider_bad_output', `${providerName} called the ${plan.toolName} tool without a JSON object input`, {
      retryable: true,
    });
  }
  return JSON.stringify(input);
}

function throwOnRefusal(response: AnthropicMessagesResponse, providerName: string): void {
  if (response.stop_reason !== 'refusal') return;
  // Asking the same model the same thing again is unlikely to change its mind.
  throw new VigilError('provider_bad_output', `${providerName} declined to answer this request (stop_reason refusal)`, { retryable: false });
}

function truncated(providerName: string): VigilError {
  return new VigilError('provider_bad_output', `${providerName} ran out of output tokens before finishing the answer; raise maxOutputTokens`, {
    retryable: false,
  });
}

/**
 * A 429 whose error.details.error_code is enforced_spend_limit_reached means the organisation
 * hit its monthly spend cap: rate limited, but retrying before the month turns over is futile.
 */
function throwIfSpendCapped(response: JsonResponse, providerName: string, secrets: readonly (string | undefined)[]): void {
  if (response.status !== 429 || !isRecord(response.body) || !isRecord(response.body['error'])) return;
  const details = response.body['error']['details'];
  if (!isRecord(details) || details['error_code'] !== 'enforced_spend_limit_reached') return;
  const said = errorMessageOf(response.body);
  throw new VigilError('provider_rate_limited', `${providerName} refused the request: the organisation reached its spend limit (HTTP 429)`, {
    retryable: false,
    ...(said === undefined ? {} : { details: [redactSecrets(`provider said: ${said}`, secrets)] }),
  });
}

/** {base}/v1/messages, also when the configured base already ends in /v1. */
function messagesUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? joinUrl(trimmed, 'messages') : joinUrl(trimmed, 'v1/messages');
}
