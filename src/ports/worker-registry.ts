import type { CameraLiveState } from '../domain/live-state.ts';

/**
 * Which Vigil process analyses which live camera, when several share one database (`vigil
 * worker` on several machines, `vigil serve` among them). A camera is analysed by the holder of
 * its lease and nobody else; a holder renews its leases well before they expire, and a process
 * that dies loses them after `ttlMs`, when another takes the camera over. Every takeover raises
 * the lease's `generation`: the fencing token a holder's writes carry, so that a holder cut off
 * from the database (paused, partitioned) cannot write after its camera moved on.
 */
export interface CameraLease {
  cameraId: string;
  /** The worker holding it. */
  holder: string;
  /** Raised by every takeover; a holder's writes are refused once it changed. */
  generation: number;
  /** When the lease runs out unless renewed (ms since the epoch, by the database's writers' clocks). */
  expiresAt: number;
}

export interface CameraStats {
  framesProcessed: number;
  framesDropped: number;
  processedFps: number;
  /** The whole state (connection, errors), so that another process can show it. */
  live?: CameraLiveState;
}

/** A running worker as the others see it. */
export interface WorkerRecord {
  /** Unique per process: host, pid and a random part. */
  id: string;
  host: string;
  pid: number;
  /** `worker` or `serve`. */
  role: string;
  startedAt: number;
  heartbeatAt: number;
  /** Whether it runs live cameras (a `serve --no-cameras` does not). */
  runsCameras: boolean;
  /** Per camera it holds: frames analysed and dropped, and the camera's live state, as it last reported. */
  stats: Record<string, CameraStats>;
}

export interface WorkerRegistry {
  /** Records (or refreshes) this worker's heartbeat and stats. */
  heartbeat(worker: WorkerRecord): Promise<void>;
  /** Workers whose heartbeat is newer than `sinceMs`. */
  liveWorkers(sinceMs: number): Promise<WorkerRecord[]>;
  /** Removes this worker's record (a clean stop). */
  leave(workerId: string): Promise<void>;
  /**
   * Takes the camera for `holder` when nobody holds it or its lease expired at `nowMs`; renews it
   * when `holder` already holds it. Undefined when another worker holds a lease still running.
   */
  acquire(cameraId: string, holder: string, nowMs: number, ttlMs: number): Promise<CameraLease | undefined>;
  /** Extends a held lease; false when it was taken over (its generation changed) or released. */
  renew(lease: CameraLease, nowMs: number, ttlMs: number): Promise<boolean>;
  /** Gives a camera up (a clean stop, or rebalancing) so that another worker can take it at once. */
  release(lease: CameraLease): Promise<void>;
  /** Every lease, expired or not. */
  leases(): Promise<CameraLease[]>;
  /** Whether `lease` is still the camera's current lease (same holder and generation) and unexpired at `nowMs`. */
  holds(lease: CameraLease, nowMs: number): Promise<boolean>;
}
