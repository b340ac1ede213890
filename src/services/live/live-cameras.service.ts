import type { Logger } from '../../ports/logger.ts';
import type { CameraLiveState, LiveCamera } from './live-camera.ts';

/**
 * Every live camera of `vigil serve`, started together and stopped together. Stopping ends the
 * inputs at once and gives the analyses `graceMs` to store what they hold (events are closed
 * and committed, runs marked complete); a restart then continues with new sessions, so nothing
 * is stored twice.
 */
export class LiveCameras {
  private readonly stop = new AbortController();
  private running: Array<Promise<void>> = [];

  constructor(
    private readonly cameras: ReadonlyMap<string, LiveCamera>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running.length) return;
    this.running = [...this.cameras.entries()].map(([cameraId, camera]) =>
      camera.run(this.stop.signal).catch((error: unknown) => {
        this.logger.error({ err: error, camera: cameraId }, 'live camera stopped with an unexpected error');
      }),
    );
    if (this.cameras.size) this.logger.info({ cameras: [...this.cameras.keys()] }, 'live cameras started');
  }

  states(): CameraLiveState[] {
    return [...this.cameras.values()].map((c) => c.state());
  }

  state(cameraId: string): CameraLiveState | undefined {
    return this.cameras.get(cameraId)?.state();
  }

  /** Resolves once every camera has stored its work, or after `graceMs` (then says which did not). */
  async close(graceMs: number): Promise<void> {
    this.stop.abort();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.running).then(() => true),
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
