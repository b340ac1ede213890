/**
 * `GET /api/workers` as the contract has it: the live workers with the cameras they hold, and for
 * every live camera who holds it. Pure: the registry's records and the server's clock in, the wire
 * shape out.
 */
import type { WorkersResponseWire } from '../contract/api.schemas.ts';
import type { CameraLease, WorkerRecord } from '../ports/worker-registry.ts';

export interface WorkersSnapshot {
  /** Workers whose heartbeat is newer than `now - leaseMs`. */
  workers: readonly WorkerRecord[];
  /** Every lease, expired or not. */
  leases: readonly CameraLease[];
}

export interface PresentWorkersOptions {
  /** The live cameras of the configuration: each is listed, held or not. */
  cameras: readonly string[];
  now: number;
  leaseMs: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function presentWorkers(snapshot: WorkersSnapshot, options: PresentWorkersOptions): WorkersResponseWire {
  const { now, leaseMs } = options;
  const byCamera = new Map(snapshot.leases.map((lease) => [lease.cameraId, lease]));
  const running = (lease: CameraLease) => lease.expiresAt > now;

  // Oldest first, as the workers joined; the id settles ties, so that the order never jumps between reads.
  const workers = [...snapshot.workers].sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Configured cameras in their order, then any another worker runs that this configuration does not
  // list (a worker started with another file); a lease left over from a removed camera is not news.
  const configured = new Set(options.cameras);
  const elsewhere = snapshot.leases
    .filter((lease) => !configured.has(lease.cameraId) && running(lease))
    .map((lease) => lease.cameraId)
    .sort();

  return {
    lease_seconds: leaseMs / 1000,
    workers: workers.map((worker) => ({
      id: worker.id,
      host: worker.host,
      pid: worker.pid,
      role: worker.role,
      started_at: new Date(worker.startedAt).toISOString(),
      // Another machine's clock may run ahead of this one: an age is never negative.
      heartbeat_age_ms: Math.max(0, Math.round(now - worker.heartbeatAt)),
      runs_cameras: worker.runsCameras,
      // The running leases say what a worker holds (a released one is still its, expired); its
      // stats are what it last reported of them.
      cameras: snapshot.leases
        .filter((lease) => lease.holder === worker.id && running(lease))
        .sort((a, b) => (a.cameraId < b.cameraId ? -1 : a.cameraId > b.cameraId ? 1 : 0))
        .map((lease) => {
          const stats = worker.stats[lease.cameraId];
          return {
            camera: lease.cameraId,
            generation: lease.generation,
            lease_expires_in_ms: Math.round(lease.expiresAt - now),
            frames_processed: stats?.framesProcessed ?? 0,
            frames_dropped: stats?.framesDropped ?? 0,
            processed_fps: round2(stats?.processedFps ?? 0),
          };
        }),
    })),
    cameras: [...options.cameras, ...elsewhere].map((cameraId) => {
      const lease = byCamera.get(cameraId);
      if (!lease) return { camera: cameraId, holder: null, state: 'unassigned' };
      return { camera: cameraId, holder: lease.holder, state: running(lease) ? 'held' : 'expired' };
    }),
  };
}
