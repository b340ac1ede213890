import { z } from 'zod';
import type { RetentionRun } from '../../ports/retention-store.ts';
import { storedFlag } from './row-values.ts';

/** The rows retention reads (the same columns on both backends), as the retention store returns them. */
const runRowSchema = z.object({
  id: z.number(),
  camera_id: z.string(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  started_at: z.number(),
  source_kind: z.string(),
  live_session: storedFlag,
  first_frame_ms: z.number().nullable(),
  last_frame_ms: z.number().nullable(),
  first_event_ms: z.number().nullable(),
  last_event_ms: z.number().nullable(),
});

const eventFilesSchema = z.object({
  id: z.string(),
  snapshot_path: z.string().nullable(),
  thumbnails_json: z.string(),
  clip_frames_json: z.string(),
});

const thumbnailsSchema = z.record(z.string(), z.string());
const clipFramesSchema = z.array(z.string());

/** An event's id and every file it points to (snapshot, thumbnails, clip frames). */
export function eventFiles(row: unknown): { id: string; files: string[] } {
  const r = eventFilesSchema.parse(row);
  const thumbnails = thumbnailsSchema.parse(JSON.parse(r.thumbnails_json) as unknown);
  const clipFrames = clipFramesSchema.parse(JSON.parse(r.clip_frames_json) as unknown);
  return { id: r.id, files: [...(r.snapshot_path !== null ? [r.snapshot_path] : []), ...Object.values(thumbnails), ...clipFrames] };
}

function minDefined(...values: Array<number | null | undefined>): number | undefined {
  const defined = values.filter((v): v is number => typeof v === 'number');
  return defined.length ? Math.min(...defined) : undefined;
}

/** A run as retention lists it, from a row with its source's kind and its oldest and newest frame and event times. */
export function toRetentionRun(row: unknown): RetentionRun {
  const r = runRowSchema.parse(row);
  const oldestMs = minDefined(r.first_frame_ms, r.first_event_ms);
  const newest = [r.last_frame_ms, r.last_event_ms].filter((v): v is number => v !== null);
  const liveSession = r.live_session;
  return {
    runId: r.id,
    cameraId: r.camera_id,
    status: r.status,
    startedAt: r.started_at,
    // Live sessions and Frigate's run (streams) never resume; an unfinished file analysis does.
    resumable: r.status !== 'complete' && r.source_kind === 'file' && !liveSession,
    ...(oldestMs !== undefined ? { oldestMs } : {}),
    ...(newest.length ? { newestMs: Math.max(...newest) } : {}),
  };
}
