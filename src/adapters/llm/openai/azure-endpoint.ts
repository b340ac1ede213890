/**
 * Which Azure OpenAI API a configured `base_url` means, and the URLs it leads to.
 *
 * Users paste whatever the Azure portal or Frigate's documentation shows them. Frigate takes the
 * `api-version` from the URL's query and the scheme and host from the rest; these forms are
 * accepted here (any path before `/openai` is kept, for gateways such as API Management):
 *
 *   https://NAME.openai.azure.com                                    resource: Chat Completions on
 *   https://NAME.openai.azure.com/openai                             the deployment named by `model`
 *   https://NAME.cognitiveservices.azure.com/openai/deployments/D[/chat/completions]?api-version=V
 *                                                                    Chat Completions on deployment D
 *   https://NAME.cognitiveservices.azure.com/openai/responses?api-version=V
 *                                                                    Responses API, `model` in the body
 *   https://NAME.openai.azure.com/openai/v1[/chat/completions | /responses]
 *                                                                    the v1 API (no api-version needed)
 *
 * Embeddings always go to a deployment (`embedding_model`, else `model`) under the same resource,
 * or to `/openai/v1/embeddings` for the v1 API.
 */
import { VigilError } from '../../../domain/errors.ts';

/** The newest generally available data-plane inference version (Azure OpenAI REST reference). */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';
/** The Responses API is not in any GA dated version; this is the one Azure's Responses docs use. */
export const AZURE_RESPONSES_DEFAULT_API_VERSION = '2025-04-01-preview';

export interface AzureEndpoint {
  api: 'chat_completions' | 'responses';
  /** Where `generate` posts. */
  generateUrl: string;
  /** True when the generate body names the deployment in `model` (Responses API, v1 API); false when the URL does. */
  modelInBody: boolean;
  /** The same for embeddings: only the v1 API names the deployment in the body. */
  embeddingsModelInBody: boolean;
  embeddingsUrl(deployment: string): string;
  /** The api-version sent, if any (the v1 API needs none). */
  apiVersion: string | undefined;
}

const ACCEPTED_FORMS =
  'https://NAME.openai.azure.com, …/openai/deployments/DEPLOYMENT[/chat/completions]?api-version=…, …/openai/responses?api-version=…, or …/openai/v1';

/**
 * @param configuredVersion `provider_options.api_version`; an `api-version` in the URL's query wins,
 *   as in Frigate, which reads it only from there.
 */
export function azureEndpoint(baseUrl: string, model: string, configuredVersion: string | undefined, providerName: string): AzureEndpoint {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new VigilError('config_invalid', `Provider ${providerName}: base_url is not a URL (expected ${ACCEPTED_FORMS})`, { cause: error });
  }
  const fromQuery = url.searchParams.get('api-version') ?? undefined;
  const requestedVersion = fromQuery !== undefined && fromQuery !== '' ? fromQuery : configuredVersion;
  const path = url.pathname.replace(/\/+$/, '');
  const origin = url.origin;
  const query = (version: string | undefined) => (version === undefined ? '' : `?api-version=${encodeURIComponent(version)}`);
  const deploymentUrl = (prefix: string, version: string) => (deployment: string, operation: string) =>
    `${origin}${prefix}/openai/deployments/${encodeURIComponent(deployment)}/${operation}${query(version)}`;

  const v1 = /^(.*)\/openai\/v1(\/responses|\/chat\/completions)?$/.exec(path);
  if (v1) {
    const root = `${origin}${v1[1] ?? ''}/openai/v1`;
    const responses = v1[2] === '/responses';
    return {
      api: responses ? 'responses' : 'chat_completions',
      generateUrl: `${root}/${responses ? 'responses' : 'chat/completions'}${query(requestedVersion)}`,
      modelInBody: true,
      embeddingsModelInBody: true,
      embeddingsUrl: () => `${root}/embeddings${query(requestedVersion)}`,
      apiVersion: requestedVersion,
    };
  }

  const responses = /^(.*)\/openai\/responses$/.exec(path);
  if (responses) {
    const prefix = responses[1] ?? '';
    const version = requestedVersion ?? AZURE_RESPONSES_DEFAULT_API_VERSION;
    const deployment = deploymentUrl(prefix, version);
    return {
      api: 'responses',
      generateUrl: `${origin}${prefix}/openai/responses${query(version)}`,
      modelInBody: true,
      embeddingsModelInBody: false,
      embeddingsUrl: (name) => deployment(name, 'embeddings'),
      apiVersion: version,
    };
  }

  const version = requestedVersion ?? AZURE_OPENAI_DEFAULT_API_VERSION;
  const deployments = /^(.*)\/openai\/deployments\/([^/]+)(?:\/chat\/completions)?$/.exec(path);
  if (deployments) {
    const deployment = deploymentUrl(deployments[1] ?? '', version);
    const name = decodeURIComponent(deployments[2] ?? model);
    return {
      api: 'chat_completions',
      generateUrl: deployment(name, 'chat/completions'),
      modelInBody: false,
      embeddingsModelInBody: false,
      embeddingsUrl: (embeddingDeployment) => deployment(embeddingDeployment, 'embeddings'),
      apiVersion: version,
    };
  }

  if (/\/openai\//.test(`${path}/`) && !/\/openai$/.test(path)) {
    // Something under /openai we do not know (e.g. a completions or embeddings URL): guessing would send requests nowhere useful.
    throw new VigilError('config_invalid', `Provider ${providerName}: base_url ${origin}${path} is not an Azure OpenAI form Vigil knows (expected ${ACCEPTED_FORMS})`);
  }
  const deployment = deploymentUrl(path.replace(/\/openai$/, ''), version);
  return {
    api: 'chat_completions',
    generateUrl: deployment(model, 'chat/completions'),
    modelInBody: false,
    embeddingsModelInBody: false,
    embeddingsUrl: (name) => deployment(name, 'embeddings'),
    apiVersion: version,
  };
}
