import { z } from 'zod';
import type { RunRecord } from '../../ports/analysis-store.ts';

/**
 * Analysis runs as rows (`analysis_runs`, the same columns on both backends): reading them, and
 * who owns one (the owner JSON both write), for claims across processes.
 */

/** A run whose writer has not been heard of for this long is taken as abandoned (its process died). */
export const RUN_STALE_AFTER_MS = 30_000;

const ownerSchema = z.object({ host: z.string(), pid: z.number().int(), token: z.string() });
export type OwnerRecord = z.infer<typeof ownerSchema>;

export function parseOwner(text: string | null | undefined): OwnerRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // written by something else: judged by its heartbeat alone
  }
}

/** Whether a process of this host exists (signal 0 only checks; EPERM means it exists but is not ours). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const runRowSchema = z.object({
  id: z.number(),
  source_id: z.number(),
  camera_id: z.string(),
  settings_key: z.string(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  last_frame_index: z.number(),
  frames_decoded: z.number(),
  frames_detected: z.number(),
  frames_skipped: z.number(),
  detections: z.number(),
  start_time_ms: z.number(),
  started_at: z.number(),
  finished_at: z.number().nullable(),
  error: z.string().nullable(),
  settings_json: z.string().optional(),
  owner: z.string().nullable().optional(),
  heartbeat_at: z.number().nullable().optional(),
  input_incomplete: z.string().nullable().optional(),
});

function parseSettings(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function toRunRecord(row: unknown): RunRecord {
  const r = runRowSchema.parse(row);
  const settings = parseSettings(r.settings_json);
  return {
    id: r.id,
    sourceId: r.source_id,
    cameraId: r.camera_id,
    settingsKey: r.settings_key,
    status: r.status,
    lastFrameIndex: r.last_frame_index,
    counts: {
      framesDecoded: r.frames_decoded,
      framesDetected: r.frames_detected,
      framesSkipped: r.frames_skipped,
      detections: r.detections,
    },
    startTimeMs: r.start_time_ms,
    startedAt: r.started_at,
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    ...(settings !== undefined ? { settings } : {}),
    ...(r.input_incomplete ? { inputIncomplete: r.input_incomplete } : {}),
  };
}
