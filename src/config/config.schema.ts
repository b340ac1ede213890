import { z } from 'zod';
import { camerasSchema, retentionDaysSchema, type tripwireSchema, type zoneSchema } from './camera.schema.ts';
import { isValidTimeZone } from '../domain/source-time.ts';
import { gatewaySchema, requireGatewayProviders } from './gateway.schema.ts';
import { genaiSchema } from './genai.schema.ts';
import { frigateSchema, homeAssistantSchema, mqttSchema, requireMqtt } from './integrations.schema.ts';
import { boundedNumber, evenWithOtherIssues } from './schema-parts.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const DETECTOR_TYPES = ['centernet', 'onnx'] as const;
export const DETECTOR_DEVICES = ['auto', 'cpu', 'cuda'] as const;

const loggingSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
});

const labelFilterSchema = z.strictObject({
  min_score: boundedNumber({ min: 0, max: 1 }).optional(),
  min_area: boundedNumber({ min: 0 }).optional(),
});

/** Keys that only the ONNX backend reads. */
const ONNX_ONLY = ['model', 'labels', 'input_size'] as const;

const detectorSchema = z
  .strictObject({
    type: z.enum(DETECTOR_TYPES).default('centernet'),
    workers: boundedNumber({ integer: true, min: 1 }).optional(),
    min_score: boundedNumber({ min: 0, max: 1 }).default(0.4),
    min_area: boundedNumber({ min: 0 }).default(0),
    nms_iou: boundedNumber({ min: 0, max: 1 }).default(0.5),
    filters: z.record(z.string(), labelFilterSchema).prefault({}),
    model: z.string().min(1).optional(),
    labels: z.string().min(1).optional(),
    input_size: boundedNumber({ integer: true, greaterThan: 0 }).optional(),
    device: z.enum(DETECTOR_DEVICES).default('auto'),
  })
  .superRefine((detector, ctx) => {
    for (const key of ONNX_ONLY) {
      const present = detector[key] !== undefined;
      if (detector.type === 'onnx' && !present && key !== 'input_size') {
        ctx.addIssue({ code: 'custom', path: [key], message: 'required when detector.type is onnx' });
      }
      // Setting a model but forgetting `type: onnx` would silently run the bundled model instead.
      if (detector.type === 'centernet' && present) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'only used when detector.type is onnx' });
      }
    }
  }, evenWithOtherIssues);

/**
 * Where each detector's weak detections start: below its confident range, above its noise.
 * CenterNet (bundled) scores people and vehicles about 0.4-0.7 and gives false positives below
 * about 0.35 (measured here): 0.25. YOLO-family ONNX exports score confident objects 0.5-0.9 and
 * partly hidden ones far lower; 0.1 is ByteTrack's own low threshold for such detectors.
 */
export const DETECTOR_LOW_SCORE: Readonly<Record<(typeof DETECTOR_TYPES)[number], number>> = { centernet: 0.25, onnx: 0.1 };

const trackerSchema = z.strictObject({
  /** Default: the detector's own (DETECTOR_LOW_SCORE), filled in once the detector is known. */
  low_score: boundedNumber({ min: 0, max: 1 }).optional(),
  lost_seconds: boundedNumber({ greaterThan: 0 }).default(3),
  min_hits: boundedNumber({ integer: true, min: 1 }).default(2),
  match_iou: boundedNumber({ greaterThan: 0, max: 1 }).default(0.2),
});

const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: boundedNumber({ integer: true, min: 0, max: 65535 }).default(8080),
  /** Required beyond localhost; generated and stored in the data directory when not set. */
  token: z.string().min(16, 'expected at least 16 characters').optional(),
});

/** The processes sharing one storage (`vigil serve`, any number of `vigil worker`s). */
const workersSchema = z.strictObject({
  /**
   * A worker holds each live camera it analyses by a lease it renews every third of this; one that
   * dies (or loses the database) loses its cameras after this long, and another worker takes them.
   */
  lease_s: boundedNumber({ min: 3, max: 600 }).default(15),
});

const searchSchema = z.strictObject({
  /** Time zone in which times in questions are read; defaults to the system's. */
  timezone: z
    .string()
    .refine(isValidTimeZone, { error: (issue) => `unknown time zone "${String(issue.input)}" (expected an IANA name such as Asia/Taipei)` })
    .optional(),
  /** More words for built-in concepts, e.g. { loitering: [蹲點, hanging about] }. */
  terms: z.record(z.string(), z.array(z.string().min(1)).min(1)).prefault({}),
});

export const DEFAULT_RETENTION_INTERVAL_MINUTES = 60;

/**
 * How long events, frames and snapshots are kept, and how much disk their files may take. Absent
 * (the default), nothing is ever deleted; `cameras.<id>.retention.days` overrides `days`.
 */
const retentionSchema = z.strictObject({
  days: retentionDaysSchema.optional(),
  max_disk_mb: boundedNumber({ greaterThan: 0 }).optional(),
  // At most a week: timers in Node overflow past 24.8 days and would fire at once.
  interval_minutes: boundedNumber({ min: 1, max: 10_080 }).default(DEFAULT_RETENTION_INTERVAL_MINUTES),
});

const storageSchema = z.strictObject({
  data_dir: z.string().min(1).default('vigil-data'),
  /**
   * Where events, runs, jobs and search live: absent, the embedded SQLite file in `data_dir`;
   * `postgres://user:password@host:5432/database`, a PostgreSQL server that several Vigil
   * processes share (media files stay in `data_dir`, which they must then share too).
   */
  database: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL (leave it out for the embedded SQLite file)')
    .optional(),
  frames: z
    .strictObject({
      keep: z.boolean().default(true),
      quality: boundedNumber({ integer: true, min: 1, max: 100 }).default(80),
      max_total_mb: boundedNumber({ greaterThan: 0 }).default(2048),
    })
    .prefault({}),
  retention: retentionSchema.optional(),
});

/** The whole `vigil.yml`. Every section is optional; an empty file is a valid configuration. */
export const vigilConfigSchema = z.strictObject({
  logging: loggingSchema.prefault({}),
  detector: detectorSchema.prefault({}),
  tracker: trackerSchema.prefault({}),
  server: serverSchema.prefault({}),
  search: searchSchema.prefault({}),
  genai: genaiSchema.prefault({}),
  cameras: camerasSchema.prefault({}),
  storage: storageSchema.prefault({}),
  mqtt: mqttSchema.optional(),
  frigate: frigateSchema.optional(),
  home_assistant: homeAssistantSchema.optional(),
  gateway: gatewaySchema.prefault({}),
  workers: workersSchema.prefault({}),
})
  .superRefine(requireMqtt, evenWithOtherIssues)
  .superRefine(requireGatewayProviders, evenWithOtherIssues)
  // Overwriting the key keeps its place, so the resolved configuration prints in the file's order.
  .transform((config) => ({ ...config, tracker: { ...config.tracker, low_score: config.tracker.low_score ?? DETECTOR_LOW_SCORE[config.detector.type] } }));

/** The configuration after validation, with every default filled in. */
export type VigilConfig = z.output<typeof vigilConfigSchema>;
export type LoggingConfig = VigilConfig['logging'];
export type DetectorConfig = VigilConfig['detector'];
export type StorageConfig = VigilConfig['storage'];
export type RetentionConfig = NonNullable<StorageConfig['retention']>;
export type TrackerConfig = VigilConfig['tracker'];
export type ServerConfig = VigilConfig['server'];
export type SearchConfig = VigilConfig['search'];
export type GatewayConfig = VigilConfig['gateway'];
export type CameraConfig = VigilConfig['cameras'][string];
export type MotionConfig = CameraConfig['motion'];
export type ZoneConfig = z.output<typeof zoneSchema>;
export type TripwireConfig = z.output<typeof tripwireSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
