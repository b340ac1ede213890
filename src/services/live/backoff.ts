/**
 * Reconnect delays: exponential growth from `minMs` to `maxMs`, with "equal jitter" (half the
 * delay fixed, half random) so that cameras that dropped together do not all retry at once,
 * while no retry comes sooner than half the nominal delay.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** A connection that lasted this long counts as healthy: the next failure starts from minMs again. */
  resetAfterMs: number;
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt, after a session that lasted `sessionMs` (0: never connected). */
  next(sessionMs: number): number {
    if (sessionMs >= this.options.resetAfterMs) this.failures = 0;
    const nominal = Math.min(this.options.maxMs, this.options.minMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(nominal / 2 + this.random() * (nominal / 2));
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }
}
