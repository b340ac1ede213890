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

/** The shape before capping (the model's answer, or a stored description as read). */
const baseObject = z.object({ ...baseShape, summaries: z.object(summariesShape), truncated: z.array(z.string()).optional() });

/**
 * Any stored description, whichever languages were configured when it was written; capped on
 * the way out too, so one stored before the caps existed is not shown in full either.
 */
export const storedDescriptionSchema = baseObject.transform(capDescription);

/** `truncated` names the fields cut to their cap (see DESCRIPTION_LIMITS); absent when nothing was. */
export type EventDescription = z.output<typeof baseObject>;

/**
 * How much of each field is kept. A model can answer with anything (a 200 kB scene, a thousand
 * actions); a description is a report read on a phone and stored for every event, so each field
 * is cut to what a useful one needs, and the cut is recorded in `truncated`.
 */
export const DESCRIPTION_LIMITS = {
  /** Characters of the scene and of each summary. */
  scene: 2000,
  summary: 1000,
  /** Characters of each list item or short field (an action, a reason, a colour, a clothing description). */
  item: 300,
  /** Items in each list (actions, reasons, uncertain, colours, carried things, people, vehicles). */
  items: 20,
  /** Characters of raw output kept when it never became valid JSON. */
  rawText: 16_000,
} as const;

const ELLIPSIS = '…';

/** The description with every field within DESCRIPTION_LIMITS, naming each field that was cut. */
export function capDescription(d: EventDescription): EventDescription {
  const cut = new Set<string>(d.truncated ?? []);
  const cap = (value: string, max: number, field: string) => {
    if (value.length <= max) return value;
    cut.add(field);
    return `${value.slice(0, max - ELLIPSIS.length)}${ELLIPSIS}`;
  };
  const optionalText = (value: string | undefined, max: number, field: string) => (value === undefined ? undefined : cap(value, max, field));
  const list = <T>(items: readonly T[], field: string, each: (item: T) => T): T[] => {
    if (items.length > DESCRIPTION_LIMITS.items) cut.add(field);
    return items.slice(0, DESCRIPTION_LIMITS.items).map(each);
  };
  const strings = (items: readonly string[], field: string) => list(items, field, (item) => cap(item, DESCRIPTION_LIMITS.item, field));
  const some = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

  const people = d.attributes.people?.map((p) => ({
    ...some('id', optionalText(p.id, 32, 'attributes.people.id')),
    ...some('clothing_colors', p.clothing_colors && strings(p.clothing_colors, 'attributes.people.clothing_colors')),
    ...some('clothing', optionalText(p.clothing, DESCRIPTION_LIMITS.item, 'attributes.people.clothing')),
    ...some('carrying', p.carrying && strings(p.carrying, 'attributes.people.carrying')),
  }));
  const vehicles = d.attributes.vehicles?.map((v) => ({
    ...some('id', optionalText(v.id, 32, 'attributes.vehicles.id')),
    ...some('type', optionalText(v.type, DESCRIPTION_LIMITS.item, 'attributes.vehicles.type')),
    ...some('color', optionalText(v.color, DESCRIPTION_LIMITS.item, 'attributes.vehicles.color')),
  }));
  const capped: EventDescription = {
    scene: cap(d.scene, DESCRIPTION_LIMITS.scene, 'scene'),
    actions: strings(d.actions, 'actions'),
    attributes: {
      ...some('people', people && list(people, 'attributes.people', (p) => p)),
      ...some('vehicles', vehicles && list(vehicles, 'attributes.vehicles', (v) => v)),
    },
    suspicion: { score: d.suspicion.score, reasons: strings(d.suspicion.reasons, 'suspicion.reasons') },
    uncertain: strings(d.uncertain, 'uncertain'),
    summaries: {
      ...some('en', optionalText(d.summaries.en, DESCRIPTION_LIMITS.summary, 'summaries.en')),
      ...some('zh-Hant', optionalText(d.summaries['zh-Hant'], DESCRIPTION_LIMITS.summary, 'summaries.zh-Hant')),
      ...some('zh-Hans', optionalText(d.summaries['zh-Hans'], DESCRIPTION_LIMITS.summary, 'summaries.zh-Hans')),
    },
  };
  return cut.size === 0 ? capped : { ...capped, truncated: [...cut] };
}

/** Raw model output kept when it never became valid: at most DESCRIPTION_LIMITS.rawText characters, the cut said at the end. */
export function boundRawText(raw: string): string {
  const max = DESCRIPTION_LIMITS.rawText;
  return raw.length <= max ? raw : `${raw.slice(0, max)}${ELLIPSIS} [${raw.length - max} more characters cut]`;
}

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
  if (result.success) return { ok: true, description: capDescription(result.data) };
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
      return boundRawText(strings.join('\n'));
    } catch {
      // Not JSON: the text is all there is.
      return boundRawText(raw.trim());
    }
  }
  return boundRawText(raw.trim());
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
