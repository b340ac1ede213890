import { z } from 'zod';
import { DEFAULT_LABELS } from '../domain/detection.ts';
import { isValidTimeZone } from '../domain/source-time.ts';
import { inputScheme, isStreamInput, STREAM_SCHEMES } from './camera-input.ts';
import { cameraGenaiSchema } from './genai.schema.ts';
import {
  boundedNumber,
  checkFractionPoints,
  evenWithOtherIssues,
  isPoint,
  labelListSchema,
  namedMap,
  pointSchema,
  UNITS,
} from './schema-parts.ts';

function polygonArea(points: readonly (readonly [number, number])[]): number {
  let twice = 0;
  points.forEach(([x1, y1], i) => {
    const [x2, y2] = points[(i + 1) % points.length] ?? [x1, y1];
    twice += x1 * y2 - x2 * y1;
  });
  return Math.abs(twice) / 2;
}

export const SPEED_UNITS = ['fraction', 'pixels'] as const;

/** Names shown in summaries and the UI; default to the key. */
const displayNames = {
  display_name: z.string().min(1).optional(),
  display_name_zh: z.string().min(1).optional(),
};

const loiteringSchema = z.strictObject({
  min_seconds: boundedNumber({ greaterThan: 0 }),
  max_speed: boundedNumber({ greaterThan: 0 }),
  speed_units: z.enum(SPEED_UNITS).default('fraction'),
  back_and_forth: boundedNumber({ integer: true, min: 0 }).default(0),
});

export const zoneSchema = z
  .strictObject({
    points: z.array(pointSchema).min(3, 'expected at least 3 points'),
    units: z.enum(UNITS).default('pixels'),
    labels: labelListSchema.optional(),
    ...displayNames,
    restricted: z.boolean().default(false),
    debounce_frames: boundedNumber({ integer: true, min: 1 }).default(3),
    loitering: loiteringSchema.optional(),
  })
  .superRefine((zone, ctx) => {
    checkFractionPoints(zone, ctx);
    // Points on one line enclose nothing, so the zone could never contain an object.
    const points: unknown = zone.points;
    if (Array.isArray(points) && points.length >= 3 && points.every(isPoint) && polygonArea(points) === 0) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: 'the points enclose no area (they lie on one line)' });
    }
  }, evenWithOtherIssues);

export const TRIPWIRE_DIRECTIONS = ['a_to_b', 'b_to_a', 'any'] as const;

/** What lies on one side of a tripwire, as people name it in questions and summaries. */
const tripwireSideSchema = z.strictObject({
  name: z.string().min(1),
  name_zh: z.string().min(1).optional(),
  /** Other words for the place (car park, 停車區). */
  aliases: z.array(z.string().min(1)).default([]),
});

export const tripwireSchema = z
  .strictObject({
    points: z.array(pointSchema).length(2, 'expected exactly 2 points'),
    direction: z.enum(TRIPWIRE_DIRECTIONS).default('any'),
    inbound: z.enum(['a_to_b', 'b_to_a']).optional(),
    side_a: tripwireSideSchema.optional(),
    side_b: tripwireSideSchema.optional(),
    units: z.enum(UNITS).default('pixels'),
    labels: labelListSchema.optional(),
    ...displayNames,
    min_track_age: boundedNumber({ integer: true, min: 1 }).default(2),
    hysteresis: boundedNumber({ min: 0, max: 0.2 }).default(0.008),
  })
  .superRefine((wire, ctx) => {
    checkFractionPoints(wire, ctx);
    // A zero-length line can never be crossed: almost certainly a copy-paste slip.
    const [a, b]: unknown[] = Array.isArray(wire.points) ? wire.points : [];
    if (isPoint(a) && isPoint(b) && a[0] === b[0] && a[1] === b[1]) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: 'the two points are identical (zero-length line)' });
    }
  }, evenWithOtherIssues);

/** What `days` says to keep everything (a number of days is the other choice). */
export const KEEP_FOREVER = 'forever';
const DAYS_MESSAGE = `expected a number of days greater than 0, or ${KEEP_FOREVER}`;

/**
 * How long stored data is kept: days (fractions allowed, e.g. 0.5 for 12 hours) or `forever`.
 * Zero is refused rather than read as "keep nothing" or "keep forever": either guess would be
 * wrong for someone.
 */
export const retentionDaysSchema = z.unknown().transform((value, ctx): number | typeof KEEP_FOREVER => {
  if (value === KEEP_FOREVER) return KEEP_FOREVER;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  ctx.addIssue({ code: 'custom', message: value === undefined ? 'required' : DAYS_MESSAGE });
  return z.NEVER;
});

/** Per camera: overrides `storage.retention.days` for this camera's events, frames and snapshots. */
export const cameraRetentionSchema = z.strictObject({
  days: retentionDaysSchema,
});

export const motionSchema = z.strictObject({
  enabled: z.boolean().default(true),
  threshold: boundedNumber({ integer: true, min: 1, max: 255 }).default(25),
  min_area: boundedNumber({ min: 0, max: 1 }).default(0.002),
  force_every_s: boundedNumber({ min: 0 }).default(10),
});

const SCHEME_LIST = `${STREAM_SCHEMES.slice(0, -1).map((s) => `${s}://`).join(', ')} or ${STREAM_SCHEMES.at(-1) ?? ''}://`;

const inputSchema = z
  .string()
  .min(1)
  .superRefine((input, ctx) => {
    const scheme = inputScheme(input);
    if (scheme !== undefined && !STREAM_SCHEMES.includes(scheme)) {
      ctx.addIssue({
        code: 'custom',
        message: `unsupported URL scheme "${scheme}"; expected a file path or an ${SCHEME_LIST} URL`,
      });
    }
  });

/**
 * Running the camera continuously under `vigil serve`. On by default for stream URLs; a file with
 * `enabled: true` is played in a loop at its own speed, standing in for a camera.
 */
export const liveSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** Decoded frames waiting for detection; when full the oldest is dropped (and counted). */
  queue_frames: boundedNumber({ integer: true, min: 1, max: 256 }).default(8),
  /** A connected input that delivers no frame for this long is dropped and reconnected. */
  stall_s: boundedNumber({ greaterThan: 0 }).default(20),
  reconnect: z
    .strictObject({
      min_s: boundedNumber({ greaterThan: 0 }).default(1),
      max_s: boundedNumber({ greaterThan: 0 }).default(60),
      /** A connection that lasted this long resets the delay to min_s. */
      healthy_after_s: boundedNumber({ greaterThan: 0 }).default(30),
    })
    .prefault({}),
});

export const cameraSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    /** Other names people use for this camera in questions (後門, back door): searched as the camera. */
    aliases: z.array(z.string().min(1)).default([]),
    input: inputSchema,
    /** How an rtsp:// input is read: TCP, or UDP for cameras that only speak UDP (Frigate's preset-rtsp-udp). */
    rtsp_transport: z.enum(['tcp', 'udp']).optional(),
    fps: boundedNumber({ greaterThan: 0, max: 60 }).default(5),
    detect_width: boundedNumber({ integer: true, min: 64, max: 3840 }).optional(),
    labels: labelListSchema.default(() => [...DEFAULT_LABELS]),
    timezone: z
      .string()
      .refine(isValidTimeZone, { error: (issue) => `unknown time zone "${String(issue.input)}" (expected an IANA name such as Europe/Paris)` })
      .optional(),
    start_time: z.iso
      .datetime({ offset: true, error: 'expected an ISO 8601 date-time with an offset or Z, e.g. 2026-11-20T22:00:00+08:00' })
      .optional(),
    motion: motionSchema.prefault({}),
    live: liveSchema.prefault({}),
    genai: cameraGenaiSchema,
    retention: cameraRetentionSchema.optional(),
    events: z
      .strictObject({
        object_seen: labelListSchema.default([]),
        cooldown_s: boundedNumber({ min: 0 }).default(30),
        merge_s: boundedNumber({ min: 0 }).default(5),
      })
      .prefault({}),
    zones: namedMap('zone name', zoneSchema).prefault({}),
    tripwires: namedMap('tripwire name', tripwireSchema).prefault({}),
  })
  .superRefine((camera, ctx) => {
    // A stream's frames are stamped with the wall clock; a start time only makes sense for files.
    const input: unknown = camera.input;
    if (camera.start_time !== undefined && typeof input === 'string' && isStreamInput(input)) {
      ctx.addIssue({ code: 'custom', path: ['start_time'], message: 'only allowed when input is a file, not a stream URL' });
    }
    if (camera.rtsp_transport !== undefined && typeof input === 'string' && inputScheme(input)?.startsWith('rtsp') !== true) {
      ctx.addIssue({ code: 'custom', path: ['rtsp_transport'], message: 'only allowed when input is an rtsp:// or rtsps:// URL' });
    }
    const reconnect: unknown = camera.live?.reconnect;
    if (typeof reconnect === 'object' && reconnect !== null && 'min_s' in reconnect && 'max_s' in reconnect) {
      const { min_s: min, max_s: max } = reconnect;
      if (typeof min === 'number' && typeof max === 'number' && max < min) {
        ctx.addIssue({ code: 'custom', path: ['live', 'reconnect', 'max_s'], message: `must be at least min_s (${min})` });
      }
    }
  }, evenWithOtherIssues);

/** Cameras keyed by id; a camera without a `name` is shown under its id. */
export const camerasSchema = namedMap('camera id', cameraSchema).transform((cameras) =>
  Object.fromEntries(Object.entries(cameras).map(([id, { name, ...rest }]) => [id, { name: name ?? id, ...rest }])),
);
