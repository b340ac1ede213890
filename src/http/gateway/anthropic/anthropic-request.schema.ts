import { z } from 'zod';

/**
 * The wire shape of an Anthropic Messages API request body (POST /v1/messages and
 * /v1/messages/count_tokens), as far as the gateway reads it.
 *
 * Lenient where real clients send fields that change nothing a local model could honour: objects are
 * not strict, so `metadata`, `context_management`, `service_tier`, `cache_control`, `citations`,
 * `defer_loading`, `output_config.effort`, `container`, ... are accepted and dropped.
 * Strict where meaning would be lost: a block, source or tool the gateway cannot carry is refused
 * with a message that says what to send instead, never silently dropped.
 */

/** A variant that is recognised only to be refused with a message that helps. */
function refused<T extends string>(type: T, message: string) {
  return z.looseObject({ type: z.literal(type) }).superRefine((_value, ctx) => {
    ctx.addIssue({ code: 'custom', message });
  });
}

const nonEmpty = z.string().min(1, 'expected a non-empty string');
/** Model names are routed, accounted and shown: real ones are short. */
const modelName = z.string().min(1, 'expected the model name').max(200, 'expected a model name of at most 200 characters');

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;

/** Base64 without a `data:` prefix or line breaks; a bad one is the client's mistake, said before a backend chokes on it. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const base64ImageSource = z.object({
  type: z.literal('base64'),
  media_type: z.enum(IMAGE_MEDIA_TYPES, { error: `expected one of ${IMAGE_MEDIA_TYPES.join(', ')}` }),
  data: nonEmpty.regex(BASE64, 'expected base64 image bytes (no "data:" prefix, no line breaks)'),
});

const SEND_BASE64_IMAGE = 'send the image bytes inline instead: source {"type": "base64", "media_type": "image/png", "data": "..."}';

const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion(
    'type',
    [
      base64ImageSource,
      refused('url', `image URLs are not fetched by this gateway; ${SEND_BASE64_IMAGE}`),
      refused('file', `the Files API is not available on this gateway; ${SEND_BASE64_IMAGE}`),
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? `expected an image source of type base64; ${SEND_BASE64_IMAGE}` : undefined) },
  ),
});

const textBlock = z.object({ type: z.literal('text'), text: z.string() });

const documentRefused = refused(
  'document',
  'document blocks (PDF, plain-text or file documents) are not supported by this gateway; send the document\'s text as a text block, or its pages as base64 images',
);

/** Search results carry text a model can read; they become text (title, source, then the content). */
const searchResultBlock = z.object({
  type: z.literal('search_result'),
  title: z.string(),
  source: z.string(),
  content: z.array(textBlock),
});

/** What Claude Code's ToolSearch answers with: the name of a tool that may now be called. */
const toolReferenceBlock = z.object({ type: z.literal('tool_reference'), tool_name: nonEmpty });

const toolResultContentBlock = z.discriminatedUnion('type', [textBlock, imageBlock, searchResultBlock, toolReferenceBlock, documentRefused], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected a tool_result content block of type text, image, search_result or tool_reference' : undefined),
});

/** A string is shorthand for one text block, in message content and tool results alike. */
function stringOrBlocks<T extends z.ZodType>(block: T, what: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? [{ type: 'text', text: value }] : value),
    z.array(block, { error: `expected a string or an array of ${what}` }),
  );
}

const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: nonEmpty,
  content: stringOrBlocks(toolResultContentBlock, 'content blocks').optional(),
  is_error: z.boolean().optional(),
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: nonEmpty,
  name: nonEmpty,
  input: z.record(z.string(), z.unknown(), { error: 'expected the tool input as a JSON object' }),
});

/** The signature is Anthropic's proof that Claude wrote the block; no local model can check it, so it is not read. */
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string() });
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

const SERVER_TOOL_BLOCKS = [
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
] as const;

const serverToolBlocksRefused = SERVER_TOOL_BLOCKS.map((type) =>
  refused(type, `"${type}" blocks belong to Anthropic's server tools, which this gateway cannot run; send the result as text instead`),
);

const contentBlock = z.discriminatedUnion(
  'type',
  [
    textBlock,
    imageBlock,
    toolUseBlock,
    toolResultBlock,
    thinkingBlock,
    redactedThinkingBlock,
    searchResultBlock,
    documentRefused,
    refused('container_upload', 'container uploads need Anthropic\'s code execution, which this gateway cannot run'),
    ...serverToolBlocksRefused,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'expected a content block of type text, image, tool_use, tool_result, thinking, redacted_thinking or search_result'
        : undefined,
  },
);

export const messageSchema = z.object({
  role: z.enum(['user', 'assistant', 'system'], { error: 'expected "user", "assistant" or "system"' }),
  content: stringOrBlocks(contentBlock, 'content blocks'),
});

const systemSchema = stringOrBlocks(textBlock, 'text blocks');

const customTool = z.object({
  type: z.literal('custom').optional(),
  name: nonEmpty,
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown(), { error: 'expected a JSON Schema object' }),
});

/**
 * A tool with a `type` other than "custom" is one of Anthropic's own tools (web_search_20250305,
 * bash_20250124, text_editor_..., code_execution_...): Anthropic runs them or defines their schema,
 * and a local model knows neither.
 */
const tool = z
  .looseObject({ type: z.string().optional() })
  .superRefine((value, ctx) => {
    if (value.type === undefined || value.type === 'custom') return;
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `"${value.type.slice(0, 80)}" is one of Anthropic's server tools, which this gateway cannot run; declare a custom tool (name, description, input_schema) and run it in the client instead`,
    });
  })
  .pipe(customTool);

// disable_parallel_tool_use is read and ignored: local backends have no such switch. A client that
// set it may see more than one tool_use block in an answer, which every Messages client must handle.
const toolChoice = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('auto') }),
    z.object({ type: z.literal('any') }),
    z.object({ type: z.literal('none') }),
    z.object({ type: z.literal('tool'), name: nonEmpty }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'expected a tool_choice of type auto, any, tool or none' : undefined) },
);

const thinkingDisplay = z.enum(['summarized', 'omitted']).nullish();

// budget_tokens is accepted but not passed on: local backends switch reasoning on or off, they take no budget.
const thinking = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1).optional(), display: thinkingDisplay }),
    z.object({ type: z.literal('adaptive'), display: thinkingDisplay }),
    z.object({ type: z.literal('between_tools') }),
    z.object({ type: z.literal('disabled') }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'expected thinking of type enabled, adaptive, between_tools or disabled' : undefined) },
);

const STRUCTURED_OUTPUT_REFUSED =
  'structured outputs (a JSON schema the answer must follow) are not supported by this gateway; describe the JSON you want in the prompt instead';

/** Effort is a hint a local backend cannot take; a `format` would be a promise we could not keep. */
const outputConfig = z.looseObject({}).superRefine((value, ctx) => {
  if (value.format !== undefined && value.format !== null) ctx.addIssue({ code: 'custom', path: ['format'], message: STRUCTURED_OUTPUT_REFUSED });
});

const unitInterval = z.number().min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1');

/** The fields /v1/messages and /v1/messages/count_tokens share. */
export const countTokensBodySchema = z
  .object({
    model: modelName,
    messages: z.array(messageSchema, { error: 'expected an array of messages' }),
    system: systemSchema.optional(),
    tools: z.array(tool, { error: 'expected an array of tools' }).optional(),
    tool_choice: toolChoice.optional(),
    thinking: thinking.optional(),
    output_config: outputConfig.optional(),
    // The beta structured-outputs field and the remote MCP connector: both change what the answer must be.
    output_format: z.unknown().optional(),
    mcp_servers: z.array(z.unknown()).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.output_format !== undefined && body.output_format !== null) ctx.addIssue({ code: 'custom', path: ['output_format'], message: STRUCTURED_OUTPUT_REFUSED });
    if (body.mcp_servers !== undefined && body.mcp_servers.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['mcp_servers'],
        message: 'remote MCP servers are not connected by this gateway; run the MCP client yourself and pass its tools as custom tools',
      });
    }
  });

export const messagesBodySchema = countTokensBodySchema.safeExtend({
  max_tokens: z.number({ error: 'expected a whole number of at least 1' }).int('expected a whole number of at least 1').min(1, 'expected a whole number of at least 1'),
  stream: z.boolean().optional(),
  stop_sequences: z.array(nonEmpty, { error: 'expected an array of strings' }).optional(),
  temperature: unitInterval.optional(),
  top_p: unitInterval.optional(),
  top_k: z.number().int('expected a whole number').min(0, 'expected a whole number of at least 0').optional(),
});

export type MessagesBodyWire = z.output<typeof messagesBodySchema>;
export type CountTokensBodyWire = z.output<typeof countTokensBodySchema>;
export type MessageWire = z.output<typeof messageSchema>;
export type ContentBlockWire = MessageWire['content'][number];
export type ToolWire = z.output<typeof customTool>;
