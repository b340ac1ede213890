import { setTimeout as sleepFor } from 'node:timers/promises';

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, { signal }).then(
    () => undefined,
    () => undefined,
  );
}

/**
 * The idle wait of a job lane (JobRunner): it polls at an interval, but
 * new work wakes it at once, and a wake-up that arrives while it is busy is not lost.
 */
export class WorkerWakeup {
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep) {}

  /** New work: end the current idle wait, or skip the next one. */
  kick(): void {
    if (this.wake) this.wake();
    else this.kicked = true;
  }

  /** Sleeps until the poll interval passes, work is queued, or the worker is stopped. */
  async idle(ms: number, signal: AbortSignal): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return;
    }
    const wakeUp = new AbortController();
    const stop = () => wakeUp.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.wake = stop;
    try {
      await this.sleep(ms, wakeUp.signal);
    } finally {
      this.wake = undefined;
      signal.removeEventListener('abort', stop);
    }
  }
}
