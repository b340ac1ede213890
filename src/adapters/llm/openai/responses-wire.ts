/**
 * The Responses API wire format (OpenAI's `POST /responses`, Azure's `POST /openai/responses`),
 * as far as Vigil uses it: one user message of `input_text` and `input_image` parts, the system
 * prompt as `instructions`, structured output through `text.format`, and the answer read from
 * the `output_text` parts of the `message` items in `output` (reasoning items are skipped).
 */
import { z } from 'zod';
import type { GenerateRequest } from '../../../ports/llm-provider.ts';
import { dataUrl, schemaName } from './openai-wire.ts';

const contentPartSchema = z.union([
  z.object({ type: z.literal('output_text'), text: z.string() }),
  z.object({ type: z.literal('refusal'), refusal: z.string() }),
  z.object({ type: z.string() }),
]);

export const responseSchema = z.object({
  model: z.string().optional(),
  status: z.string().nullish(),
  output: z.array(
    z.object({
      type: z.string(),
      content: z.array(contentPartSchema).nullish(),
    }),
  ),
  incomplete_details: z.object({ reason: z.string().nullish() }).nullish(),
  usage: z
    .object({
      input_tokens: z.number().int().nonnegative().nullish(),
      output_tokens: z.number().int().nonnegative().nullish(),
    })
    .nullish(),
});

export type ResponsesAnswer = z.output<typeof responseSchema>;

export interface ResponsesBodyOptions {
  model: string;
  strictJsonSchema: boolean;
}

export function responsesBody(request: GenerateRequest, options: ResponsesBodyOptions): Record<string, unknown> {
  const images = request.images ?? [];
  return {
    model: options.model,
    ...(request.system === undefined ? {} : { instructions: request.system }),
    input: [
      {
        role: 'user',
        content: [{ type: 'input_text', text: request.prompt }, ...images.map((image) => ({ type: 'input_image', image_url: dataUrl(image) }))],
      },
    ],
    // Camera images are not to be kept by the provider for later retrieval (the API stores responses by default).
    store: false,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens === undefined ? {} : { max_output_tokens: request.maxOutputTokens }),
    ...(request.jsonSchema === undefined
      ? {}
      : {
          text: {
            format: { type: 'json_schema', name: schemaName(request.jsonSchema.name), schema: request.jsonSchema.schema, strict: options.strictJsonSchema },
          },
        }),
  };
}

/** The answer's text (all output_text parts of its messages), and any refusal. */
export function responsesText(answer: ResponsesAnswer): { text: string | undefined; refusal: string | undefined } {
  const texts: string[] = [];
  const refusals: string[] = [];
  for (const item of answer.output) {
    if (item.type !== 'message') continue;
    for (const part of item.content ?? []) {
      if (part.type === 'output_text' && 'text' in part) texts.push(part.text);
      else if (part.type === 'refusal' && 'refusal' in part) refusals.push(part.refusal);
    }
  }
  return { text: texts.length === 0 ? undefined : texts.join(''), refusal: refusals.length === 0 ? undefined : refusals.join(' ') };
}
