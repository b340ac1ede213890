import type { ErrorCode } from '../../../domain/errors.ts';
import type { LlmUsage } from '../../../ports/llm-provider.ts';

export interface LatencySummary {
  /** Successful provider calls measured since start. */
  count: number;
  sumMs: number;
  /** Over the most recent `window` samples; null before the first one. */
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  window: number;
}

/** Plain numbers only, so that the CLI can print it and the API can send it as JSON. */
export interface CallCounters {
  /** Calls made to the queue (each counted once, however many attempts it took). */
  calls: number;
  successes: number;
  /** Calls that finally failed, by the code the caller saw (queue_full, circuit_open, aborted included). */
  failures: Partial<Record<ErrorCode, number>>;
  /** Requests sent to the provider, retries included. */
  attempts: number;
  retries: number;
  tokens: { input: number; output: number };
  latency: LatencySummary;
  /** Gauges: waiting for a slot, and at the provider, right now. */
  queued: number;
  inFlight: number;
}

/** Counts since start plus a ring of the most recent samples: bounded memory, exact figures. */
export class LatencyWindow {
  readonly #ring: number[] = [];
  #next = 0;
  #count = 0;
  #sum = 0;

  constructor(readonly size: number) {}

  add(ms: number): void {
    this.#count++;
    this.#sum += ms;
    if (this.#ring.length < this.size) this.#ring.push(ms);
    else this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.size;
  }

  /** Mean of the recent samples, or undefined before the first one. */
  recentMeanMs(): number | undefined {
    if (this.#ring.length === 0) return undefined;
    return this.#ring.reduce((a, b) => a + b, 0) / this.#ring.length;
  }

  /** Nearest-rank percentile of the recent samples (p in (0, 1]). */
  percentile(p: number): number | undefined {
    if (this.#ring.length === 0) return undefined;
    const sorted = [...this.#ring].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      sumMs: this.#sum,
      meanMs: this.recentMeanMs() ?? null,
      p50Ms: this.percentile(0.5) ?? null,
      p95Ms: this.percentile(0.95) ?? null,
      window: this.size,
    };
  }
}

export class CallAccount {
  calls = 0;
  successes = 0;
  attempts = 0;
  retries = 0;
  queued = 0;
  inFlight = 0;
  readonly failures: Partial<Record<ErrorCode, number>> = {};
  readonly tokens = { input: 0, output: 0 };
  readonly latency: LatencyWindow;

  constructor(windowSize: number) {
    this.latency = new LatencyWindow(windowSize);
  }

  fail(code: ErrorCode): void {
    this.failures[code] = (this.failures[code] ?? 0) + 1;
  }

  answered(latencyMs: number, usage: LlmUsage): void {
    this.latency.add(latencyMs);
    this.tokens.input += usage.inputTokens ?? 0;
    this.tokens.output += usage.outputTokens ?? 0;
  }

  snapshot(): CallCounters {
    return {
      calls: this.calls,
      successes: this.successes,
      failures: { ...this.failures },
      attempts: this.attempts,
      retries: this.retries,
      tokens: { ...this.tokens },
      latency: this.latency.summary(),
      queued: this.queued,
      inFlight: this.inFlight,
    };
  }
}

/** The provider's account and, when the call names one, its camera's: every event goes to both. */
export class QueueAccounting {
  readonly total: CallAccount;
  readonly #cameras = new Map<string, CallAccount>();

  constructor(private readonly windowSize: number) {
    this.total = new CallAccount(windowSize);
  }

  each(camera: string | undefined, apply: (account: CallAccount) => void): void {
    apply(this.total);
    if (camera === undefined) return;
    let account = this.#cameras.get(camera);
    if (!account) {
      account = new CallAccount(this.windowSize);
      this.#cameras.set(camera, account);
    }
    apply(account);
  }

  cameras(): Record<string, CallCounters> {
    const out: Record<string, CallCounters> = {};
    for (const [name, account] of [...this.#cameras].sort(([a], [b]) => a.localeCompare(b))) out[name] = account.snapshot();
    return out;
  }
}
