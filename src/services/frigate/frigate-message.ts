import { z } from 'zod';

/**
 * One message of Frigate's `<prefix>/events` topic, as documented for 0.13 to 0.16 (see
 * docs/integrations.md): `{ type, before, after }` where `before`/`after` are a tracked object.
 * Only the fields Vigil reads are checked; every other key (speed, path_data, license plates,
 * whatever a newer Frigate adds) passes through untouched, so a Frigate upgrade never makes
 * messages unreadable.
 */
const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/**
 * Every shape Frigate sends: `null`, `"John"` (older versions, hand-made messages), `["John", 0.79]`
 * (0.14+), `["John", null]` (set through the API without a score) and `[null, null]` (none yet).
 * A sub label only names someone: a shape not seen before reads as "no sub label" instead of
 * refusing the message, so an `end` is never lost for it.
 */
const subLabel = z.unknown().optional().transform((v): { name: string; score: number | null } | null => {
  const [name, score] = typeof v === 'string' ? [v, null] : Array.isArray(v) ? [v[0], v[1]] : [null, null];
  return typeof name === 'string' && name !== '' ? { name, score: typeof score === 'number' ? score : null } : null;
});

const zones = z.array(z.string()).nullish().transform((v) => v ?? []);

export const frigateObjectSchema = z.looseObject({
  id: z.string().min(1).max(128),
  camera: z.string().min(1).max(128),
  label: z.string().min(1).max(64),
  sub_label: subLabel,
  score: z.number().optional(),
  top_score: z.number().optional(),
  frame_time: z.number().optional(),
  start_time: z.number(),
  end_time: z.number().nullish().transform((v) => v ?? null),
  box: box.optional(),
  false_positive: z.boolean().optional(),
  stationary: z.boolean().optional(),
  current_zones: zones,
  entered_zones: zones,
  has_snapshot: z.boolean().optional(),
  has_clip: z.boolean().optional(),
});

export const frigateEventMessageSchema = z.looseObject({
  type: z.enum(['new', 'update', 'end']),
  before: frigateObjectSchema.optional(),
  after: frigateObjectSchema,
});

export type FrigateObject = z.output<typeof frigateObjectSchema>;
export type FrigateEventMessage = z.output<typeof frigateEventMessageSchema>;
export type FrigateMessageType = FrigateEventMessage['type'];

/** `raw` is the JSON as received: what the job table keeps, parsed again when the job runs. */
export type ParsedFrigateMessage = { ok: true; message: FrigateEventMessage; raw: Record<string, unknown> } | { ok: false; reason: string };

const jsonObjectSchema = z.record(z.string(), z.unknown());

/** Bytes from the broker to a checked message, or the reason it is not one (for the log). */
export function parseFrigateEventMessage(payload: Uint8Array | string): ParsedFrigateMessage {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = frigateEventMessageSchema.safeParse(raw);
  // A valid message is a JSON object, so `raw` passes as one.
  if (parsed.success) return { ok: true, message: parsed.data, raw: jsonObjectSchema.parse(raw) };
  const first = parsed.error.issues[0];
  return { ok: false, reason: first ? `${first.path.join('.') || 'message'}: ${first.message}` : 'invalid message' };
}

const STAGE: Record<FrigateMessageType, number> = { new: 0, update: 1, end: 2 };

/**
 * How far along its Frigate event a message is: `end` beats any `update`, which beats `new`; within
 * a stage the later frame wins. A message whose progress is not greater than what was stored is a
 * duplicate, a replay, or arrived out of order, and changes nothing.
 */
export function messageProgress(message: FrigateEventMessage): number {
  const after = message.after;
  const time = after.end_time ?? after.frame_time ?? after.start_time;
  return STAGE[message.type] * 1e10 + time;
}
