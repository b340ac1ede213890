import type { WriteFence } from '../../ports/analysis-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { CameraLiveState, LiveCamera } from './live-camera.ts';

/** Decides which cameras this process runs (all of them, or those it holds leases for) until stopped. */
export interface CameraScheduler {
  run(signal: AbortSignal): Promise<void>;
  /** A camera that another process runs, as it last reported it. */
  stateElsewhere?(cameraId: string): CameraLiveState | undefined;
}

/** Runs one camera until the signal aborts. */
export type RunOneCamera = (cameraId: string, signal: AbortSignal, fence?: () => WriteFence) => Promise<void>;

/**
 * The live cameras of this process (`vigil serve`, `vigil worker`): each runs while the scheduler
 * says this process should run it (CameraAssignment: the ones it holds leases for). Stopping ends
 * the inputs at once and gives the analyses `graceMs` to store what they hold (events are closed
 * and committed, runs marked complete); a restart then continues with new sessions, so nothing
 * is stored twice.
 */
export class LiveCameras {
  private readonly stop = new AbortController();
  private running: Array<Promise<void>> = [];
  private reporter: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private readonly reported = new Map<string, CameraLiveState>();
  private readonly runningHere = new Set<string>();
  private scheduler: CameraScheduler | undefined;

  constructor(
    private readonly cameras: ReadonlyMap<string, LiveCamera>,
    private readonly logger: Logger,
    private readonly schedule: (runOne: RunOneCamera) => CameraScheduler,
    /** How often each camera's state goes to the log (0: never). */
    private readonly reportEveryMs = 5 * 60_000,
  ) {}

  start(): void {
    if (this.running.length) return;
    if (this.reportEveryMs > 0 && this.cameras.size) {
      this.reporter = setInterval(() => this.report(), this.reportEveryMs);
      this.reporter.unref();
    }
    const runOne: RunOneCamera = async (cameraId, signal, fence) => {
      const camera = this.cameras.get(cameraId);
      if (!camera) throw new Error(`no live camera ${cameraId}`);
      const stopped = AbortSignal.any([signal, this.stop.signal]);
      const run = camera.run(stopped, fence ? { fence } : {});
      this.active.add(run);
      this.runningHere.add(cameraId);
      try {
        await run;
      } finally {
        this.active.delete(run);
        this.runningHere.delete(cameraId);
      }
    };
    this.scheduler = this.schedule(runOne);
    this.running = [
      this.scheduler
        .run(this.stop.signal)
        .catch((error: unknown) => this.logger.error({ err: error }, 'the camera scheduler stopped with an unexpected error')),
    ];
    if (this.cameras.size) this.logger.info({ cameras: [...this.cameras.keys()] }, 'live cameras configured; each runs where it is leased');
  }

  /** Every camera of this process's configuration as it is here (what /metrics counts). */
  states(): CameraLiveState[] {
    return [...this.cameras.values()].map((c) => c.state());
  }

  /** The camera's state here, or where another process sharing the storage runs it. */
  state(cameraId: string): CameraLiveState | undefined {
    if (!this.runningHere.has(cameraId)) {
      const elsewhere = this.scheduler?.stateElsewhere?.(cameraId);
      if (elsewhere) return elsewhere;
    }
    return this.cameras.get(cameraId)?.state();
  }

  /** One log line per camera: its state and what changed since the last report. */
  report(): void {
    // Only cameras running here: the others are reported by the process that runs them.
    for (const state of this.states().filter((s) => this.runningHere.has(s.cameraId))) {
      this.logger.info(cameraReport(state, this.reported.get(state.cameraId)), 'camera status');
      this.reported.set(state.cameraId, state);
    }
  }

  /** Resolves once every camera has stored its work, or after `graceMs` (then says which did not). */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.reporter);
    this.stop.abort();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all([...this.running, ...this.active]).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      const pending = this.states().filter((s) => s.status !== 'stopped').map((s) => s.cameraId);
      this.logger.warn({ cameras: pending, graceMs }, 'live cameras did not finish storing in time');
    }
  }
}

/** The log fields of a camera's periodic report; counts are since the previous report. */
export function cameraReport(state: CameraLiveState, previous: CameraLiveState | undefined): Record<string, unknown> {
  const since = (key: 'framesIn' | 'framesProcessed' | 'framesDropped' | 'reconnects') => state[key] - (previous?.[key] ?? 0);
  return {
    camera: state.cameraId,
    status: state.status,
    inputFps: state.inputFps,
    processedFps: state.processedFps,
    framesIn: since('framesIn'),
    framesProcessed: since('framesProcessed'),
    framesDropped: since('framesDropped'),
    reconnects: since('reconnects'),
    queueDepth: state.queueDepth,
    ...(state.lastFrameAtMs !== undefined ? { lastFrameAt: new Date(state.lastFrameAtMs).toISOString() } : {}),
    ...(state.status !== 'streaming' && state.lastError !== undefined ? { lastError: state.lastError } : {}),
  };
}
