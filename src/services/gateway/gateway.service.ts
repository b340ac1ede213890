import type { ChatRequest, ChatStreamEvent } from '../../domain/chat/chat-types.ts';
import { estimateTokens } from '../../domain/chat/token-estimate.ts';
import { VigilError, type ErrorCode } from '../../domain/errors.ts';
import type { ChatBackend } from '../../ports/chat-backend.ts';
import type { GatewayKey } from '../../ports/gateway-store.ts';
import type { EmbedResult, LlmProvider } from '../../ports/llm-provider.ts';
import type { Logger } from '../../ports/logger.ts';
import type { QueueLease } from '../genai/queue/index.ts';
import { ChatSession, asVigilError, type SessionOutcome } from './chat-session.ts';
import type { GatewayUsageCounters, GatewayUsageMeter } from './gateway-usage.ts';
import { KeyAdmission, type Admission } from './key-admission.ts';
import { listedModels, matchesModelPattern, resolveRoute, type ModelRoute, type ResolvedRoute, type RouteTarget } from './model-routes.ts';

/** A provider as the gateway uses it: its chat backend and the queue its slots come from (shared with Vigil's own work). */
export interface GatewayTarget {
  backend: ChatBackend;
  /** The backend's context window when the configuration fixes it (Ollama's options.num_ctx); undefined: unknown. */
  contextTokens?: number;
  lease(options: { priority: GatewayKey['limits']['priority']; signal: AbortSignal }): Promise<QueueLease>;
}

export interface GatewayEmbeddings {
  /** The provider's embedding model, named in answers. */
  model: string;
  /** The provider behind its queue, at the key's priority. */
  provider(priority: GatewayKey['limits']['priority']): Pick<LlmProvider, 'embed'>;
}

export interface GatewayServiceDeps {
  routes: readonly ModelRoute[];
  target(provider: string): GatewayTarget | undefined;
  fallbackChainOf(provider: string): readonly string[];
  authenticate(secret: string): Promise<GatewayKey | undefined>;
  usage: GatewayUsageMeter;
  embeddings?: GatewayEmbeddings;
  now: () => number;
  logger: Logger;
}

/** What a chat needs besides the conversation: who asks, for which model name, and how much at most. */
export interface ChatCall {
  key: GatewayKey;
  clientModel: string;
  request: Omit<ChatRequest, 'model' | 'maxTokens'>;
  maxTokens: number | undefined;
  /** The client's connection: aborting it frees the slot at once. */
  signal: AbortSignal;
}

/** Failures that say a backend is down, not that the request is wrong: only these go to the next target. */
const OUTAGES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['provider_unavailable', 'provider_timeout', 'circuit_open']);

/**
 * The model gateway: a client's request, under its key's limits, routed by model name to a
 * configured provider and queued for it beside Vigil's own descriptions and answers (one
 * concurrency limit per backend, the key's priority), with fallbacks tried only while nothing has
 * been streamed. Client protocols (Anthropic, OpenAI) live in src/http/gateway; this knows none.
 */
export class GatewayService {
  readonly #deps: GatewayServiceDeps;
  readonly #admission: KeyAdmission;
  readonly #log: Logger;

  constructor(deps: GatewayServiceDeps) {
    this.#deps = deps;
    this.#admission = new KeyAdmission({ now: deps.now, tokensOn: (id, day) => deps.usage.tokensOn(id, day) });
    this.#log = deps.logger.child({ module: 'gateway' });
  }

  /** The key a secret belongs to; unauthorized for none, an unknown or a revoked one. */
  async authenticate(secret: string | undefined): Promise<GatewayKey> {
    const key = secret ? await this.#deps.authenticate(secret) : undefined;
    if (!key) {
      throw new VigilError('unauthorized', secret ? 'invalid or revoked API key' : 'an API key is required (x-api-key: <key> or Authorization: Bearer <key>; create one with `vigil keys create NAME`)');
    }
    return key;
  }

  /** Requests, tokens and time per key and model since start (/metrics). */
  usageCounters(): GatewayUsageCounters[] {
    return this.#deps.usage.counters();
  }

  /** Requests of a key running now. */
  activeRequests(keyId: string): number {
    return this.#admission.active(keyId);
  }

  /**
   * The model names a key can ask for, for clients that offer a choice (Open WebUI): the routes'
   * exact names, then the backends' own model names where asking for one gets that very model.
   */
  models(key: GatewayKey): string[] {
    const allowed = key.limits.models;
    const backendNames = this.#deps.routes.flatMap((route) => {
      const model = route.model ?? this.#deps.target(route.provider)?.backend.model;
      if (model === undefined) return [];
      const match = this.#deps.routes.find((r) => matchesModelPattern(r.name, model));
      const first = match ? { provider: match.provider, model: match.model } : undefined;
      const lands = first !== undefined && first.provider === route.provider && (first.model ?? this.#deps.target(first.provider)?.backend.model) === model;
      return lands ? [model] : [];
    });
    return [...new Set([...listedModels(this.#deps.routes), ...backendNames])].filter((name) => allowed === null || allowed.some((p) => matchesModelPattern(p, name)));
  }

  /** The prompt's size as the gateway estimates it (what count_tokens answers). */
  countTokens(request: Pick<ChatRequest, 'system' | 'messages' | 'tools'>): number {
    return estimateTokens(request);
  }

  /**
   * Refuses at once a key already at its requests per minute or requests at once, before its
   * request body is read (a body can be tens of MiB); the full check comes with the request.
   */
  precheck(key: GatewayKey): void {
    this.#admission.precheck(key);
  }

  /**
   * Routes, admits and queues a chat, and returns once its backend has produced the first event;
   * a failure before that is thrown (and, for an outage, the next target was tried first).
   * Requests refused before a backend is asked are accounted under the route's name (or
   * "(unrouted)"): a set the configuration bounds, whatever names clients make up.
   */
  async chat(call: ChatCall): Promise<ChatSession> {
    const started = this.#deps.now();
    const promptTokens = estimateTokens(call.request);
    let route: ResolvedRoute;
    try {
      route = resolveRoute(this.#deps.routes, call.clientModel, this.#deps.fallbackChainOf);
    } catch (error) {
      await this.#account(call, UNROUTED, { ok: false, error: asVigilError(error) }, 0, started);
      throw error;
    }
    const admission = await this.#admitOrAccount(call, route.matched, promptTokens, started);
    let last: VigilError | undefined;
    for (const [i, target] of route.targets.entries()) {
      const isLast = i === route.targets.length - 1;
      try {
        return await this.#open(call, target, admission, promptTokens, started);
      } catch (error) {
        last = asVigilError(error);
        if (isLast || call.signal.aborted || !OUTAGES.has(last.code)) break;
        this.#log.warn({ provider: target.provider, next: route.targets[i + 1]?.provider, code: last.code, model: call.clientModel }, 'gateway backend is down; trying the next one');
      }
    }
    const failure = last ?? new VigilError('internal', 'no backend was tried');
    admission.release();
    await this.#account(call, call.clientModel, { ok: false, error: failure }, 0, started);
    throw failure;
  }

  /** Embeddings from the configured embeddings provider, under the key's limits. */
  async embed(input: { key: GatewayKey; clientModel: string; texts: readonly string[]; signal: AbortSignal }): Promise<{ vectors: number[][]; model: string; inputTokens: number }> {
    const embeddings = this.#deps.embeddings;
    if (!embeddings) throw new VigilError('not_found', 'no embeddings provider is configured (gateway.embeddings or genai.roles.embeddings)');
    const started = this.#deps.now();
    const promptTokens = input.texts.reduce((sum, text) => sum + estimateTokens({ messages: [{ role: 'user', content: [{ type: 'text', text }] }] }), 0);
    const call = { key: input.key, clientModel: input.clientModel };
    // Embeddings have one model whatever the name asked for: accounted under it, so names clients make up add no rows.
    const admission = await this.#admitOrAccount({ ...call, maxTokens: 1 }, embeddings.model, promptTokens, started);
    let result: EmbedResult;
    try {
      result = await embeddings.provider(input.key.limits.priority).embed(input.texts, { signal: input.signal });
    } catch (error) {
      admission.release();
      await this.#account(call, embeddings.model, { ok: false, error: asVigilError(error) }, 0, started);
      throw error;
    }
    const inputTokens = result.usage.inputTokens ?? promptTokens;
    const stored = this.#account(call, embeddings.model, { ok: true, usage: { inputTokens, outputTokens: 0 } }, 0, started);
    admission.release({ tokens: inputTokens, stored });
    await stored;
    return { vectors: result.vectors, model: result.model || embeddings.model, inputTokens };
  }

  async #open(call: ChatCall, target: RouteTarget, admission: Admission, promptTokens: number, started: number): Promise<ChatSession> {
    const chosen = this.#deps.target(target.provider);
    if (!chosen) throw new VigilError('config_invalid', `the gateway routes to the provider "${target.provider}", which is not configured`);
    const { backend } = chosen;
    const choice = call.request.toolChoice;
    if ((choice?.type === 'any' || choice?.type === 'tool') && !backend.capabilities.forcedToolChoice) {
      throw new VigilError(
        'invalid_argument',
        `the model behind "${call.clientModel}" (${backend.kind} provider "${backend.name}") cannot be made to call a tool: send tool_choice "auto" (or leave it out)`,
      );
    }
    const maxTokens = fitToContext(admission.maxTokens, promptTokens, chosen.contextTokens, `the context of the model behind "${call.clientModel}" (provider "${backend.name}", num_ctx)`);
    const controller = new AbortController();
    const onClientGone = () => controller.abort(call.signal.reason);
    if (call.signal.aborted) onClientGone();
    else call.signal.addEventListener('abort', onClientGone, { once: true });
    const detach = () => call.signal.removeEventListener('abort', onClientGone);

    let lease: QueueLease;
    try {
      lease = await chosen.lease({ priority: call.key.limits.priority, signal: controller.signal });
    } catch (error) {
      detach();
      throw error;
    }
    const model = target.model ?? backend.model;
    const request: ChatRequest = { ...call.request, model, maxTokens };
    let stream: AsyncIterator<ChatStreamEvent> | undefined;
    let first: IteratorResult<ChatStreamEvent>;
    try {
      stream = backend.chat(request, { signal: controller.signal })[Symbol.asyncIterator]();
      first = await stream.next();
      // A stream that ends before saying anything is a broken answer, told as an HTTP error.
      if (first.done) throw new VigilError('provider_bad_output', `the model provider "${backend.name}" ended its answer without a word`, { retryable: true });
    } catch (error) {
      detach();
      controller.abort();
      lease.finish({ error });
      throw error;
    }
    return new ChatSession({
      provider: backend.name,
      model,
      promptTokens,
      queueWaitMs: lease.waitedMs,
      first: first.value,
      rest: stream,
      cancelBackend: () => controller.abort(new VigilError('aborted', 'the client went away')),
      settle: (outcome) => {
        detach();
        lease.finish(outcome.ok ? { usage: outcome.usage } : { error: outcome.error });
        // The key's tokens stay reserved until its usage is stored (key-admission.ts).
        const stored = this.#account(call, call.clientModel, outcome, lease.waitedMs, started);
        admission.release({ tokens: (outcome.usage?.inputTokens ?? 0) + (outcome.usage?.outputTokens ?? 0), stored });
        if (!outcome.ok && outcome.error.code !== 'aborted') {
          this.#log.warn({ key: call.key.name, model: call.clientModel, provider: backend.name, code: outcome.error.code }, 'gateway answer failed after it began');
        }
      },
    });
  }

  /** Admission, accounting a refusal as a failed request of the key (so limits show in usage). */
  async #admitOrAccount(call: Pick<ChatCall, 'key' | 'clientModel' | 'maxTokens'>, accountAs: string, promptTokens: number, started: number): Promise<Admission> {
    try {
      return await this.#admission.admit(call.key, { clientModel: call.clientModel, promptTokens, maxTokens: call.maxTokens });
    } catch (error) {
      await this.#account(call, accountAs, { ok: false, error: asVigilError(error) }, 0, started);
      throw error;
    }
  }

  /** Counts the request and stores its usage; settles when the row is written (never rejects: a failed write is logged by the meter). */
  #account(call: Pick<ChatCall, 'key'>, model: string, outcome: SessionOutcome, queueWaitMs: number, started: number): Promise<void> {
    const now = this.#deps.now();
    return this.#deps.usage.record(
      {
        keyId: call.key.id,
        model,
        at: now,
        ok: outcome.ok,
        inputTokens: outcome.usage?.inputTokens ?? 0,
        outputTokens: outcome.usage?.outputTokens ?? 0,
        queueWaitMs,
        latencyMs: now - started,
      },
      call.key.name,
    );
  }
}

/** What usage calls a request no route matched. */
export const UNROUTED = '(unrouted)';

/**
 * max_tokens within what the backend's context leaves after the prompt. A prompt that alone fills
 * it is refused: Ollama would otherwise silently drop its beginning (the system prompt, the tools).
 */
function fitToContext(maxTokens: number, promptTokens: number, contextTokens: number | undefined, what: string): number {
  if (contextTokens === undefined) return maxTokens;
  const room = contextTokens - promptTokens;
  if (room < 1) throw new VigilError('invalid_argument', `prompt is too long: about ${promptTokens} tokens (an estimate) > ${contextTokens}, ${what}`);
  return Math.min(maxTokens, room);
}
