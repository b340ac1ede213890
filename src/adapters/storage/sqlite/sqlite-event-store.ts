import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_TYPES } from '../../../domain/events/event-types.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { EventFilter, EventStore } from '../../../ports/event-store.ts';

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
  actors_json: json(z.array(z.object({ trackId: z.string(), label: z.string(), family: z.enum(FAMILIES) }))),
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

/** Builds the WHERE clause of a filter; values are always bound, never interpolated. */
function whereClause(filter: EventFilter): { sql: string; params: Record<string, string | number> } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.runId !== undefined) {
    parts.push('run_id = @run');
    params.run = filter.runId;
  }
  if (filter.cameraId !== undefined) {
    parts.push('camera_id = @camera');
    params.camera = filter.cameraId;
  }
  if (filter.type !== undefined) {
    parts.push('type = @type');
    params.type = filter.type;
  }
  if (filter.label !== undefined) {
    parts.push('rowid IN (SELECT event_rowid FROM event_labels WHERE label = @label)');
    params.label = filter.label;
  }
  if (filter.fromMs !== undefined) {
    parts.push('end_ms >= @from');
    params.from = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    parts.push('start_ms < @to');
    params.to = filter.toMs;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export class SqliteEventStore implements EventStore {
  constructor(private readonly db: Database.Database) {}

  async listEvents(filter: EventFilter): Promise<StoredEvent[]> {
    const { sql, params } = whereClause(filter);
    const rows = this.db
      .prepare(`SELECT * FROM events ${sql} ORDER BY start_ms, id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: filter.limit ?? -1, offset: filter.offset ?? 0 });
    return rows.map(toStoredEvent);
  }

  async countEvents(filter: EventFilter): Promise<number> {
    const { sql, params } = whereClause(filter);
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM events ${sql}`).get(params);
    return z.object({ n: z.number() }).parse(row).n;
  }

  async framePaths(runId: number, frameIndexes: readonly number[]): Promise<Map<number, string>> {
    const statement = this.db.prepare('SELECT image_path FROM frames WHERE run_id = ? AND frame_index = ?');
    const paths = new Map<number, string>();
    for (const index of new Set(frameIndexes)) {
      const row = z.object({ image_path: z.string().nullable() }).optional().parse(statement.get(runId, index));
      if (row?.image_path) paths.set(index, row.image_path);
    }
    return paths;
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id);
    return row === undefined ? undefined : toStoredEvent(row);
  }
}
