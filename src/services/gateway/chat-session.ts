import type { ChatStreamEvent, ChatUsage } from '../../domain/chat/chat-types.ts';
import { VigilError, isVigilError } from '../../domain/errors.ts';

/**
 * How a session ended. A failure after the backend began still cost its prompt and what it
 * generated: `usage` then holds estimates, so a client cannot get answers free by leaving early.
 */
export type SessionOutcome = { ok: true; usage: ChatUsage } | { ok: false; error: VigilError; usage?: ChatUsage };

/** Characters per token for what the backend streamed, when it did not get to say (token-estimate.ts' Latin rate). */
const CHARS_PER_TOKEN = 4;

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

  #first: ChatStreamEvent | undefined;
  readonly #rest: AsyncIterator<ChatStreamEvent>;
  readonly #cancelBackend: () => void;
  readonly #settle: (outcome: SessionOutcome) => void;
  #streamedChars = 0;
  #settled = false;

  constructor(init: {
    provider: string;
    model: string;
    promptTokens: number;
    queueWaitMs: number;
    first: ChatStreamEvent;
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
        result = { done: false, value: this.#first };
        this.#first = undefined;
      } else {
        result = await this.#rest.next();
      }
    } catch (error) {
      this.#finish({ ok: false, error: asVigilError(error), usage: this.#spentSoFar() });
      throw error;
    }
    if (result.done) {
      // Only reached without an end event (after one the session is settled): the answer broke off.
      this.#finish({ ok: false, error: new VigilError('provider_bad_output', 'the backend stream ended without finishing its answer', { retryable: true }), usage: this.#spentSoFar() });
      return result;
    }
    const event = result.value;
    if (event.type === 'end') {
      // Some backends do not count the prompt (0): the estimate stands in, for the client and the accounts alike.
      const usage = { inputTokens: event.usage.inputTokens || this.promptTokens, outputTokens: event.usage.outputTokens };
      // The answer is complete at its end event (a backend sends nothing after it): settled now, so
      // a reader that stops here (encoders do) counts as done, and the slot is free before the
      // client has read the last bytes.
      this.#finish({ ok: true, usage });
      this.#rest.return?.().catch(() => undefined);
      return { done: false, value: { ...event, usage } };
    }
    this.#streamedChars += event.type === 'tool_call_delta' ? event.argumentsJson.length : event.type === 'tool_call_start' ? event.name.length : event.text.length;
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
    this.#finish({ ok: false, error: new VigilError('aborted', reason), usage: this.#spentSoFar() });
    // The backend's iterator ends its request when told to; its own failure now is of no interest.
    this.#rest.return?.().catch(() => undefined);
  }

  /** The backend read the whole prompt and generated what was streamed, though it never said how much. */
  #spentSoFar(): ChatUsage {
    return { inputTokens: this.promptTokens, outputTokens: Math.ceil(this.#streamedChars / CHARS_PER_TOKEN) };
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
