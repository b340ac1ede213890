import type { GatewayUsageEntry, GatewayUsageStore } from '../../ports/gateway-store.ts';

/** Counters since start for one key and model: what /metrics exports (the store keeps the history). */
export interface GatewayUsageCounters {
  key: string;
  model: string;
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  queueWaitSeconds: number;
  latencySeconds: number;
}

/** Most key/model series kept for /metrics. */
export const MAX_SERIES = 1000;
export const OTHER_MODELS = '(other)';

/**
 * Accounts every gateway request twice: durably per key, model and UTC day in the store (what
 * `vigil keys usage`, GET /api/gateway/usage and the tokens-per-day limit read), and as counters
 * since start for Prometheus, which wants monotonic counters rather than daily sums.
 */
export class GatewayUsageMeter {
  readonly #store: GatewayUsageStore;
  readonly #counters = new Map<string, GatewayUsageCounters>();
  readonly #onError: (error: unknown) => void;

  constructor(deps: { store: GatewayUsageStore; onError: (error: unknown) => void }) {
    this.#store = deps.store;
    this.#onError = deps.onError;
  }

  /**
   * Counts the request at once and stores it; the promise settles once the row is written (or
   * failed to be, which goes to `onError`): it never rejects.
   */
  record(entry: GatewayUsageEntry, keyName: string): Promise<void> {
    // Past MAX_SERIES key/model pairs, new ones share one series: a metric label per name a client makes up would grow without end.
    let id = `${keyName}\u0000${entry.model}`;
    let model = entry.model;
    if (!this.#counters.has(id) && this.#counters.size >= MAX_SERIES) {
      model = OTHER_MODELS;
      id = `${keyName}\u0000${model}`;
    }
    let c = this.#counters.get(id);
    if (!c) {
      c = { key: keyName, model, requests: 0, failures: 0, inputTokens: 0, outputTokens: 0, queueWaitSeconds: 0, latencySeconds: 0 };
      this.#counters.set(id, c);
    }
    c.requests++;
    if (!entry.ok) c.failures++;
    c.inputTokens += entry.inputTokens;
    c.outputTokens += entry.outputTokens;
    c.queueWaitSeconds += entry.queueWaitMs / 1000;
    c.latencySeconds += entry.latencyMs / 1000;
    return this.#write(entry);
  }

  tokensOn(keyId: string, day: string): Promise<number> {
    return this.#store.tokensOn(keyId, day);
  }

  counters(): GatewayUsageCounters[] {
    return [...this.#counters.values()].map((c) => ({ ...c }));
  }

  async #write(entry: GatewayUsageEntry): Promise<void> {
    try {
      await this.#store.record(entry);
    } catch (error) {
      // The answer was given (or is on its way); losing one usage row must not turn it into an error.
      this.#onError(error);
    }
  }
}
