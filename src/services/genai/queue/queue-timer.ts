import { VigilError } from '../../../domain/errors.ts';
import type { Clock } from '../../../ports/logger.ts';

/**
 * Time as the queue sees it: `now()` for latency and circuit cooldowns, `sleep()` for retry
 * backoff. Injected so that tests can run hours of backoff in microseconds and record every wait.
 */
export interface QueueTimer extends Clock {
  /** Resolves after `ms`; rejects with an `aborted` VigilError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function abortedError(signal?: AbortSignal): VigilError {
  return new VigilError('aborted', 'The model request was cancelled.', { cause: signal?.reason });
}

export const systemTimer: QueueTimer = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortedError(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timeout);
        reject(abortedError(signal));
      };
      const timeout = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
