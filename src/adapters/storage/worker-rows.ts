import { z } from 'zod';
import type { CameraLease, WorkerRecord } from '../../ports/worker-registry.ts';
import { storedFlag } from './row-values.ts';

/** The `workers` and `camera_leases` rows, the same columns on both backends, read back. */
const leaseRow = z.object({ camera_id: z.string(), holder: z.string(), generation: z.number(), expires_at: z.number() });
const workerRow = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  role: z.string(),
  started_at: z.number(),
  heartbeat_at: z.number(),
  runs_cameras: storedFlag,
  stats_json: z.string(),
});
const liveStateSchema = z.object({
  cameraId: z.string(),
  status: z.enum(['connecting', 'streaming', 'waiting', 'stopped']),
  inputFps: z.number(),
  processedFps: z.number(),
  framesIn: z.number(),
  framesProcessed: z.number(),
  framesDropped: z.number(),
  queueDepth: z.number(),
  reconnects: z.number(),
  lastFrameAtMs: z.number().optional(),
  connectedSinceMs: z.number().optional(),
  lastError: z.string().optional(),
  lastErrorAtMs: z.number().optional(),
  nextAttemptAtMs: z.number().optional(),
});
// A malformed live state (another version's, a NaN written as null) is left out: never a reason to fail reading every worker.
const statsSchema = z.record(z.string(), z.object({ framesProcessed: z.number(), framesDropped: z.number(), processedFps: z.number(), live: liveStateSchema.optional().catch(undefined) }));

export function toLease(row: unknown): CameraLease {
  const r = leaseRow.parse(row);
  return { cameraId: r.camera_id, holder: r.holder, generation: r.generation, expiresAt: r.expires_at };
}

export function toWorker(row: unknown): WorkerRecord {
  const r = workerRow.parse(row);
  return {
    id: r.id,
    host: r.host,
    pid: r.pid,
    role: r.role,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    runsCameras: r.runs_cameras,
    stats: statsSchema.parse(JSON.parse(r.stats_json)),
  };
}
