import { z } from 'zod';
import type { OutputLanguage } from '../output-language.ts';

const text = z.string().trim().min(1);

const personSchema = z.object({
  /** Vigil's track id (p3) when the model could tell which person it is. */
  id: z.string().optional(),
  clothing_colors: z.array(z.string()).optional(),
  clothing: z.string().optional(),
  carrying: z.array(z.string()).optional(),
});

const vehicleSchema = z.object({
  id: z.string().optional(),
  type: z.string().optional(),
  color: z.string().optional(),
});

const summariesShape = {
  en: text.optional(),
  'zh-Hant': text.optional(),
  'zh-Hans': text.optional(),
};

const baseShape = {
  scene: text,
  actions: z.array(z.string()),
  attributes: z.object({
    people: z.array(personSchema).optional(),
    vehicles: z.array(vehicleSchema).optional(),
  }),
  suspicion: z.object({
    score: z.number().int().min(0).max(100),
    reasons: z.array(z.string()),
  }),
  uncertain: z.array(z.string()),
};

/** Any stored description, whichever languages were configured when it was written. */
export const storedDescriptionSchema = z.object({ ...baseShape, summaries: z.object(summariesShape) });

export type EventDescription = z.output<typeof storedDescriptionSchema>;

/** What the model must answer: the base fields, and a summary in every configured language. */
export function descriptionSchema(languages: readonly OutputLanguage[]) {
  const required = new Set<string>(languages);
  const summaries = Object.fromEntries(
    Object.entries(summariesShape).map(([language, schema]) => [language, required.has(language) ? text : schema]),
  ) as typeof summariesShape;
  return z.object({ ...baseShape, summaries: z.object(summaries) });
}

/** The JSON Schema handed to the provider's structured-output feature (Ollama `format`, OpenAI response_format). */
export function descriptionJsonSchema(languages: readonly OutputLanguage[]): { name: string; schema: Record<string, unknown> } {
  return { name: 'event_description', schema: z.toJSONSchema(descriptionSchema(languages)) as Record<string, unknown> };
}

export type ParseResult = { ok: true; description: EventDescription } | { ok: false; errors: string[] };

/**
 * Reads a model's answer: the JSON object in it (code fences and chatter around it are
 * tolerated), checked against the schema. Errors are written for the model to fix them.
 */
export function parseDescription(raw: string, languages: readonly OutputLanguage[]): ParseResult {
  const candidate = extractJsonObject(raw);
  if (candidate === undefined) return { ok: false, errors: ['the answer contains no JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(candidate);
  } catch (error) {
    return { ok: false, errors: [`the answer is not valid JSON: ${(error as Error).message}`] };
  }
  const result = descriptionSchema(languages).safeParse(value);
  if (result.success) return { ok: true, description: result.data };
  return {
    ok: false,
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

/** The words a search should find the event by: scene, actions, attributes and summaries. */
export function descriptionSearchText(d: EventDescription): string {
  const people = (d.attributes.people ?? []).flatMap((p) => [...(p.clothing_colors ?? []), p.clothing ?? '', ...(p.carrying ?? [])]);
  const vehicles = (d.attributes.vehicles ?? []).flatMap((v) => [v.color ?? '', v.type ?? '']);
  const summaries = Object.values(d.summaries).filter((s): s is string => s !== undefined);
  return [d.scene, ...d.actions, ...people, ...vehicles, ...summaries]
    .map((part) => part.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * Search text of output that never became valid: the string values when it is JSON at all (so
 * key names such as "scene" do not become search words), else the text itself.
 */
export function rawSearchText(raw: string): string {
  const candidate = extractJsonObject(raw);
  if (candidate !== undefined) {
    try {
      const strings: string[] = [];
      collectStrings(JSON.parse(candidate), strings);
      return strings.join('\n');
    } catch {
      // Not JSON: the text is all there is.
      return raw.trim();
    }
  }
  return raw.trim();
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') {
    if (value.trim() !== '') into.push(value.trim());
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into);
  }
}
