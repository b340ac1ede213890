/**
 * Azure OpenAI's routing in front of the fake LLM server: a reply script that answers only what
 * Azure would answer, so a client that builds the wrong URL fails the way it would against Azure.
 *
 *   POST /openai/deployments/{deployment}/chat/completions?api-version=V   Chat Completions
 *   POST /openai/deployments/{deployment}/embeddings?api-version=V         Embeddings
 *   POST /openai/responses?api-version=V   { model: <deployment>, input }  Responses API
 *   POST /openai/v1/{chat/completions|responses|embeddings}                 the v1 API (api-version optional)
 *
 * Without `api-key` Azure answers 401; an unknown path, a missing api-version, or a deployment
 * that does not exist answers 404 with its error bodies; each reply is what `answers` gives for
 * the operation.
 */
import type { RecordedRequest, ScriptedReply } from './fake-llm-server.ts';

export type AzureOperation = 'chat' | 'responses' | 'embeddings';

export interface AzureRoute {
  operation: AzureOperation;
  deployment: string;
  apiVersion: string | undefined;
}

export function azureOpenAiRoutes(options: {
  apiKey: string;
  deployments: readonly string[];
  answers: Partial<Record<AzureOperation, (route: AzureRoute, request: RecordedRequest) => ScriptedReply>>;
}): (request: RecordedRequest) => ScriptedReply {
  return (request) => {
    if (request.headers['api-key'] !== options.apiKey) {
      return { status: 401, json: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } } };
    }
    const route = routeOf(request);
    if (route === undefined) return { status: 404, json: { error: { code: '404', message: 'Resource not found' } } };
    if (!options.deployments.includes(route.deployment)) {
      return { status: 404, json: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.' } } };
    }
    const answer = options.answers[route.operation];
    if (answer === undefined) return { status: 500, json: { error: `fake-azure-openai: no answer scripted for ${route.operation}` } };
    return answer(route, request);
  };
}

function routeOf(request: RecordedRequest): AzureRoute | undefined {
  const apiVersion = request.query.get('api-version') ?? undefined;
  const body = (request.json ?? {}) as { model?: unknown };
  const model = typeof body.model === 'string' ? body.model : undefined;
  const v1 = /^\/openai\/v1\/(chat\/completions|responses|embeddings)$/.exec(request.path);
  if (v1) {
    if (model === undefined) return undefined;
    const operation = v1[1] === 'chat/completions' ? 'chat' : (v1[1] as AzureOperation);
    return { operation, deployment: model, apiVersion };
  }
  // The dated API versions need api-version on every call.
  if (apiVersion === undefined) return undefined;
  if (request.path === '/openai/responses') return model === undefined ? undefined : { operation: 'responses', deployment: model, apiVersion };
  const deployment = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(request.path);
  if (!deployment?.[1]) return undefined;
  return { operation: deployment[2] === 'embeddings' ? 'embeddings' : 'chat', deployment: decodeURIComponent(deployment[1]), apiVersion };
}

/** A completed Responses API answer as Azure sends it for a reasoning model (reasoning item first, then the message). */
export function azureResponsesAnswer(text: string, model = 'gpt-5-mini-2025-08-07'): ScriptedReply {
  return {
    json: {
      id: 'resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b',
      object: 'response',
      created_at: 1756315696,
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      model,
      output: [
        { id: 'rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b', type: 'reasoning', summary: [] },
        {
          id: 'msg_68af40337e58819392e935fb404414d005438e46b5f69a3b',
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
          role: 'assistant',
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: 'medium', summary: null },
      store: false,
      temperature: 1.0,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_p: 1.0,
      truncation: 'disabled',
      usage: { input_tokens: 1029, input_tokens_details: { cached_tokens: 0 }, output_tokens: 285, output_tokens_details: { reasoning_tokens: 256 }, total_tokens: 1314 },
      user: null,
      metadata: {},
    },
  };
}

export function azureChatAnswer(text: string, model = 'gpt-4o-2024-11-20'): ScriptedReply {
  return {
    json: {
      id: 'chatcmpl-az',
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', content_filter_results: {} }],
      prompt_filter_results: [],
      usage: { prompt_tokens: 812, completion_tokens: 9, total_tokens: 821 },
    },
  };
}
