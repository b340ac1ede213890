import { z } from 'zod';

/**
 * The wire shape of POST /v1/chat/completions as Vigil reads it. Objects are loose: clients send
 * vendor extras (vLLM's `chat_template_kwargs`, `min_p`, OpenAI's newer knobs) and refusing every
 * field we do not know would break them for nothing. Fields that would change the answer in a way
 * we cannot honour are recognised here and refused in `openai-chat-request.ts` with a reason.
 */

const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  // Some clients send the URL bare instead of `{ url }`; both mean the same image.
  image_url: z.union([z.string(), z.looseObject({ url: z.string(), detail: nullish(z.string()) })], {
    error: 'expected { url: "data:image/...;base64,..." }',
  }),
});
// Recognised only to be refused with a reason (see the parser).
const audioPart = z.looseObject({ type: z.literal('input_audio') });
const filePart = z.looseObject({ type: z.literal('file') });

const partTypeError = (types: string) => `expected a content part of type ${types}`;

const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart], {
  error: partTypeError('"text" or "image_url"'),
});
const textOnlyPart = z.discriminatedUnion('type', [textPart], { error: partTypeError('"text"') });
const assistantPart = z.discriminatedUnion('type', [textPart, refusalPart], { error: partTypeError('"text" or "refusal"') });

const textContent = z.union([z.string(), z.array(textOnlyPart)], { error: 'expected a string or an array of text parts' });

const toolCall = z.looseObject({
  id: z.string().min(1, 'expected the id of the tool call'),
  type: z.string().default('function'),
  function: z.looseObject({ name: z.string().min(1, 'expected the name of the function'), arguments: z.string() }),
});

const systemMessage = z.looseObject({ role: z.literal('system'), content: textContent, name: nullish(z.string()) });
const developerMessage = z.looseObject({ role: z.literal('developer'), content: textContent, name: nullish(z.string()) });
const userMessage = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userPart)], { error: 'expected a string or an array of content parts' }),
  name: nullish(z.string()),
});
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: nullish(z.union([z.string(), z.array(assistantPart)], { error: 'expected a string, an array of text parts or null' })),
  refusal: nullish(z.string()),
  tool_calls: nullish(z.array(toolCall)),
  // The reasoning of an earlier answer, as DeepSeek, vLLM and llama.cpp return it (and OpenRouter as `reasoning`).
  reasoning_content: nullish(z.string()),
  reasoning: nullish(z.string()),
  function_call: z.unknown().optional(),
  name: nullish(z.string()),
});
const toolMessage = z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1, 'expected the id of the tool call this answers'), content: textContent });
// The legacy role of the `functions` API: recognised to be refused with a reason.
const functionMessage = z.looseObject({ role: z.literal('function') });

export const openAiMessageSchema = z.discriminatedUnion(
  'role',
  [systemMessage, developerMessage, userMessage, assistantMessage, toolMessage, functionMessage],
  { error: 'expected role "system", "developer", "user", "assistant" or "tool"' },
);

const functionTool = z.looseObject({
  type: z.string(),
  function: z
    .looseObject({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected a name of 1 to 64 letters, digits, "_" or "-"'),
      description: nullish(z.string()),
      parameters: nullish(z.record(z.string(), z.unknown())),
      strict: nullish(z.boolean()),
    })
    .optional(),
});

const toolChoice = z.union(
  [
    z.enum(['auto', 'none', 'required']),
    z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
    // `allowed_tools`, `custom`: recognised to be refused with a reason.
    z.looseObject({ type: z.string() }),
  ],
  { error: 'expected "auto", "none", "required" or { type: "function", function: { name } }' },
);

const positiveInt = z.number().int('expected a whole number').min(1, 'expected at least 1');

export const openAiChatRequestSchema = z.looseObject({
  model: z.string({ error: 'expected the model name' }).min(1, 'expected the model name').max(200, 'expected a model name of at most 200 characters'),
  messages: z.array(openAiMessageSchema, { error: 'expected an array of messages' }).min(1, 'expected at least one message'),
  tools: nullish(z.array(functionTool)),
  tool_choice: nullish(toolChoice),
  max_tokens: nullish(positiveInt),
  max_completion_tokens: nullish(positiveInt),
  stop: nullish(z.union([z.string(), z.array(z.string()).max(16, 'expected at most 16 stop sequences')], { error: 'expected a string or an array of strings' })),
  temperature: nullish(z.number().min(0, 'expected 0 to 2').max(2, 'expected 0 to 2')),
  top_p: nullish(z.number().min(0, 'expected 0 to 1').max(1, 'expected 0 to 1')),
  // Not OpenAI's, but vLLM's and llama.cpp's, and the neutral request has a place for it.
  top_k: nullish(positiveInt),
  stream: nullish(z.boolean()),
  stream_options: nullish(z.looseObject({ include_usage: nullish(z.boolean()) })),
  reasoning_effort: nullish(z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])),
  n: nullish(positiveInt),
  response_format: nullish(z.looseObject({ type: z.string() })),
  logprobs: nullish(z.boolean()),
  top_logprobs: nullish(z.number()),
  modalities: nullish(z.array(z.string())),
  audio: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
});

export type OpenAiChatRequestWire = z.output<typeof openAiChatRequestSchema>;
export type OpenAiMessageWire = z.output<typeof openAiMessageSchema>;
