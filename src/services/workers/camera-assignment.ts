import { planLeases } from '../../domain/workers/lease-plan.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import type { CameraLiveState } from '../../domain/live-state.ts';
import type { CameraLease, WorkerRecord, WorkerRegistry } from '../../ports/worker-registry.ts';

/** This process as the other workers see it. */
export interface WorkerIdentity {
  id: string;
  host: string;
  pid: number;
  role: 'serve' | 'worker';
  startedAt: number;
}

export interface CameraAssignmentDeps {
  registry: WorkerRegistry;
  me: WorkerIdentity;
  /** The live cameras of the configuration, every one of which some worker should run. */
  cameras: readonly string[];
  /** Whether this process takes cameras at all (`vigil serve --no-cameras` only reports). */
  runsCameras: boolean;
  /** A lease runs this long without renewal: how long a dead worker's cameras wait. */
  leaseMs: number;
  /** Runs one camera until the signal aborts (its lease was lost, given up, or the process stops). */
  runCamera(cameraId: string, lease: () => CameraLease, signal: AbortSignal): Promise<void>;
  /** What this worker reports per camera it runs (frames analysed, dropped, rate). */
  stats(): WorkerRecord['stats'];
  clock: Clock;
  logger: Logger;
  /** Waits `ms` or until the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

interface Running {
  lease: CameraLease;
  stop: AbortController;
  done: Promise<void>;
}

/**
 * Spreads the live cameras over the workers that share the storage: every third of a lease this
 * worker heartbeats, renews its leases (a camera whose lease was taken over is stopped at once),
 * then takes free cameras up to its share and gives up the ones beyond it (lease-plan.ts). A
 * worker that dies holds its cameras until their leases run out; then the others take them.
 */
export class CameraAssignment {
  private readonly running = new Map<string, Running>();
  private elsewhere = new Map<string, ReportedState>();

  constructor(private readonly deps: CameraAssignmentDeps) {}

  /**
   * A camera another worker runs, as that worker last reported it, for the API and Home Assistant
   * of a process that does not run it: up to two rounds old (the holder's heartbeat and this
   * process's read), and nothing once the holder's lease has run out (the storage may be away).
   */
  stateElsewhere(cameraId: string): CameraLiveState | undefined {
    if (this.running.has(cameraId)) return undefined;
    const reported = this.elsewhere.get(cameraId);
    return reported && reported.leaseExpiresAt > this.deps.clock.now() ? reported.state : undefined;
  }

  /** Cameras this worker runs now, with their leases. */
  held(): CameraLease[] {
    return [...this.running.values()].map((r) => r.lease);
  }

  /** Until `signal` aborts; then stops every camera, waits for them to store what they hold, and releases the leases. */
  async run(signal: AbortSignal, options: { graceMs?: number } = {}): Promise<void> {
    const pollMs = Math.max(200, Math.floor(this.deps.leaseMs / 3));
    try {
      while (!signal.aborted) {
        try {
          await this.step();
        } catch (error) {
          // The database may be away (restarting): cameras whose leases cannot be renewed run on
          // until they would expire, then stop (renewals below), so nothing runs twice.
          this.deps.logger.warn({ err: error }, 'could not reach the storage to share the cameras; trying again');
          this.stopExpired();
        }
        await this.deps.sleep(pollMs, signal);
      }
    } finally {
      await this.stopAll(options.graceMs ?? 10_000);
      await this.deps.registry.leave(this.deps.me.id).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not remove this worker from the registry'));
    }
  }

  /** One round: heartbeat, renewals, then what to take and give up. */
  async step(): Promise<void> {
    const { registry, me, clock, leaseMs } = this.deps;
    const now = clock.now();
    await registry.heartbeat({ ...me, heartbeatAt: now, runsCameras: this.deps.runsCameras, stats: this.deps.stats() });
    for (const [cameraId, running] of this.running) {
      if (await registry.renew(running.lease, now, leaseMs)) running.lease = { ...running.lease, expiresAt: now + leaseMs };
      else this.stop(cameraId, 'its lease was taken over by another worker');
    }
    const [workers, leases] = await Promise.all([registry.liveWorkers(now - leaseMs), registry.leases()]);
    this.elsewhere = reportedElsewhere(workers, leases, me.id, now);
    if (!this.deps.runsCameras) return;
    const plan = planLeases({
      me: me.id,
      cameras: this.deps.cameras,
      workers: workers.filter((w) => w.runsCameras).map((w) => w.id),
      leases: leases.filter((l) => !(l.holder === me.id && !this.running.has(l.cameraId))),
      nowMs: now,
    });
    for (const cameraId of plan.giveUp) {
      const running = this.running.get(cameraId);
      if (!running || running.stop.signal.aborted) continue;
      this.stop(cameraId, 'another worker has room for it');
      // Released once the camera has stored what it holds; this round (and the renewals of the
      // other leases) does not wait for that.
      running.done
        .then(() => registry.release(running.lease))
        .catch((error: unknown) => this.deps.logger.warn({ err: error, camera: cameraId }, 'could not release the camera; its lease will run out'));
    }
    for (const cameraId of plan.take) {
      const lease = await registry.acquire(cameraId, me.id, clock.now(), leaseMs);
      if (lease) this.start(cameraId, lease);
    }
  }

  private start(cameraId: string, lease: CameraLease): void {
    const stop = new AbortController();
    const entry: Running = { lease, stop, done: Promise.resolve() };
    entry.done = this.deps
      .runCamera(cameraId, () => entry.lease, stop.signal)
      .catch((error: unknown) => this.deps.logger.error({ err: error, camera: cameraId }, 'live camera stopped with an unexpected error'))
      .finally(() => {
        if (this.running.get(cameraId) === entry) this.running.delete(cameraId);
      });
    this.running.set(cameraId, entry);
    this.deps.logger.info({ camera: cameraId, generation: lease.generation }, 'took the camera');
  }

  private stop(cameraId: string, why: string): void {
    const running = this.running.get(cameraId);
    if (!running || running.stop.signal.aborted) return;
    this.deps.logger.warn({ camera: cameraId, why }, 'stopping the camera');
    running.stop.abort();
  }

  /** Cameras whose leases ran out while the storage could not be reached: another worker may have them now. */
  private stopExpired(): void {
    const now = this.deps.clock.now();
    for (const [cameraId, running] of this.running) if (running.lease.expiresAt <= now) this.stop(cameraId, 'its lease expired while the storage could not be reached');
  }

  private async stopAll(graceMs: number): Promise<void> {
    const all = [...this.running.values()];
    for (const running of all) running.stop.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all.map((r) => r.done)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const running of all) await this.deps.registry.release(running.lease).catch(() => undefined);
  }
}

/** A camera's state as its holder reported it, valid while the holder's lease runs. */
export interface ReportedState {
  state: CameraLiveState;
  leaseExpiresAt: number;
}

/** The live state of each camera held (unexpired) by another live worker, as that worker reported it. */
export function reportedElsewhere(workers: readonly WorkerRecord[], leases: readonly CameraLease[], me: string, nowMs: number): Map<string, ReportedState> {
  const byId = new Map(workers.map((w) => [w.id, w]));
  const states = new Map<string, ReportedState>();
  for (const lease of leases) {
    if (lease.holder === me || lease.expiresAt <= nowMs) continue;
    const live = byId.get(lease.holder)?.stats[lease.cameraId]?.live;
    if (live) states.set(lease.cameraId, { state: live, leaseExpiresAt: lease.expiresAt });
  }
  return states;
}
