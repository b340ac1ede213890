/**
 * Events per second over the last `windowSeconds`, kept as per-second counts in a ring: constant
 * memory however fast frames come. Times are given by the caller (a clock), so it is exact in tests.
 */
export class RateMeter {
  private readonly counts: number[];
  private readonly seconds: number[];
  private firstMs: number | undefined;

  constructor(private readonly windowSeconds = 10) {
    this.counts = new Array<number>(windowSeconds).fill(0);
    this.seconds = new Array<number>(windowSeconds).fill(-1);
  }

  record(nowMs: number, n = 1): void {
    this.firstMs ??= nowMs;
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.windowSeconds;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + n;
  }

  /**
   * The rate over the last `windowSeconds` whole seconds before the current one (a partial second
   * would read low), or over the whole seconds since the first record when fewer have passed.
   */
  perSecond(nowMs: number): number {
    if (this.firstMs === undefined) return 0;
    const now = Math.floor(nowMs / 1000);
    const whole = Math.min(this.windowSeconds, now - Math.floor(this.firstMs / 1000));
    // Within the first second there is nothing whole yet: that second's count is the best reading.
    const from = whole === 0 ? now : now - whole;
    const to = whole === 0 ? now : now - 1;
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const second = this.seconds[i] ?? -1;
      if (second >= from && second <= to) total += this.counts[i] ?? 0;
    }
    return total / Math.max(1, whole);
  }
}
