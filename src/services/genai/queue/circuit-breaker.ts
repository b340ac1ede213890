export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails calls fast before it lets one trial call through. */
  cooldownMs: number;
}

export const DEFAULT_CIRCUIT_OPTIONS: CircuitBreakerOptions = { failureThreshold: 5, cooldownMs: 30_000 };

/** Leave to call the provider once; handed back with the outcome through `record`. */
export interface CircuitPermit {
  readonly trial: boolean;
  readonly epoch: number;
}

/**
 * What an attempt says about the provider's health: `failure` (it is down, slow or refusing
 * load), `success` (it answered, even if it disliked the request) or `neutral` (we cancelled).
 */
export type AttemptOutcome = 'success' | 'failure' | 'neutral';

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** While open: how long until the trial call is allowed; 0 otherwise. */
  retryAfterMs: number;
  /** How many times the circuit has opened since start. */
  opens: number;
}

/**
 * A circuit breaker as a state machine over an injected `now`: no timers of its own. Half-open
 * is derived from time (open and cooled down), so nothing has to wake up to move it there.
 */
export class CircuitBreaker {
  #open = false;
  #openUntil = 0;
  #failures = 0;
  #trialInFlight = false;
  #opens = 0;
  /** Bumped on every transition, so results of calls started before it do not count after it. */
  #epoch = 0;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly onTransition?: (to: 'open' | 'closed') => void,
  ) {}

  state(now: number): CircuitState {
    if (!this.#open) return 'closed';
    return now >= this.#openUntil ? 'half_open' : 'open';
  }

  retryAfterMs(now: number): number {
    return this.state(now) === 'open' ? this.#openUntil - now : 0;
  }

  /** A permit when a call may go out now; undefined while open, or half-open with its trial out. */
  tryAcquire(now: number): CircuitPermit | undefined {
    switch (this.state(now)) {
      case 'closed':
        return { trial: false, epoch: this.#epoch };
      case 'open':
        return undefined;
      case 'half_open':
        if (this.#trialInFlight) return undefined;
        this.#trialInFlight = true;
        return { trial: true, epoch: this.#epoch };
    }
  }

  record(permit: CircuitPermit, outcome: AttemptOutcome, now: number): void {
    if (permit.trial) {
      this.#trialInFlight = false;
      if (outcome === 'success') this.#close();
      else if (outcome === 'failure') {
        this.#failures++;
        this.#trip(now);
      }
      return;
    }
    if (this.#open || permit.epoch !== this.#epoch) return;
    if (outcome === 'success') this.#failures = 0;
    else if (outcome === 'failure' && ++this.#failures >= this.options.failureThreshold) this.#trip(now);
  }

  snapshot(now: number): CircuitSnapshot {
    return {
      state: this.state(now),
      consecutiveFailures: this.#failures,
      retryAfterMs: this.retryAfterMs(now),
      opens: this.#opens,
    };
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  #trip(now: number): void {
    this.#open = true;
    this.#openUntil = now + this.options.cooldownMs;
    this.#opens++;
    this.#epoch++;
    this.onTransition?.('open');
  }

  #close(): void {
    this.#open = false;
    this.#failures = 0;
    this.#epoch++;
    this.onTransition?.('closed');
  }
}
