import type { ChatStreamEvent, ChatUsage } from '../../domain/chat/chat-types.ts';
import { VigilError, isVigilError } from '../../domain/errors.ts';

export type SessionOutcome = { ok: true; usage: ChatUsage } | { ok: false; error: VigilError };

/**
 * One model answer on its way to a client: the backend's stream with its first event already in
 * hand (so a failure before it could still go to a fallback, and the client got an HTTP status
 * instead of a broken stream). Iterate it once. However it ends (finished, failed, or the client
 * stopped reading or went away) `settle` runs exactly once: it frees the model slot and the key's
 * place, and accounts the request.
 */
export class ChatSession implements AsyncIterableIterator<ChatStreamEvent> {
  readonly provider: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly queueWaitMs: number;

  #first: IteratorResult<ChatStreamEvent> | undefined;
  readonly #rest: AsyncIterator<ChatStreamEvent>;
  readonly #cancelBackend: () => void;
  readonly #settle: (outcome: SessionOutcome) => void;
  #usage: ChatUsage | undefined;
  #settled = false;

  constructor(init: {
    provider: string;
    model: string;
    promptTokens: number;
    queueWaitMs: number;
    first: IteratorResult<ChatStreamEvent>;
    rest: AsyncIterator<ChatStreamEvent>;
    cancelBackend: () => void;
    settle: (outcome: SessionOutcome) => void;
  }) {
    this.provider = init.provider;
    this.model = init.model;
    this.promptTokens = init.promptTokens;
    this.queueWaitMs = init.queueWaitMs;
    this.#first = init.first;
    this.#rest = init.rest;
    this.#cancelBackend = init.cancelBackend;
    this.#settle = init.settle;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ChatStreamEvent>> {
    if (this.#settled) return { done: true, value: undefined };
    let result: IteratorResult<ChatStreamEvent>;
    try {
      if (this.#first) {
        result = this.#first;
        this.#first = undefined;
      } else {
        result = await this.#rest.next();
      }
    } catch (error) {
      this.#finish({ ok: false, error: asVigilError(error) });
      throw error;
    }
    if (result.done) {
      // Only reached without an end event (after one the session is settled): the answer broke off.
      this.#finish({ ok: false, error: new VigilError('provider_bad_output', 'the backend stream ended without finishing its answer', { retryable: true }) });
      return result;
    }
    if (result.value.type === 'end') {
      // The answer is complete at its end event (a backend sends nothing after it): settled now, so
      // a reader that stops here (encoders do) counts as done, and the slot is free before the
      // client has read the last bytes.
      this.#usage = result.value.usage;
      this.#finish({ ok: true, usage: this.#usage });
      this.#rest.return?.().catch(() => undefined);
    }
    return result;
  }

  /** The client stopped reading (or went away): close the backend's request and free the slot now. */
  async return(): Promise<IteratorResult<ChatStreamEvent>> {
    this.cancel('the client stopped reading the answer');
    return { done: true, value: undefined };
  }

  cancel(reason: string): void {
    if (this.#settled) return;
    this.#cancelBackend();
    this.#finish({ ok: false, error: new VigilError('aborted', reason) });
    // The backend's iterator ends its request when told to; its own failure now is of no interest.
    this.#rest.return?.().catch(() => undefined);
  }

  #finish(outcome: SessionOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(outcome);
  }
}

export function asVigilError(error: unknown): VigilError {
  if (isVigilError(error)) return error;
  if (error instanceof Error && error.name === 'AbortError') return new VigilError('aborted', 'the request was cancelled', { cause: error });
  return new VigilError('provider_failed', 'the model backend failed unexpectedly', { cause: error });
}
