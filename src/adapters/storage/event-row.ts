import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/events/event-types.ts';
import type { StoredEvent } from '../../ports/analysis-store.ts';

/**
 * An `events` row as both backends store it (the same columns and JSON texts in SQLite and
 * PostgreSQL), read back into a StoredEvent.
 */
const FAMILIES = ['person', 'vehicle', 'animal', 'bag', 'other'] as const;
const EVIDENCE_KINDS = ['crossing', 'zone_enter', 'zone_exit', 'loitering_confirmed', 'best_view', 'first_seen', 'last_seen', 'track_lost'] as const;

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
const textSchema = z.object({ en: z.string(), zhHant: z.string() });

/** JSON columns are parsed, not trusted: a row written by another version must fail loudly. */
const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'invalid JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const eventRowSchema = z.object({
  id: z.string(),
  run_id: z.number(),
  camera_id: z.string(),
  type: z.enum(EVENT_TYPES),
  rule: z.string(),
  status: z.enum(['open', 'closed']),
  start_ms: z.number(),
  end_ms: z.number(),
  start_frame: z.number(),
  end_frame: z.number(),
  labels_json: json(z.array(z.string())),
  actors_json: json(z.array(z.object({ trackId: z.string(), label: z.string(), family: z.enum(FAMILIES), staySeconds: z.number().optional() }))),
  evidence_json: json(
    z.array(
      z.object({
        kind: z.enum(EVIDENCE_KINDS),
        timestampMs: z.number(),
        frameIndex: z.number(),
        trackId: z.string(),
        box: boxSchema,
        score: z.number(),
        text: textSchema,
        // Where a crossing met the wire; kept so that an event read and written back (reworded) loses nothing.
        point: z.tuple([z.number(), z.number()]).optional(),
      }),
    ),
  ),
  details_json: json(
    z.object({
      direction: z.enum(['a_to_b', 'b_to_a']).optional(),
      inbound: z.boolean().optional(),
      dwellSeconds: z.number().optional(),
      averageSpeedPxPerSecond: z.number().optional(),
      midlineCrossings: z.number().optional(),
    }),
  ),
  summary_en: z.string(),
  summary_zh_hant: z.string(),
  keywords: z.string(),
  snapshot_frame: z.number(),
  snapshot_path: z.string().nullable(),
  thumbnails_json: json(z.record(z.string(), z.string())),
  clip_frames_json: json(z.array(z.string())),
});

export function toStoredEvent(row: unknown): StoredEvent {
  const r = eventRowSchema.parse(row);
  return {
    runId: r.run_id,
    event: {
      id: r.id,
      cameraId: r.camera_id,
      type: r.type,
      rule: r.rule,
      status: r.status,
      labels: r.labels_json,
      actors: r.actors_json,
      startMs: r.start_ms,
      endMs: r.end_ms,
      startFrameIndex: r.start_frame,
      endFrameIndex: r.end_frame,
      evidence: r.evidence_json,
      snapshotFrameIndex: r.snapshot_frame,
      summary: { en: r.summary_en, zhHant: r.summary_zh_hant },
      keywords: r.keywords.split(' ').filter(Boolean),
      details: r.details_json,
    },
    ...(r.snapshot_path !== null ? { snapshotPath: r.snapshot_path } : {}),
    thumbnails: r.thumbnails_json,
    ...(r.clip_frames_json.length > 0 ? { clipFrames: r.clip_frames_json } : {}),
  };
}

