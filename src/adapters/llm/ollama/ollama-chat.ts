/**
 * The gateway's backend for Ollama's native API: POST {base_url}/api/chat with `stream: true`,
 * answered as newline-delimited JSON (docs.ollama.com/api, "Generate a chat message"):
 *
 *   request   messages [{role: system|user|assistant|tool, content, images?: [base64], thinking?,
 *             tool_calls?: [{function: {name, arguments: {…}}}], tool_name?}], tools [{type: 'function',
 *             function: {name, description, parameters}}], think, options {num_predict, temperature,
 *             top_p, top_k, stop}, keep_alive
 *   stream    {message: {content?, thinking?, tool_calls?}, done: false} … then
 *             {done: true, done_reason: stop|length, prompt_eval_count, eval_count};
 *             a failure after the headers comes as a line {"error": "…"}
 *
 * provider_options are merged in as the generate adapter does (keep_alive, options.num_ctx …). The
 * gateway never sets num_ctx from a request: Ollama reloads the model whenever it changes, so the one
 * configured value is what goes out. Ollama has no tool_choice: forcing a tool is not offered, and
 * "none" is served by not sending the tools.
 */
import type { ChatBlock, ChatMessage, ChatRequest, ChatStreamEvent, ChatTool } from '../../../domain/chat/chat-types.ts';
import { createThinkTagSplitter } from '../../../domain/chat/think-tags.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { ChatBackend } from '../../../ports/chat-backend.ts';
import type { ProviderSettings } from '../../../ports/llm-provider.ts';
import { z } from 'zod';
import {
  badOutput,
  imagesOf,
  joinedText,
  newToolCallId,
  parseJsonLine,
  splitEvents,
  streamFailure,
  tooLong,
  toolNamesById,
  toolResultText,
} from '../http/chat-stream-common.ts';
import { postStream } from '../http/post-stream.ts';
import { isRecord, joinUrl, mergeProviderOptions } from '../http/provider-http.ts';
import { textLines } from '../http/stream-lines.ts';
import { OLLAMA_DEFAULT_BASE_URL } from './ollama-provider.ts';

/** Body keys the backend owns; provider_options cannot override them. */
const RESERVED_KEYS = ['model', 'messages', 'stream', 'tools', 'format', 'images', 'prompt', 'system', 'raw', 'template'];

const chunkSchema = z.object({
  message: z
    .object({
      content: z.string().nullish(),
      thinking: z.string().nullish(),
      tool_calls: z
        .array(
          z.object({
            id: z.string().optional(),
            function: z.object({
              name: z.string().min(1),
              // Ollama sends an object; some proxies in front of it pass OpenAI's JSON string through.
              arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
            }),
          }),
        )
        .nullish(),
    })
    .nullish(),
  done: z.boolean().optional(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().int().nonnegative().nullish(),
  eval_count: z.number().int().nonnegative().nullish(),
});

export function createOllamaChatBackend(settings: ProviderSettings): ChatBackend {
  const providerName = settings.name;
  const url = joinUrl(settings.baseUrl ?? OLLAMA_DEFAULT_BASE_URL, '/api/chat');
  const headers: Record<string, string> = {
    accept: 'application/x-ndjson',
    ...(settings.apiKey === undefined || settings.apiKey === '' ? {} : { authorization: `Bearer ${settings.apiKey}` }),
  };
  const secrets = [settings.apiKey];
  /** Models that answered "does not support thinking": asked again without `think`, and from then on never with it. */
  const noThinking = new Set<string>();

  const open = async (request: ChatRequest, signal: AbortSignal) => {
    const model = request.model === '' ? settings.model : request.model;
    const send = (think: boolean) =>
      postStream(url, mergeProviderOptions(ollamaChatBody(request, model, think), settings.providerOptions, RESERVED_KEYS), {
        headers,
        timeoutMs: settings.timeoutMs,
        signal,
        providerName,
        secrets,
      });
    const think = request.thinking === true && !noThinking.has(model);
    try {
      return await send(think);
    } catch (error) {
      // Clients such as Claude Code ask for thinking on every turn; a model without it should still answer.
      if (!think || !(error instanceof VigilError) || error.code !== 'provider_bad_request' || !/does not support thinking/i.test(error.message)) throw error;
      noThinking.add(model);
      return send(false);
    }
  };

  return {
    name: providerName,
    kind: 'ollama',
    model: settings.model,
    capabilities: { forcedToolChoice: false },
    async *chat(request, options) {
      const response = await open(request, options.signal);
      yield* ollamaEvents(textLines(response.chunks, tooLong(providerName)), providerName, secrets);
    },
  };
}

export function ollamaChatBody(request: ChatRequest, model: string, think: boolean): Record<string, unknown> {
  const options: Record<string, unknown> = { num_predict: request.maxTokens };
  if (request.temperature !== undefined) options['temperature'] = request.temperature;
  if (request.topP !== undefined) options['top_p'] = request.topP;
  if (request.topK !== undefined) options['top_k'] = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) options['stop'] = request.stop;
  const sendTools = request.tools !== undefined && request.tools.length > 0 && request.toolChoice?.type !== 'none';
  return {
    model,
    messages: ollamaMessages(request),
    stream: true,
    ...(sendTools ? { tools: request.tools?.map(ollamaTool) } : {}),
    ...(think ? { think: true } : {}),
    options,
  };
}

function ollamaTool(tool: ChatTool): Record<string, unknown> {
  return { type: 'function', function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.inputSchema } };
}

function ollamaMessages(request: ChatRequest): Record<string, unknown>[] {
  const toolNames = toolNamesById(request.messages);
  const out: Record<string, unknown>[] = [];
  if (request.system !== undefined && request.system !== '') out.push({ role: 'system', content: request.system });
  for (const message of request.messages) out.push(...(message.role === 'assistant' ? [assistantMessage(message)] : userMessages(message.content, toolNames)));
  return out;
}

function assistantMessage(message: ChatMessage): Record<string, unknown> {
  const thinking = joinedText(message.content, 'thinking');
  const calls = message.content.flatMap((block) => (block.type === 'tool_use' ? [{ function: { name: block.name, arguments: block.input } }] : []));
  return {
    role: 'assistant',
    content: joinedText(message.content),
    ...(thinking === '' ? {} : { thinking }),
    ...(calls.length === 0 ? {} : { tool_calls: calls }),
  };
}

/** Tool results become `tool` messages ahead of the user's own words, answering the calls they follow. */
function userMessages(blocks: readonly ChatBlock[], toolNames: Map<string, string>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const block of blocks) {
    if (block.type !== 'tool_result') continue;
    const name = toolNames.get(block.toolUseId);
    const images = imagesOf(block.content);
    out.push({
      role: 'tool',
      content: toolResultText(block),
      ...(name === undefined ? {} : { tool_name: name }),
      ...(images.length === 0 ? {} : { images: images.map((image) => image.data) }),
    });
  }
  const text = joinedText(blocks);
  const images = imagesOf(blocks);
  if (text !== '' || images.length > 0 || out.length === 0) {
    out.push({ role: 'user', content: text, ...(images.length === 0 ? {} : { images: images.map((image) => image.data) }) });
  }
  return out;
}

async function* ollamaEvents(lines: AsyncIterable<string>, providerName: string, secrets: readonly (string | undefined)[]): AsyncGenerator<ChatStreamEvent> {
  const splitter = createThinkTagSplitter();
  let toolCalls = 0;
  for await (const line of lines) {
    const json = parseJsonLine(providerName, line);
    if (isRecord(json) && json['error'] !== undefined) throw streamFailure(providerName, json, secrets);
    const parsed = chunkSchema.safeParse(json);
    if (!parsed.success) throw badOutput(providerName, 'a line is not an Ollama chat chunk', [parsed.error.issues[0]?.message ?? '']);
    const chunk = parsed.data;
    const message = chunk.message;
    if (message?.thinking) yield { type: 'thinking', text: message.thinking };
    if (message?.content) yield* splitEvents(splitter.push(message.content));
    for (const call of message?.tool_calls ?? []) {
      const index = toolCalls;
      toolCalls += 1;
      const args = call.function.arguments;
      yield { type: 'tool_call_start', index, id: call.id ?? newToolCallId(), name: call.function.name };
      yield { type: 'tool_call_delta', index, argumentsJson: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
    }
    if (chunk.done === true) {
      yield* splitEvents(splitter.flush());
      const stopReason = chunk.done_reason === 'length' ? 'max_tokens' : toolCalls > 0 ? 'tool_use' : 'end_turn';
      yield { type: 'end', stopReason, usage: { inputTokens: chunk.prompt_eval_count ?? 0, outputTokens: chunk.eval_count ?? 0 } };
      return;
    }
  }
  throw badOutput(providerName, 'the stream ended before its "done" line');
}
