import { isVigilError, VigilError, type ErrorCode } from '../../../domain/errors.ts';
import { formatClock } from '../../../domain/events/phrases.ts';
import type { GenerateResult, LlmProvider } from '../../../ports/llm-provider.ts';
import type { Clock, Logger } from '../../../ports/logger.ts';
import type { SearchHit } from '../../../ports/search-store.ts';
import type { AnswerLanguage } from '../../search/answer.ts';
import type { SearchInterpretation } from '../../search/search.service.ts';
import type { ProviderRegistry } from '../provider-registry.ts';
import { buildAnswerPrompt, formatDate, summaryIn, type AnswerPrompt } from './answer-prompt.ts';
import { answerJsonSchema, parseModelAnswer } from './answer-schema.ts';

export interface AnswerServiceDeps {
  providers: ProviderRegistry;
  /** The provider of the answers role (genai.roles.answers). */
  providerName: string;
  clock: Clock;
  logger: Logger;
  /** How long a user waits for the model before getting the deterministic answer. Default 30 s. */
  timeoutMs?: number;
  /** Events sent to the model at most, the most relevant first. Default 12. */
  maxCandidates?: number;
  /** For camera names in the prompt. */
  cameras?: ReadonlyArray<{ id: string; name: string }>;
  /** Stored summaries are Traditional Chinese; zh-Hans questions get them converted. */
  toSimplified?: (text: string) => string;
  /** The summary of an event's model description in `language`, when it has one. */
  descriptionSummary?: (eventId: string, language: AnswerLanguage) => Promise<string | undefined>;
}

export interface AnswerInput {
  question: string;
  language: AnswerLanguage;
  interpretation: SearchInterpretation;
  /** The search's hits, most relevant first. */
  candidates: readonly SearchHit[];
  /** The search's own answer: what the user gets whenever the model fails. */
  deterministic: { text: string; missingInfo: readonly string[] };
  /** Zone in which the question was read (search.timezone). */
  timeZone: string;
  signal?: AbortSignal;
}

export interface TimelineEntry {
  event_id: string;
  time: string;
  what: string;
}

export interface GeneratedAnswer {
  text: string;
  timeline: TimelineEntry[];
  missing_info: string[];
  /** Ids of the candidate events the answer rests on. */
  cited: string[];
  /** False: the deterministic answer, because of `fallback_reason`. */
  generated: boolean;
  fallback_reason?: string;
  /** The model that replied, when one did. */
  model?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CANDIDATES = 12;
/** Enough for a short answer and a timeline of a dozen events in Chinese. */
const MAX_OUTPUT_TOKENS = 1024;
/** Low: an answer is a report of facts. */
const TEMPERATURE = 0.1;

type CallOutcome = { kind: 'ok'; result: GenerateResult } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'cancelled' };

/** Short phrases for the provider and queue failures a user may meet. */
const PROVIDER_FAILURES: Partial<Record<ErrorCode, string>> = {
  provider_timeout: 'the model timed out',
  provider_unavailable: 'the model is unreachable',
  provider_rate_limited: 'the model is busy',
  queue_full: 'the model is busy',
  circuit_open: 'the model is paused after repeated failures',
  provider_auth: 'the model refused the credentials',
  provider_bad_request: 'the model rejected the request',
  provider_bad_output: "the model's reply was unreadable",
  aborted: 'the request was cancelled',
};

/**
 * Answers a question in words from the events the search found, with an `answers` model: the
 * model sees only those events and must cite the ones it mentions; citations of anything else
 * are dropped. Whenever the model cannot be used (timeout, outage, invalid or uncited output)
 * the search's deterministic answer is returned instead, marked as such, so a question always
 * gets an answer.
 */
export class AnswerService {
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly maxCandidates: number;

  constructor(private readonly deps: AnswerServiceDeps) {
    this.log = deps.logger.child({ module: 'answers' });
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxCandidates = deps.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  }

  async answer(input: AnswerInput): Promise<GeneratedAnswer> {
    const candidates = input.candidates.slice(0, this.maxCandidates);
    const fallback = (reason: string, details: Record<string, unknown> = {}, model?: string): GeneratedAnswer => {
      this.log.warn({ reason, provider: this.deps.providerName, ...details }, 'answering without the model');
      return { ...this.deterministic(input, candidates), generated: false, fallback_reason: reason, ...(model !== undefined ? { model } : {}) };
    };
    if (input.signal?.aborted) return fallback(PROVIDER_FAILURES.aborted as string);
    const provider = this.deps.providers.get(this.deps.providerName, { priority: 'interactive' });
    if (!provider) return fallback(`the answers provider "${this.deps.providerName}" is not configured`);

    const prompt = await this.prompt(input, candidates);
    if (input.signal?.aborted) return fallback(PROVIDER_FAILURES.aborted as string);
    const startedAt = this.deps.clock.now();
    const outcome = await this.call(provider, prompt, input.signal);
    switch (outcome.kind) {
      case 'timeout':
        return fallback(`no answer within ${formatSeconds(this.timeoutMs)}`);
      case 'cancelled':
        return fallback(PROVIDER_FAILURES.aborted as string);
      case 'error': {
        const { error } = outcome;
        // Adapters and the queue turn every failure into a VigilError; anything else is a bug.
        if (!isVigilError(error)) throw error;
        return fallback(`${PROVIDER_FAILURES[error.code] ?? 'the model failed'} (${error.code})`, { err: error });
      }
    }

    const { result } = outcome;
    const parsed = parseModelAnswer(result.text);
    if (!parsed.ok) {
      const reason = parsed.problem === 'invalid_json' ? "the model's answer was not valid JSON" : "the model's answer did not match the schema";
      return fallback(reason, { errors: parsed.errors }, result.model);
    }

    const known = new Set(candidates.map((c) => c.stored.event.id));
    const { answer } = parsed;
    const mentioned = [...answer.cited_event_ids, ...answer.timeline.map((t) => t.event_id)];
    const invented = unique(mentioned.filter((id) => !known.has(id)));
    if (invented.length > 0) {
      this.log.warn({ invented, provider: provider.name, model: result.model }, 'the model cited events that were not found; citations dropped');
    }
    const cited = unique(mentioned.filter((id) => known.has(id)));
    if (candidates.length > 0 && cited.length === 0) {
      return fallback("the model's answer cited none of the events found", { invented }, result.model);
    }
    this.log.info(
      { provider: provider.name, model: result.model, latencyMs: this.deps.clock.now() - startedAt, candidates: candidates.length, cited: cited.length },
      'answered with the model',
    );
    return {
      text: answer.answer,
      timeline: answer.timeline.filter((t) => known.has(t.event_id)).map((t) => ({ event_id: t.event_id, time: t.time, what: t.what })),
      // The deterministic gaps are facts about coverage: they stay even if the model left them out.
      missing_info: unique([...input.deterministic.missingInfo, ...answer.missing_info.map((m) => m.trim()).filter(Boolean)]),
      cited,
      generated: true,
      model: result.model,
    };
  }

  private async prompt(input: AnswerInput, candidates: readonly SearchHit[]): Promise<AnswerPrompt> {
    const descriptions: Record<string, string> = {};
    const summaryOf = this.deps.descriptionSummary;
    if (summaryOf) {
      const summaries = await Promise.all(candidates.map(({ stored }) => summaryOf(stored.event.id, input.language)));
      candidates.forEach(({ stored }, i) => {
        const summary = summaries[i];
        if (summary !== undefined) descriptions[stored.event.id] = summary;
      });
    }
    return buildAnswerPrompt({
      question: input.question,
      language: input.language,
      interpretation: input.interpretation,
      candidates,
      found: input.candidates.length,
      missingInfo: input.deterministic.missingInfo,
      timeZone: input.timeZone,
      cameraNames: Object.fromEntries((this.deps.cameras ?? []).map((c) => [c.id, c.name])),
      descriptions,
      ...(this.deps.toSimplified ? { toSimplified: this.deps.toSimplified } : {}),
    });
  }

  /**
   * One call, bounded by the timeout and the caller's signal. The race does not rely on the
   * provider honouring the abort: a provider that never answers still gives way on time.
   */
  private async call(provider: LlmProvider, prompt: AnswerPrompt, signal: AbortSignal | undefined): Promise<CallOutcome> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const timedOut = new Promise<CallOutcome>((resolve) => {
      timer = setTimeout(() => {
        resolve({ kind: 'timeout' });
        controller.abort(new VigilError('provider_timeout', `no answer within ${formatSeconds(this.timeoutMs)}`));
      }, this.timeoutMs);
    });
    const cancelled = new Promise<CallOutcome>((resolve) => {
      onAbort = () => {
        resolve({ kind: 'cancelled' });
        controller.abort(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    // Settles to a value either way, so a reply arriving after the timeout is never unhandled.
    const request = Promise.resolve()
      .then(() =>
        provider.generate({
          system: prompt.system,
          prompt: prompt.prompt,
          jsonSchema: answerJsonSchema(),
          maxOutputTokens: MAX_OUTPUT_TOKENS,
          temperature: TEMPERATURE,
          signal: controller.signal,
        }),
      )
      .then(
        (result): CallOutcome => ({ kind: 'ok', result }),
        (error: unknown): CallOutcome => ({ kind: 'error', error }),
      );
    try {
      return await Promise.race([request, timedOut, cancelled]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  /** The search's answer, with a timeline of the events it rests on. */
  private deterministic(input: AnswerInput, candidates: readonly SearchHit[]): Omit<GeneratedAnswer, 'generated'> {
    const events = candidates.map((c) => c.stored.event).sort((a, b) => a.startMs - b.startMs);
    const oneDay = new Set(events.map((e) => formatDate(e.startMs, input.timeZone))).size <= 1;
    const time = (ms: number) => (oneDay ? formatClock(ms, input.timeZone) : `${formatDate(ms, input.timeZone)} ${formatClock(ms, input.timeZone)}`);
    return {
      text: input.deterministic.text,
      timeline: events.map((e) => ({ event_id: e.id, time: time(e.startMs), what: summaryIn(e, input.language, this.deps.toSimplified) })),
      missing_info: [...input.deterministic.missingInfo],
      cited: events.map((e) => e.id),
    };
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
