/**
 * The gateway's backend for OpenAI-compatible servers (LM Studio, llama.cpp, vLLM, Ollama's /v1,
 * OpenAI itself) and Azure OpenAI deployments: POST {base_url}/chat/completions with
 * `stream: true, stream_options: {include_usage: true}`, answered as server-sent events:
 *
 *   data: {"choices":[{"index":0,"delta":{"content"|"reasoning_content"|"reasoning"|"tool_calls"},"finish_reason"}]}
 *   data: {"choices":[],"usage":{"prompt_tokens","completion_tokens"}}     (the include_usage chunk)
 *   data: [DONE]
 *
 * Tool calls stream as fragments keyed by `index`: the first names the call (id, function.name), the
 * rest carry pieces of the arguments JSON. Reasoning arrives as `reasoning_content` (DeepSeek,
 * llama.cpp) or `reasoning` (vLLM, Ollama), or inline as <think> tags in the content. Nothing asks
 * a compatible server for reasoning, as there is no common parameter; provider_options can add
 * one (e.g. reasoning_effort). Azure: the resource and deployment forms of azure-endpoint.ts; its
 * Responses API form is refused, as the gateway streams chat completions.
 */
import { z } from 'zod';
import type { ChatBlock, ChatImage, ChatMessage, ChatRequest, ChatStopReason, ChatStreamEvent, ChatTool, ChatToolChoice } from '../../../domain/chat/chat-types.ts';
import { createThinkTagSplitter } from '../../../domain/chat/think-tags.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { ChatBackend } from '../../../ports/chat-backend.ts';
import type { ProviderKind, ProviderSettings } from '../../../ports/llm-provider.ts';
import { badOutput, imagesOf, joinedText, newToolCallId, parseJsonLine, splitEvents, streamFailure, tooLong, toolResultText } from '../http/chat-stream-common.ts';
import { postStream } from '../http/post-stream.ts';
import { isRecord, joinUrl, mergeProviderOptions } from '../http/provider-http.ts';
import { sseEvents } from '../http/stream-lines.ts';
import { azureEndpoint } from './azure-endpoint.ts';
import { ADAPTER_OPTIONS, OPENAI_DEFAULT_BASE_URL, isOfficialOpenAi, stringOption } from './openai-provider.ts';

const RESERVED_KEYS = ['model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'n', 'max_tokens', 'max_completion_tokens', ...ADAPTER_OPTIONS];

export interface ChatCompletionsWire {
  kind: ProviderKind;
  url: string;
  headers: Record<string, string>;
  /** Azure deployment URLs pick the model; everything else names it in the body. */
  modelInBody: boolean;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** top_k is an extension of compatible servers; OpenAI and Azure reject unknown parameters. */
  topK: boolean;
}

export function createOpenAiChatBackend(settings: ProviderSettings): ChatBackend {
  const baseUrl = settings.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  const official = isOfficialOpenAi(baseUrl);
  const configured = settings.providerOptions['max_tokens_field'];
  return createChatCompletionsBackend(settings, {
    kind: 'openai',
    url: joinUrl(baseUrl, 'chat/completions'),
    headers: settings.apiKey === undefined || settings.apiKey === '' ? {} : { authorization: `Bearer ${settings.apiKey}` },
    modelInBody: true,
    // Same rule as the generate adapter: OpenAI deprecated max_tokens, many compatible servers only know it.
    maxTokensField: configured === 'max_tokens' || configured === 'max_completion_tokens' ? configured : official ? 'max_completion_tokens' : 'max_tokens',
    topK: !official,
  });
}

export function createAzureOpenAiChatBackend(settings: ProviderSettings): ChatBackend {
  if (settings.baseUrl === undefined || settings.baseUrl === '') {
    throw new VigilError('config_invalid', `Provider ${settings.name}: Azure OpenAI needs base_url, the resource endpoint (https://<resource>.openai.azure.com)`);
  }
  const version = stringOption(settings, 'api_version') ?? stringOption(settings, 'api-version');
  const endpoint = azureEndpoint(settings.baseUrl, settings.model, version, settings.name);
  if (endpoint.api !== 'chat_completions') {
    throw new VigilError(
      'config_invalid',
      `Provider ${settings.name}: the gateway streams Chat Completions, and base_url points at Azure's Responses API; use the resource URL or a deployment URL instead`,
    );
  }
  return createChatCompletionsBackend(settings, {
    kind: 'azure_openai',
    url: endpoint.generateUrl,
    headers: settings.apiKey === undefined || settings.apiKey === '' ? {} : { 'api-key': settings.apiKey },
    modelInBody: endpoint.modelInBody,
    maxTokensField: 'max_completion_tokens',
    topK: false,
  });
}

export function createChatCompletionsBackend(settings: ProviderSettings, wire: ChatCompletionsWire): ChatBackend {
  const providerName = settings.name;
  const secrets = [settings.apiKey];
  return {
    name: providerName,
    kind: wire.kind,
    model: settings.model,
    capabilities: { forcedToolChoice: true },
    async *chat(request, options) {
      const model = request.model === '' ? settings.model : request.model;
      const body = mergeProviderOptions(chatCompletionsBody(request, model, wire), settings.providerOptions, RESERVED_KEYS);
      const response = await postStream(wire.url, body, {
        headers: { accept: 'text/event-stream', ...wire.headers },
        timeoutMs: settings.timeoutMs,
        signal: options.signal,
        providerName,
        secrets,
      });
      yield* chatCompletionEvents(sseEvents(response.chunks, tooLong(providerName)), providerName, secrets);
    },
  };
}

export function chatCompletionsBody(request: ChatRequest, model: string, wire: Pick<ChatCompletionsWire, 'modelInBody' | 'maxTokensField' | 'topK'>): Record<string, unknown> {
  const tools = request.tools ?? [];
  return {
    ...(wire.modelInBody ? { model } : {}),
    messages: openAiMessages(request),
    stream: true,
    stream_options: { include_usage: true },
    [wire.maxTokensField]: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { top_p: request.topP }),
    ...(request.topK === undefined || !wire.topK ? {} : { top_k: request.topK }),
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { stop: request.stop }),
    ...(tools.length === 0 ? {} : { tools: tools.map(openAiTool) }),
    ...(tools.length === 0 || request.toolChoice === undefined ? {} : { tool_choice: openAiToolChoice(request.toolChoice) }),
  };
}

function openAiTool(tool: ChatTool): Record<string, unknown> {
  return { type: 'function', function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.inputSchema } };
}

function openAiToolChoice(choice: ChatToolChoice): unknown {
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  return choice.type;
}

function openAiMessages(request: ChatRequest): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (request.system !== undefined && request.system !== '') out.push({ role: 'system', content: request.system });
  for (const message of request.messages) out.push(...(message.role === 'assistant' ? [assistantMessage(message)] : userMessages(message.content)));
  return out;
}

/** Reasoning of earlier turns is not sent back: the protocol has no place for it, and servers drop it anyway. */
function assistantMessage(message: ChatMessage): Record<string, unknown> {
  const text = joinedText(message.content);
  const calls = message.content.flatMap((block) =>
    block.type === 'tool_use' ? [{ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } }] : [],
  );
  if (calls.length === 0) return { role: 'assistant', content: text };
  return { role: 'assistant', content: text === '' ? null : text, tool_calls: calls };
}

/**
 * Tool results become `tool` messages right after the assistant's calls, as the protocol requires. A
 * tool message holds text only, so images a tool returned go into the user message that follows.
 */
function userMessages(blocks: readonly ChatBlock[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const images: ChatImage[] = [];
  for (const block of blocks) {
    if (block.type !== 'tool_result') continue;
    out.push({ role: 'tool', tool_call_id: block.toolUseId, content: toolResultText(block) });
    images.push(...imagesOf(block.content));
  }
  const text = joinedText(blocks);
  images.push(...imagesOf(blocks));
  if (images.length > 0) {
    const parts: Record<string, unknown>[] = text === '' ? [] : [{ type: 'text', text }];
    for (const image of images) parts.push({ type: 'image_url', image_url: { url: `data:${image.mediaType};base64,${image.data}` } });
    out.push({ role: 'user', content: parts });
  } else if (text !== '' || out.length === 0) {
    out.push({ role: 'user', content: text });
  }
  return out;
}

const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        delta: z
          .object({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative().optional(),
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z.object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() }).nullish(),
});

interface CallState {
  index: number | undefined;
  id: string | undefined;
  name: string | undefined;
  /** Argument fragments that came before the call's name. */
  pending: string;
}

async function* chatCompletionEvents(
  events: AsyncIterable<{ event?: string | undefined; data: string }>,
  providerName: string,
  secrets: readonly (string | undefined)[],
): AsyncGenerator<ChatStreamEvent> {
  const splitter = createThinkTagSplitter();
  const calls = new Map<number, CallState>();
  /** Keys for servers that leave out `index` (each whole call then comes with its own id). */
  let unindexed = -1;
  let started = 0;
  let finish: string | undefined;
  let usage = { inputTokens: 0, outputTokens: 0 };
  let done = false;

  for await (const event of events) {
    if (event.data.trim() === '[DONE]') {
      done = true;
      break;
    }
    const json = parseJsonLine(providerName, event.data);
    if (event.event === 'error' || (isRecord(json) && json['error'] !== undefined)) throw streamFailure(providerName, json, secrets);
    const parsed = chunkSchema.safeParse(json);
    if (!parsed.success) throw badOutput(providerName, 'an event is not a chat.completion.chunk', [parsed.error.issues[0]?.message ?? '']);
    const chunk = parsed.data;
    if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (choice === undefined) continue;
    const delta = choice.delta;
    const reasoning = delta?.reasoning_content || delta?.reasoning;
    if (reasoning) yield { type: 'thinking', text: reasoning };
    if (delta?.content) yield* splitEvents(splitter.push(delta.content));
    for (const fragment of delta?.tool_calls ?? []) {
      // Without an index, a fragment with a new id is a new call (Gemini's compatible API sends parallel calls so).
      let key = fragment.index;
      if (key === undefined || key === null) {
        const current = calls.get(unindexed);
        if (current === undefined || (fragment.id && current.id !== undefined && fragment.id !== current.id)) unindexed -= 1;
        key = unindexed;
      }
      const state = calls.get(key) ?? { index: undefined, id: undefined, name: undefined, pending: '' };
      calls.set(key, state);
      state.id ??= fragment.id ?? undefined;
      state.name ??= fragment.function?.name || undefined;
      const args = fragment.function?.arguments ?? '';
      if (state.index === undefined && state.name !== undefined) {
        state.index = started;
        started += 1;
        yield { type: 'tool_call_start', index: state.index, id: state.id ?? newToolCallId(), name: state.name };
        if (state.pending !== '') yield { type: 'tool_call_delta', index: state.index, argumentsJson: state.pending };
      }
      if (state.index === undefined) state.pending += args;
      else if (args !== '') yield { type: 'tool_call_delta', index: state.index, argumentsJson: args };
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }

  // Some servers end the body after the finish_reason (and usage) without [DONE]; a body with neither was cut off.
  if (!done && finish === undefined) throw badOutput(providerName, 'the stream ended before a finish_reason or [DONE]');
  if ([...calls.values()].some((state) => state.index === undefined)) throw badOutput(providerName, 'a tool call never named its function');
  yield* splitEvents(splitter.flush());
  yield { type: 'end', stopReason: stopReasonOf(finish, started > 0), usage };
}

function stopReasonOf(finish: string | undefined, calledTools: boolean): ChatStopReason {
  if (finish === 'length') return 'max_tokens';
  // Several servers report "stop" after tool calls; the calls are what the client must act on.
  if (finish === 'tool_calls' || finish === 'function_call' || calledTools) return 'tool_use';
  // content_filter: the answer ends where the filter cut it; the neutral shape has no refusal reason.
  return 'end_turn';
}
