import { z } from 'zod';

const text = z.string().trim().min(1);

/** What the answers model must reply: one JSON object, every event it mentions cited by id. */
export const modelAnswerSchema = z.object({
  answer: text,
  timeline: z.array(z.object({ event_id: text, time: z.string().trim(), what: z.string().trim() })),
  missing_info: z.array(z.string()),
  cited_event_ids: z.array(text),
});

export type ModelAnswer = z.output<typeof modelAnswerSchema>;

/** The JSON Schema handed to the provider's structured-output feature. */
export function answerJsonSchema(): { name: string; schema: Record<string, unknown> } {
  return { name: 'cited_answer', schema: z.toJSONSchema(modelAnswerSchema) as Record<string, unknown> };
}

export type ParsedAnswer = { ok: true; answer: ModelAnswer } | { ok: false; problem: 'invalid_json' | 'schema_mismatch'; errors: string[] };

/**
 * Reads the model's reply: the JSON object in it (code fences and chatter around it are
 * tolerated, since not every provider enforces the schema), checked against the schema.
 */
export function parseModelAnswer(raw: string): ParsedAnswer {
  const candidate = extractJsonObject(raw);
  if (candidate === undefined) return { ok: false, problem: 'invalid_json', errors: ['the reply contains no JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(candidate);
  } catch (error) {
    return { ok: false, problem: 'invalid_json', errors: [`the reply is not valid JSON: ${(error as Error).message}`] };
  }
  const result = modelAnswerSchema.safeParse(value);
  if (result.success) return { ok: true, answer: result.data };
  return {
    ok: false,
    problem: 'schema_mismatch',
    errors: result.error.issues.map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`),
  };
}

function extractJsonObject(raw: string): string | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(raw);
  const body = (fenced?.[1] ?? raw).trim();
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  return start === -1 || end <= start ? undefined : body.slice(start, end + 1);
}
