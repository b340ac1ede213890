import { VigilError, isVigilError } from '../../../domain/errors.ts';
import type { ErrorCode } from '../../../domain/errors.ts';
import type {
  EmbedResult,
  GenerateRequest,
  GenerateResult,
  LlmProvider,
  LlmUsage,
  ProviderKind,
} from '../../../ports/llm-provider.ts';
import type { Logger } from '../../../ports/logger.ts';
import { QueueAccounting } from './call-stats.ts';
import type { CallCounters } from './call-stats.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { AttemptOutcome, CircuitPermit, CircuitSnapshot } from './circuit-breaker.ts';
import { resolveQueueOptions } from './queue-options.ts';
import type { ProviderQueueOptions } from './queue-options.ts';
import { abortedError, systemTimer } from './queue-timer.ts';
import type { QueueTimer } from './queue-timer.ts';
import { nextRetryDelayMs } from './retry-policy.ts';
import type { RetryHistory, RetryOptions } from './retry-policy.ts';
import { PriorityWaitQueue } from './wait-queue.ts';
import type { QueuePriority } from './wait-queue.ts';

/** How one call is queued and accounted. */
export interface QueueCallOptions {
  priority?: QueuePriority;
  camera?: string;
  /**
   * Give up on an outage (provider_unavailable, provider_timeout) after the first attempt instead
   * of retrying: set when another provider stands by, which beats waiting out the backoff.
   */
  failFast?: boolean;
}

/**
 * A slot held for work the queue does not run itself (the gateway's streams, which flow to a client
 * while the slot is held). `finish` gives the slot back exactly once and accounts the call; the
 * queue never retries leased work: a client whose stream began cannot be given a second answer.
 */
export interface QueueLease {
  /** How long the call waited for its slot. */
  readonly waitedMs: number;
  finish(outcome: { usage: LlmUsage } | { error: unknown }): void;
}

export interface ProviderQueueDeps {
  provider: LlmProvider;
  options?: ProviderQueueOptions;
  timer?: QueueTimer;
  /** Uniform in [0, 1), for backoff jitter. */
  random?: () => number;
  logger?: Logger;
}

export interface ProviderQueueStats {
  provider: string;
  kind: ProviderKind;
  model: string;
  concurrency: number;
  maxQueued: number;
  inFlight: number;
  queued: Record<QueuePriority, number> & { total: number };
  /** Calls sleeping between attempts. */
  backingOff: number;
  circuit: CircuitSnapshot;
  totals: CallCounters;
  cameras: Record<string, CallCounters>;
}

/** Failures that say the provider is down or overloaded; the others mean it answered. */
const BREAKER_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'provider_unavailable',
  'provider_timeout',
  'provider_rate_limited',
  'provider_failed',
]);

/** Failures that say the provider is down, not busy: what `failFast` does not retry. */
const OUTAGES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['provider_unavailable', 'provider_timeout']);

interface Ticket {
  readonly seq: number;
  readonly priority: QueuePriority;
  readonly camera: string | undefined;
  resolve(permit: CircuitPermit): void;
  reject(error: VigilError): void;
  detach(): void;
}

interface CallContext {
  seq: number;
  priority: QueuePriority;
  camera: string | undefined;
  signal: AbortSignal | undefined;
  failFast: boolean;
}

export function createProviderQueue(deps: ProviderQueueDeps): ProviderQueue {
  return new ProviderQueue(deps);
}

/**
 * An LlmProvider in front of an LlmProvider: callers cannot tell it is there, except that calls
 * now wait their turn (`concurrency` at a time, interactive before background), come back
 * through retries and a circuit breaker, and are counted. A second argument to `generate` /
 * `embed`, or a `provider({ priority, camera })` view, says how a call is queued.
 */
export class ProviderQueue implements LlmProvider {
  readonly name: string;
  readonly kind: ProviderKind;
  readonly model: string;
  readonly concurrency: number;
  readonly maxQueued: number;

  readonly #provider: LlmProvider;
  readonly #timer: QueueTimer;
  readonly #random: () => number;
  readonly #retry: RetryOptions;
  readonly #defaultPriority: QueuePriority;
  readonly #initialLatencyMs: number;
  readonly #breaker: CircuitBreaker;
  readonly #accounts: QueueAccounting;
  readonly #waiting = new PriorityWaitQueue<Ticket>();
  #inFlight = 0;
  #backingOff = 0;
  #seq = 0;
  #lastFailure: VigilError | undefined;

  constructor(deps: ProviderQueueDeps) {
    const o = resolveQueueOptions(deps.provider.kind, deps.options);
    this.#provider = deps.provider;
    this.name = deps.provider.name;
    this.kind = deps.provider.kind;
    this.model = deps.provider.model;
    this.concurrency = o.concurrency;
    this.maxQueued = o.maxQueued;
    this.#defaultPriority = o.defaultPriority;
    this.#retry = o.retry;
    this.#initialLatencyMs = o.initialLatencyEstimateMs;
    this.#accounts = new QueueAccounting(o.latencyWindow);
    this.#timer = deps.timer ?? systemTimer;
    this.#random = deps.random ?? Math.random;
    const log = deps.logger?.child({ module: 'provider-queue', provider: this.name });
    this.#breaker = new CircuitBreaker(o.circuit, (to) => {
      if (to === 'open') log?.warn({ cooldownMs: o.circuit.cooldownMs, code: this.#lastFailure?.code }, 'model provider circuit opened');
      else log?.info({}, 'model provider circuit closed');
    });
  }

  generate(request: GenerateRequest, options: QueueCallOptions = {}): Promise<GenerateResult> {
    return this.#run(options, request.signal, () => this.#provider.generate(request), (r) => r.usage);
  }

  embed(texts: readonly string[], options: QueueCallOptions & { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const { signal } = options;
    return this.#run(options, signal, () => this.#provider.embed(texts, signal ? { signal } : {}), (r) => r.usage);
  }

  /**
   * Waits for a slot as a first attempt does (bounded wait list, interactive first, the circuit
   * breaker's verdict) and hands it over. Rejects with queue_full, circuit_open or aborted.
   */
  async lease(options: QueueCallOptions & { signal?: AbortSignal } = {}): Promise<QueueLease> {
    const ctx: CallContext = {
      seq: this.#seq++,
      priority: options.priority ?? this.#defaultPriority,
      camera: options.camera,
      signal: options.signal,
      failFast: true,
    };
    const asked = this.#timer.now();
    this.#accounts.each(ctx.camera, (a) => a.calls++);
    let permit: CircuitPermit;
    try {
      permit = await this.#acquire(ctx, true, undefined);
    } catch (error) {
      const failure = this.#normalize(error, ctx.signal);
      this.#accounts.each(ctx.camera, (a) => a.fail(failure.code));
      throw failure;
    }
    const started = this.#timer.now();
    this.#accounts.each(ctx.camera, (a) => a.attempts++);
    let finished = false;
    return {
      waitedMs: started - asked,
      finish: (outcome) => {
        if (finished) return;
        finished = true;
        if ('usage' in outcome) {
          this.#accounts.each(ctx.camera, (a) => {
            a.answered(this.#timer.now() - started, outcome.usage);
            a.successes++;
          });
          this.#release(ctx, permit, 'success');
          return;
        }
        const failure = this.#normalize(outcome.error, ctx.signal);
        this.#accounts.each(ctx.camera, (a) => a.fail(failure.code));
        this.#release(ctx, permit, this.#outcome(failure));
      },
    };
  }

  /** This queue as a plain LlmProvider whose calls all go with `options` (e.g. interactive, one camera). */
  provider(options: QueueCallOptions): LlmProvider {
    return {
      name: this.name,
      kind: this.kind,
      model: this.model,
      generate: (request) => this.generate(request, options),
      embed: (texts, embedOptions) => this.embed(texts, { ...embedOptions, ...options }),
    };
  }

  stats(): ProviderQueueStats {
    return {
      provider: this.name,
      kind: this.kind,
      model: this.model,
      concurrency: this.concurrency,
      maxQueued: this.maxQueued,
      inFlight: this.#inFlight,
      queued: {
        interactive: this.#waiting.sizeOf('interactive'),
        background: this.#waiting.sizeOf('background'),
        total: this.#waiting.size,
      },
      backingOff: this.#backingOff,
      circuit: this.#breaker.snapshot(this.#timer.now()),
      totals: this.#accounts.total.snapshot(),
      cameras: this.#accounts.cameras(),
    };
  }

  async #run<T>(
    options: QueueCallOptions,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
    usageOf: (result: T) => LlmUsage,
  ): Promise<T> {
    const ctx: CallContext = {
      seq: this.#seq++,
      priority: options.priority ?? this.#defaultPriority,
      camera: options.camera,
      signal,
      failFast: options.failFast ?? false,
    };
    this.#accounts.each(ctx.camera, (a) => a.calls++);
    try {
      const result = await this.#attempts(ctx, call, usageOf);
      this.#accounts.each(ctx.camera, (a) => a.successes++);
      return result;
    } catch (error) {
      const failure = this.#normalize(error, signal);
      this.#accounts.each(ctx.camera, (a) => a.fail(failure.code));
      throw failure;
    }
  }

  async #attempts<T>(ctx: CallContext, call: () => Promise<T>, usageOf: (result: T) => LlmUsage): Promise<T> {
    const history: RetryHistory = { attempts: 0, badOutputs: 0 };
    let last: VigilError | undefined;
    for (;;) {
      const permit = await this.#acquire(ctx, history.attempts === 0, last);
      if (ctx.signal?.aborted) {
        // Cancelled between getting the slot and using it: give it to the next one untouched.
        this.#release(ctx, permit, 'neutral');
        throw abortedError(ctx.signal);
      }
      if (history.attempts > 0) this.#accounts.each(ctx.camera, (a) => a.retries++);
      history.attempts++;
      let delay: number | undefined;
      try {
        return await this.#attempt(ctx, permit, call, usageOf);
      } catch (error) {
        last = this.#normalize(error, ctx.signal);
        delay = ctx.failFast && OUTAGES.has(last.code) ? undefined : nextRetryDelayMs(last, history, this.#retry, this.#random);
        if (delay === undefined) throw last;
        if (last.code === 'provider_bad_output') history.badOutputs++;
      }
      this.#backingOff++;
      try {
        await this.#timer.sleep(delay, ctx.signal);
      } finally {
        this.#backingOff--;
      }
    }
  }

  /** One request to the provider. Its slot is held until the provider settles, even when the caller gave up. */
  #attempt<T>(ctx: CallContext, permit: CircuitPermit, call: () => Promise<T>, usageOf: (r: T) => LlmUsage): Promise<T> {
    const started = this.#timer.now();
    this.#accounts.each(ctx.camera, (a) => a.attempts++);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      pending = Promise.reject(error);
    }
    const settled = pending.then(
      (result) => {
        const latency = this.#timer.now() - started;
        this.#accounts.each(ctx.camera, (a) => a.answered(latency, usageOf(result)));
        this.#release(ctx, permit, 'success');
        return result;
      },
      (error: unknown) => {
        const failure = this.#normalize(error, ctx.signal);
        this.#release(ctx, permit, this.#outcome(failure));
        throw failure;
      },
    );
    return raceAbort(settled, ctx.signal);
  }

  /** Waits for a slot (and the breaker's leave). The first attempt is bounded by maxQueued; retries were admitted already. */
  async #acquire(ctx: CallContext, firstAttempt: boolean, last: VigilError | undefined): Promise<CircuitPermit> {
    if (ctx.signal?.aborted) throw abortedError(ctx.signal);
    const now = this.#timer.now();
    if (this.#breaker.state(now) === 'open') throw this.#circuitOpen(now, last);
    if (this.#waiting.size === 0 && this.#inFlight < this.concurrency) {
      const permit = this.#breaker.tryAcquire(now);
      if (permit) {
        this.#dispatched(ctx.camera);
        return permit;
      }
    }
    if (firstAttempt && this.#waiting.size >= this.maxQueued) {
      // A person waiting beats a background job, which is durable and will come back.
      const evicted = ctx.priority === 'interactive' ? this.#waiting.popNewest('background') : undefined;
      if (!evicted) throw this.#queueFull();
      this.#accounts.each(evicted.camera, (a) => a.queued--);
      evicted.detach();
      evicted.reject(this.#queueFull());
    }
    return new Promise<CircuitPermit>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#waiting.remove(ticket)) return;
        this.#accounts.each(ctx.camera, (a) => a.queued--);
        reject(abortedError(ctx.signal));
      };
      const ticket: Ticket = {
        seq: ctx.seq,
        priority: ctx.priority,
        camera: ctx.camera,
        resolve,
        reject,
        detach: () => ctx.signal?.removeEventListener('abort', onAbort),
      };
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(ticket);
      this.#accounts.each(ctx.camera, (a) => a.queued++);
      this.#pump();
    });
  }

  #release(ctx: CallContext, permit: CircuitPermit, outcome: AttemptOutcome): void {
    this.#inFlight--;
    this.#accounts.each(ctx.camera, (a) => a.inFlight--);
    this.#breaker.record(permit, outcome, this.#timer.now());
    this.#pump();
  }

  #dispatched(camera: string | undefined): void {
    this.#inFlight++;
    this.#accounts.each(camera, (a) => a.inFlight++);
  }

  /** Hands free slots to waiters in order; when the circuit is open, tells every waiter at once. */
  #pump(): void {
    while (this.#waiting.size > 0) {
      const now = this.#timer.now();
      if (this.#breaker.state(now) === 'open') {
        for (const ticket of this.#waiting.drain()) {
          this.#accounts.each(ticket.camera, (a) => a.queued--);
          ticket.detach();
          ticket.reject(this.#circuitOpen(now, this.#lastFailure));
        }
        return;
      }
      if (this.#inFlight >= this.concurrency) return;
      const permit = this.#breaker.tryAcquire(now);
      if (!permit) return;
      const ticket = this.#waiting.shift();
      if (!ticket) return;
      this.#accounts.each(ticket.camera, (a) => a.queued--);
      ticket.detach();
      this.#dispatched(ticket.camera);
      ticket.resolve(permit);
    }
  }

  #outcome(failure: VigilError): AttemptOutcome {
    if (failure.code === 'aborted') return 'neutral';
    if (!BREAKER_FAILURES.has(failure.code)) return 'success';
    this.#lastFailure = failure;
    return 'failure';
  }

  #normalize(error: unknown, signal: AbortSignal | undefined): VigilError {
    if (isVigilError(error)) return error;
    if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) return abortedError(signal);
    return new VigilError('provider_failed', `The model provider "${this.name}" failed unexpectedly.`, { cause: error });
  }

  #queueFull(): VigilError {
    const perRequest = this.#accounts.total.latency.recentMeanMs() ?? this.#initialLatencyMs;
    const ahead = this.#waiting.size + this.#inFlight;
    const retryAfterMs = Math.max(1, Math.ceil((perRequest * ahead) / this.concurrency));
    return new VigilError(
      'queue_full',
      `The model provider "${this.name}" is busy: ${this.#waiting.size} requests are already waiting. Try again in about ${seconds(retryAfterMs)}.`,
      { retryable: true, retryAfterMs },
    );
  }

  #circuitOpen(now: number, cause: VigilError | undefined): VigilError {
    const retryAfterMs = Math.max(1, this.#breaker.retryAfterMs(now));
    return new VigilError(
      'circuit_open',
      `The model provider "${this.name}" is failing (${this.#breaker.consecutiveFailures} errors in a row); Vigil will try it again in ${seconds(retryAfterMs)}.`,
      { retryable: true, retryAfterMs, cause },
    );
  }
}

/** Rejects as soon as `signal` aborts, whatever `promise` does; `promise` keeps running. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}
