import { z } from 'zod';

/** Camera ids, zone names and tripwire names: safe in URLs, file names, MQTT topics and metrics. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Cross-field checks run even when a sibling field is already invalid, so one run reports every
 * problem. They then see the raw value of invalid fields, which is why each check re-tests the
 * shape of what it reads instead of trusting the static type.
 */
export const evenWithOtherIssues = {
  when: (payload: z.core.ParsePayload): boolean => typeof payload.value === 'object' && payload.value !== null,
};

interface NumberRule {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  greaterThan?: number;
  /** Inclusive upper bound. */
  max?: number;
}

/**
 * A number with bounds, reporting one message per bad value in plain words: "expected a number
 * greater than 0" rather than zod's separate type, integer and range issues.
 */
export function boundedNumber(rule: NumberRule) {
  const noun = rule.integer ? 'an integer' : 'a number';
  const low = rule.greaterThan !== undefined ? `greater than ${rule.greaterThan}` : rule.min !== undefined ? `at least ${rule.min}` : undefined;
  const high = rule.max !== undefined ? `at most ${rule.max}` : undefined;
  const between = rule.min !== undefined && rule.max !== undefined ? `between ${rule.min} and ${rule.max}` : undefined;
  const whole = `expected ${noun}${between ? ` ${between}` : [low, high].filter(Boolean).map((p) => ` ${p}`).join(' and')}`;

  return z
    .number({ error: (issue) => (issue.input === undefined ? 'required' : whole) })
    .superRefine((n, ctx) => {
      const tooLow = (rule.greaterThan !== undefined && n <= rule.greaterThan) || (rule.min !== undefined && n < rule.min);
      const tooHigh = rule.max !== undefined && n > rule.max;
      const fractional = rule.integer === true && !Number.isInteger(n);
      let message: string | undefined;
      if (between && (tooLow || tooHigh || fractional)) message = whole;
      else if (tooLow) message = `expected ${noun} ${low}`;
      else if (tooHigh) message = `expected ${noun} ${high}`;
      else if (fractional) message = whole;
      if (message) ctx.addIssue({ code: 'custom', message });
    });
}

/** A map whose keys are user-chosen names (camera ids, zone names): keys must match NAME_PATTERN. */
export function namedMap<T extends z.ZodType>(what: string, value: T) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      if (!NAME_PATTERN.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${what} must match ${NAME_PATTERN.source}` });
      }
    }
  }, evenWithOtherIssues);
}

/** Object labels: a non-empty list of distinct, non-empty strings. */
export const labelListSchema = z
  .array(z.string().min(1, 'expected a non-empty label'))
  .min(1, 'expected at least one label')
  .superRefine((labels, ctx) => {
    const seen = new Set<unknown>();
    labels.forEach((label: unknown, i) => {
      if (typeof label === 'string' && seen.has(label)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `duplicate label "${label}"` });
      }
      seen.add(label);
    });
  }, evenWithOtherIssues);

export type Point = [number, number];

export function isPoint(value: unknown): value is Point {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

/**
 * `[x, y]` with finite, non-negative coordinates. Checked as a whole rather than as a zod tuple so
 * a malformed point gets one `points[2]: expected [x, y]` line instead of one per coordinate.
 */
export const pointSchema = z.unknown().transform((value, ctx): Point => {
  if (!isPoint(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected [x, y]' });
    return z.NEVER;
  }
  if (value[0] < 0 || value[1] < 0) {
    ctx.addIssue({ code: 'custom', message: 'coordinates must be at least 0' });
    return z.NEVER;
  }
  return [value[0], value[1]];
});

export const UNITS = ['pixels', 'fraction'] as const;
export type Units = (typeof UNITS)[number];

/** With `units: fraction` every coordinate is a share of the frame size, so it must lie in 0..1. */
export function checkFractionPoints(shape: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  if (shape['units'] !== 'fraction' || !Array.isArray(shape['points'])) return;
  shape['points'].forEach((p: unknown, i) => {
    if (isPoint(p) && (p[0] > 1 || p[1] > 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['points', i],
        message: 'coordinates must be between 0 and 1 when units is fraction',
      });
    }
  });
}
