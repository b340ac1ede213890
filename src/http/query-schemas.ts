import { z } from 'zod';
import { EVENT_TYPES } from '../domain/events/event-types.ts';
import { VigilError } from '../domain/errors.ts';

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

export const eventsQuerySchema = z.strictObject({ ...filterFields, limit: count(1, 500, 50), offset: count(0, 1_000_000, 0) });

export const searchQuerySchema = z.strictObject({
  q: z.string().max(500, 'expected at most 500 characters').default(''),
  ...filterFields,
  limit: count(1, 200, 20),
  lang: z.enum(['en', 'zh-Hant', 'zh-Hans']).optional(),
});

/** Validate query parameters (`token` belongs to the auth middleware); every problem names its parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const { token: _token, ...rest } = query;
  const parsed = schema.safeParse(rest);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) =>
    i.code === 'unrecognized_keys' ? `unknown parameter ${i.keys.map((k) => `"${k}"`).join(', ')}` : `${i.path.join('.')}: ${i.message}`,
  );
  throw new VigilError('invalid_argument', details[0] ?? 'invalid query', { details });
}
