/**
 * Anthropic's Messages API (`POST /v1/messages`, anthropic-version 2023-06-01) as far as Vigil
 * speaks it: the request body and a loose zod schema of the answer.
 *
 * JSON output. Two ways exist, chosen by provider_options `json_output`:
 *   'tool' (default)   one tool whose input_schema is the requested schema, forced with
 *                      tool_choice {type: 'tool'}; the answer is that tool_use block's input.
 *                      Works on every Claude model with tool use.
 *   'output_config'    native structured outputs, `output_config: {format: {type: 'json_schema',
 *                      schema}}`; the answer is the text block. Constrained decoding, but only
 *                      on the models Anthropic lists for it, and the schema must follow its rules
 *                      (e.g. additionalProperties: false on every object).
 * Forced tool use cannot be combined with extended thinking; use 'output_config' for that.
 */
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import type { GenerateRequest } from '../../../ports/llm-provider.ts';
import { toBase64 } from '../http/provider-http.ts';

export const ANTHROPIC_VERSION = '2023-06-01';
/** max_tokens is required by the API; used when neither the request nor provider_options set it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;
/** The provider_options key that picks the JSON technique; read by the adapter, never sent. */
export const JSON_OUTPUT_OPTION = 'json_output';

/**
 * Keys of provider_options the adapter owns. `stream` is reserved because this client reads
 * one JSON answer, not server-sent events.
 */
export const ANTHROPIC_RESERVED_OPTIONS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'stream', JSON_OUTPUT_OPTION] as const;

export type JsonOutputMode = 'tool' | 'output_config';

export function jsonOutputMode(providerOptions: Record<string, unknown>): JsonOutputMode {
  const value = providerOptions[JSON_OUTPUT_OPTION];
  if (value === undefined || value === 'tool') return 'tool';
  if (value === 'output_config') return 'output_config';
  throw new VigilError(
    'invalid_argument',
    `provider_options.${JSON_OUTPUT_OPTION} must be 'tool' or 'output_config', not ${JSON.stringify(value)}`,
  );
}

/** How the JSON answer was asked for, so the response can be read the same way. */
export interface JsonPlan {
  mode: JsonOutputMode;
  toolName: string;
  /** The tool's input_schema must be an object; other schemas are wrapped in {value: ...}. */
  wrapped: boolean;
}

export function buildMessagesBody(
  request: GenerateRequest,
  mode: JsonOutputMode,
): { body: Record<string, unknown>; json: JsonPlan | undefined } {
  // Anthropic's vision guide recommends images before the text that asks about them.
  const content: Record<string, unknown>[] = [
    ...(request.images ?? []).map((image) => ({
      type: 'image',
      source: { type: 'base64', media_type: image.mimeType, data: toBase64(image.data) },
    })),
    { type: 'text', text: request.prompt },
  ];
  const body: Record<string, unknown> = { messages: [{ role: 'user', content }] };
  if (request.system !== undefined && request.system !== '') body['system'] = request.system;
  if (request.maxOutputTokens !== undefined) body['max_tokens'] = request.maxOutputTokens;
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.jsonSchema === undefined) return { body, json: undefined };

  const toolName = toolNameFor(request.jsonSchema.name);
  if (mode === 'output_config') {
    body['output_config'] = { format: { type: 'json_schema', schema: request.jsonSchema.schema } };
    return { body, json: { mode, toolName, wrapped: false } };
  }
  const schema = request.jsonSchema.schema;
  const wrapped = schema['type'] !== 'object';
  body['tools'] = [
    {
      name: toolName,
      description: 'Record the answer. Call this tool exactly once with the complete answer in the required structure.',
      input_schema: wrapped ? { type: 'object', properties: { value: schema }, required: ['value'] } : schema,
    },
  ];
  body['tool_choice'] = { type: 'tool', name: toolName };
  return { body, json: { mode, toolName, wrapped } };
}

/** Tool names must match ^[a-zA-Z0-9_-]{1,64}$. */
export function toolNameFor(schemaName: string): string {
  const cleaned = schemaName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'answer' : cleaned;
}

const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
});

export const messagesResponseSchema = z.looseObject({
  model: z.string().optional(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullable().optional(),
  usage: z
    .looseObject({
      input_tokens: z.number().optional(),
      output_tokens: z.number().optional(),
    })
    .optional(),
});
export type AnthropicMessagesResponse = z.output<typeof messagesResponseSchema>;
