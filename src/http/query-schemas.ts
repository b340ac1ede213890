import { z } from 'zod';
import { EVENT_TYPES } from '../domain/events/event-types.ts';
import { VigilError } from '../domain/errors.ts';
import { echoList } from './echo.ts';

/** A date or date-time with an offset (or Z); a bare date is midnight UTC. */
const instant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v)), {
    error: 'expected an ISO 8601 date or a date-time with an offset, e.g. 2026-11-20T22:00:00+08:00',
  })
  .transform((v) => Date.parse(v));

const count = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`)
    .default(fallback);

const filterFields = {
  camera: z.string().min(1).max(100).optional(),
  type: z.enum(EVENT_TYPES).optional(),
  label: z.string().min(1).max(50).optional(),
  from: instant.optional(),
  to: instant.optional(),
};

/**
 * A range that ends before it starts matches nothing: that is a mistake in the request (swapped
 * values, a wrong offset), said as such rather than answered with an empty page.
 */
function orderedRange(q: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx): void {
  if (q.from === undefined || q.to === undefined || q.from <= q.to) return;
  const iso = (ms: number) => new Date(ms).toISOString();
  ctx.addIssue({ code: 'custom', path: [], message: `from (${iso(q.from)}) is after to (${iso(q.to)}): expected from <= to` });
}

export const eventsQuerySchema = z.strictObject({ ...filterFields, limit: count(1, 500, 50), offset: count(0, 1_000_000, 0) }).superRefine(orderedRange);

export const searchQuerySchema = z
  .strictObject({
    q: z.string().max(500, 'expected at most 500 characters').default(''),
    ...filterFields,
    limit: count(1, 200, 20),
    lang: z.enum(['en', 'zh-Hant', 'zh-Hans']).optional(),
  })
  .superRefine(orderedRange);

/** Validate query parameters (`token` belongs to the auth middleware); every problem names its parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const { token: _token, ...rest } = query;
  const parsed = schema.safeParse(rest);
  if (parsed.success) return parsed.data;
  // Names and values from the request are echoed capped (a 5,000-character parameter name stays out).
  const details = parsed.error.issues.map((i) =>
    i.code === 'unrecognized_keys' ? `unknown parameter ${echoList(i.keys)}` : i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message,
  );
  throw new VigilError('invalid_argument', details[0] ?? 'invalid query', { details });
}

export const gatewayUsageQuerySchema = z.strictObject({ days: count(1, 3660, 7), key: z.string().min(1).max(64).optional() });
