import { abortedError } from '../queue-timer.ts';
import type { QueueTimer } from '../queue-timer.ts';

interface Pending {
  at: number;
  order: number;
  resolve(): void;
}

/** Lets every promise chain that does not wait on time run to its end. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for the queue's tests. `sleep` is what the queue calls (recorded in `sleeps`);
 * `wait` is what fake providers call to take time (not recorded). Time only moves in `advance`.
 */
export class FakeTimer implements QueueTimer {
  readonly sleeps: number[] = [];
  #now: number;
  #order = 0;
  #pending: Pending[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return this.wait(ms, signal);
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortedError(signal));
        return;
      }
      const entry: Pending = {
        at: this.#now + Math.max(0, ms),
        order: this.#order++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#pending = this.#pending.filter((p) => p !== entry);
        reject(abortedError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.push(entry);
    });
  }

  get pendingTimers(): number {
    return this.#pending.length;
  }

  /** Moves time forward by `ms`, waking every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#earliest();
      if (!next || next.at > target) break;
      this.#pending = this.#pending.filter((p) => p !== next);
      this.#now = next.at;
      next.resolve();
    }
    this.#now = target;
    await settle();
  }

  /** Advances until no timer is left (or `limitMs` has passed, so a bug cannot spin forever). */
  async runAll(limitMs = 24 * 3_600_000): Promise<void> {
    const end = this.#now + limitMs;
    for (;;) {
      await settle();
      const next = this.#earliest();
      if (!next || next.at > end) return;
      await this.advance(next.at - this.#now);
    }
  }

  #earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) if (!best || p.at < best.at || (p.at === best.at && p.order < best.order)) best = p;
    return best;
  }
}
