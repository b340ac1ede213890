/**
 * Azure OpenAI: Chat Completions on a deployment, or the Responses API, depending on the
 * configured base_url (see azure-endpoint.ts for the forms); `api-key: <key>` on every request.
 *
 *   chat      POST {resource}/openai/deployments/{deployment}/chat/completions?api-version=...
 *   responses POST {resource}/openai/responses?api-version=...   { model: <deployment>, input: [...] }
 *   embed     POST {resource}/openai/deployments/{embedding deployment}/embeddings?api-version=...
 */
import { VigilError } from '../../../domain/errors.ts';
import type { GenerateRequest, GenerateResult, LlmProvider, ProviderSettings } from '../../../ports/llm-provider.ts';
import { mergeProviderOptions, postJson, readBody, tokenUsage } from '../http/provider-http.ts';
import { azureEndpoint } from './azure-endpoint.ts';
import { ADAPTER_OPTIONS, createChatCompletionsProvider, stringOption } from './openai-provider.ts';
import { responsesBody, responseSchema, responsesText } from './responses-wire.ts';
import { temperatureGuard } from './temperature-guard.ts';

export { AZURE_OPENAI_DEFAULT_API_VERSION, AZURE_RESPONSES_DEFAULT_API_VERSION } from './azure-endpoint.ts';

/** Body keys the Responses client owns; provider_options cannot override them. */
const RESPONSES_RESERVED_KEYS = ['model', 'input', 'instructions', 'text', 'stream', 'store', 'previous_response_id', ...ADAPTER_OPTIONS];

export function createAzureOpenAiProvider(settings: ProviderSettings): LlmProvider {
  if (settings.baseUrl === undefined || settings.baseUrl === '') {
    throw new VigilError('config_invalid', `Provider ${settings.name}: Azure OpenAI needs base_url, the resource endpoint (https://<resource>.openai.azure.com)`);
  }
  const configuredVersion = stringOption(settings, 'api_version') ?? stringOption(settings, 'api-version');
  const endpoint = azureEndpoint(settings.baseUrl, settings.model, configuredVersion, settings.name);
  const headers: Record<string, string> = settings.apiKey === undefined || settings.apiKey === '' ? {} : { 'api-key': settings.apiKey };
  const chat = createChatCompletionsProvider(settings, {
    kind: 'azure_openai',
    chatUrl: endpoint.generateUrl,
    embeddingsUrl: endpoint.embeddingsUrl,
    headers,
    // In Responses mode this client only embeds (generate is replaced below), on a deployment URL.
    modelInBody: endpoint.api === 'responses' ? endpoint.embeddingsModelInBody : endpoint.modelInBody,
    defaultMaxTokensField: 'max_completion_tokens',
  });
  if (endpoint.api === 'chat_completions') return chat;
  return { ...chat, generate: responsesGenerate(settings, endpoint.generateUrl, headers) };
}

function responsesGenerate(settings: ProviderSettings, url: string, headers: Record<string, string>): LlmProvider['generate'] {
  const providerName = settings.name;
  const readOptions = { providerName, secrets: [settings.apiKey] };
  const bodyOptions = { model: settings.model, strictJsonSchema: settings.providerOptions['strict_json_schema'] !== false };
  const withTemperature = temperatureGuard();

  const once = async (request: GenerateRequest): Promise<GenerateResult> => {
    const body = mergeProviderOptions(responsesBody(request, bodyOptions), settings.providerOptions, RESPONSES_RESERVED_KEYS);
    const response = await postJson(url, body, {
      providerName,
      timeoutMs: settings.timeoutMs,
      headers,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    const answer = readBody(response, responseSchema, readOptions);
    const { text, refusal } = responsesText(answer);
    if (text === undefined) {
      const reason = answer.incomplete_details?.reason;
      throw new VigilError(
        'provider_bad_output',
        refusal !== undefined
          ? `${providerName} refused to answer`
          : `${providerName} answered without any text (status: ${answer.status ?? 'unknown'}${reason ? `, reason: ${reason}` : ''})`,
        {
          retryable: true,
          details: [
            ...(refusal !== undefined ? [`refusal: ${refusal}`] : []),
            // Reasoning models spend output tokens on thinking first; a low effort leaves room for the answer.
            ...(reason === 'max_output_tokens' ? ['the model used up max_output_tokens; provider_options: { reasoning: { effort: low } } may help'] : []),
          ],
        },
      );
    }
    return { text, model: answer.model ?? settings.model, usage: tokenUsage(answer.usage?.input_tokens, answer.usage?.output_tokens) };
  };

  return (request) => withTemperature(request, once);
}
