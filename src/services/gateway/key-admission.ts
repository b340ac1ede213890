import { VigilError } from '../../domain/errors.ts';
import { utcDay } from '../../domain/time/utc-day.ts';
import type { GatewayKey } from '../../ports/gateway-store.ts';
import { matchesModelPattern } from './model-routes.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface AdmissionRequest {
  clientModel: string;
  /** The prompt's estimated size (token-estimate.ts). */
  promptTokens: number;
  /** What the client asked to generate at most; undefined (OpenAI allows leaving it out): as much as the key allows. */
  maxTokens: number | undefined;
}

/** A request let in: the max_tokens it may use, and `release` when it is over (exactly once). */
export interface Admission {
  maxTokens: number;
  /**
   * Frees the key's place now. With `accounted` (the request's usage record on its way to the
   * store), the tokens it reserved stay reserved until that write settles: until then a new
   * admission reading the day's tokens would see neither the reservation nor the usage.
   */
  release(accounted?: { tokens: number; stored: Promise<void> }): void;
}

export interface KeyAdmissionDeps {
  now: () => number;
  /** Input plus output tokens the key used on a UTC day, from the usage records. */
  tokensOn: (keyId: string, day: string) => Promise<number>;
  /** max_tokens when neither the client nor the key says (OpenAI clients may leave it out). */
  defaultMaxTokens?: number;
}

/** Reads of the day's tokens before the answer is taken as it is (see #tokensUsed). */
const MAX_TOKEN_READS = 3;

/**
 * A key's limits, checked before a request may queue for the model: the models it may use, the
 * context it may fill, requests per minute (a sliding window), requests at once, and tokens per UTC
 * day. A refusal is a VigilError the client protocols turn into their 403 / 400 / 429 shapes, with
 * Retry-After set to when the refused request would pass.
 *
 * The day's tokens are read from the store (asynchronously); everything else is in memory and is
 * checked and taken in one synchronous step after that read, so requests admitted while the read
 * was out are counted against this one.
 */
export class KeyAdmission {
  readonly #deps: KeyAdmissionDeps;
  /** Start times of each key's requests in the last minute, oldest first. */
  readonly #recent = new Map<string, number[]>();
  readonly #active = new Map<string, number>();
  /** Tokens the running requests of a key with a daily limit may still spend (prompt + max_tokens each). */
  readonly #reserved = new Map<string, number>();
  /** Per key, the tokens of every usage record written since start whose reservation was then dropped. */
  readonly #landed = new Map<string, number>();

  constructor(deps: KeyAdmissionDeps) {
    this.#deps = deps;
  }

  /** Requests of a key running now. */
  active(keyId: string): number {
    return this.#active.get(keyId) ?? 0;
  }

  /** The per-minute and at-once limits alone, without taking a place: throws what `admit` would. */
  precheck(key: GatewayKey): void {
    const { requestsPerMinute, concurrentRequests } = key.limits;
    const now = this.#deps.now();
    if (requestsPerMinute !== null) {
      const recent = (this.#recent.get(key.id) ?? []).filter((t) => t > now - MINUTE_MS);
      if (recent.length >= requestsPerMinute) throw this.#perMinute(key, recent, requestsPerMinute, now);
    }
    if (concurrentRequests !== null && this.active(key.id) >= concurrentRequests) throw this.#atOnce(key, concurrentRequests);
  }

  async admit(key: GatewayKey, request: AdmissionRequest): Promise<Admission> {
    // What needs no store is refused before asking it; `#take` checks it all again after the read.
    this.#checkModel(key, request);
    this.#maxTokens(key, request);
    this.precheck(key);
    const tokensUsed = key.limits.tokensPerDay === null ? 0 : await this.#tokensUsed(key.id, utcDay(this.#deps.now()));
    return this.#take(key, request, tokensUsed);
  }

  /**
   * The key's tokens of the day as stored. A request ending while the read is out drops its
   * reservation once its usage is written, and the read may have started before that write: it is
   * read again then, and if requests keep ending, their tokens are added (perhaps counted twice:
   * too many rather than too few).
   */
  async #tokensUsed(keyId: string, day: string): Promise<number> {
    for (let read = 1; ; read++) {
      const before = this.#landed.get(keyId) ?? 0;
      const used = await this.#deps.tokensOn(keyId, day);
      const landed = (this.#landed.get(keyId) ?? 0) - before;
      if (landed === 0) return used;
      if (read === MAX_TOKEN_READS) return used + landed;
    }
  }

  /** Checks every limit against the state as it is now and takes the request's place: synchronous, so nothing interleaves. */
  #take(key: GatewayKey, request: AdmissionRequest, tokensUsed: number): Admission {
    const limits = key.limits;
    const now = this.#deps.now();
    this.#checkModel(key, request);
    let maxTokens = this.#maxTokens(key, request);

    // Only keys with a per-minute limit keep their start times; the oldest leave from the front.
    const recent = limits.requestsPerMinute === null ? undefined : (this.#recent.get(key.id) ?? []);
    if (recent) {
      let expired = 0;
      while (expired < recent.length && (recent[expired] ?? now) <= now - MINUTE_MS) expired++;
      if (expired > 0) recent.splice(0, expired);
    } else {
      this.#recent.delete(key.id);
    }
    if (recent && limits.requestsPerMinute !== null && recent.length >= limits.requestsPerMinute) {
      this.#recent.set(key.id, recent);
      throw this.#perMinute(key, recent, limits.requestsPerMinute, now);
    }
    const active = this.active(key.id);
    if (limits.concurrentRequests !== null && active >= limits.concurrentRequests) throw this.#atOnce(key, limits.concurrentRequests);
    // Tokens of the day: what was accounted, plus what the key's running requests may still spend
    // (their prompt and max_tokens, reserved until they end), so that parallel requests cannot
    // together go far past the limit. What is left bounds this request's max_tokens.
    const reserved = this.#reserved.get(key.id) ?? 0;
    if (limits.tokensPerDay !== null) {
      const unused = limits.tokensPerDay - tokensUsed;
      const left = unused - reserved;
      if (left - request.promptTokens < 1) {
        if (reserved > 0 && unused - request.promptTokens >= 1) {
          throw new VigilError('rate_limited', `the key "${key.name}" has its ${limits.tokensPerDay} tokens for today (UTC) taken by requests still running`, { retryable: true, retryAfterMs: 1000 });
        }
        const nextDay = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
        throw new VigilError('rate_limited', `the key "${key.name}" has used its ${limits.tokensPerDay} tokens for today (UTC)`, { retryable: true, retryAfterMs: nextDay - now });
      }
      maxTokens = Math.min(maxTokens, left - request.promptTokens);
    }
    const reservation = limits.tokensPerDay === null ? 0 : request.promptTokens + maxTokens;

    if (recent) {
      recent.push(now);
      this.#recent.set(key.id, recent);
    }
    this.#active.set(key.id, active + 1);
    if (reservation > 0) this.#reserved.set(key.id, reserved + reservation);
    let released = false;
    const settle = (landedTokens: number) => {
      if (reservation > 0) {
        const stillReserved = (this.#reserved.get(key.id) ?? 0) - reservation;
        if (stillReserved > 0) this.#reserved.set(key.id, stillReserved);
        else this.#reserved.delete(key.id);
      }
      // Kept for keys without a daily limit too: one may be set while their requests run.
      if (landedTokens > 0) this.#landed.set(key.id, (this.#landed.get(key.id) ?? 0) + landedTokens);
    };
    return {
      maxTokens,
      release: (accounted) => {
        if (released) return;
        released = true;
        const left = this.active(key.id) - 1;
        if (left > 0) this.#active.set(key.id, left);
        else this.#active.delete(key.id);
        if (!accounted) {
          settle(0);
          return;
        }
        const stored = () => settle(accounted.tokens);
        accounted.stored.then(stored, stored);
      },
    };
  }

  #checkModel(key: GatewayKey, request: AdmissionRequest): void {
    const models = key.limits.models;
    if (models !== null && !models.some((pattern) => matchesModelPattern(pattern, request.clientModel))) {
      throw new VigilError('forbidden', `the key "${key.name}" may not use the model "${request.clientModel}" (it may use: ${models.join(', ') || 'none'})`);
    }
  }

  #perMinute(key: GatewayKey, recent: readonly number[], limit: number, now: number): VigilError {
    const retryAfterMs = Math.max(1, (recent[recent.length - limit] ?? now) + MINUTE_MS - now);
    return new VigilError('rate_limited', `the key "${key.name}" may make ${limit} requests per minute`, { retryable: true, retryAfterMs });
  }

  #atOnce(key: GatewayKey, limit: number): VigilError {
    return new VigilError('rate_limited', `the key "${key.name}" may have ${limit} requests running at once`, { retryable: true, retryAfterMs: 1000 });
  }

  /**
   * max_tokens after the key's caps: no more than max_output_tokens, and no more than the context
   * the prompt leaves free. A prompt that alone fills the context is refused, like a model server
   * refuses a prompt longer than its window, so that no client makes the server load a larger one.
   */
  #maxTokens(key: GatewayKey, request: AdmissionRequest): number {
    const { maxOutputTokens, maxContextTokens } = key.limits;
    let maxTokens = request.maxTokens ?? maxOutputTokens ?? this.#deps.defaultMaxTokens ?? 4096;
    if (maxOutputTokens !== null) maxTokens = Math.min(maxTokens, maxOutputTokens);
    if (maxContextTokens !== null) {
      const room = maxContextTokens - request.promptTokens;
      if (room < 1) {
        throw new VigilError(
          'invalid_argument',
          `prompt is too long: about ${request.promptTokens} tokens (an estimate) > ${maxContextTokens}, the most the key "${key.name}" may send`,
        );
      }
      maxTokens = Math.min(maxTokens, room);
    }
    return Math.max(1, maxTokens);
  }
}
