import { isVigilError, type ErrorCode } from '../../domain/errors.ts';
import type { GenerateRequest, GenerateResult, LlmProvider } from '../../ports/llm-provider.ts';
import type { Logger } from '../../ports/logger.ts';
import type { ProviderQueue, ProviderQueueStats } from './queue/index.ts';

export type RequestPriority = 'interactive' | 'background';

/** The configured providers by name, each behind its queue; a view carries priority and camera for accounting. */
export interface ProviderRegistry {
  names(): string[];
  get(name: string, context: { priority: RequestPriority; camera?: string }): LlmProvider | undefined;
}

/** A queue's figures, and for a provider with a fallback, how often its calls were handed over. */
export interface RegistryProviderStats extends ProviderQueueStats {
  fallback?: { provider: string; handedOver: number };
}

/**
 * Failures that say the provider is down: connection refused, no answer in time, 5xx (all
 * provider_unavailable / provider_timeout after the queue) or its circuit open. Only these go to
 * the fallback. A refusal (bad key, bad request, rate limit, unusable output) would be refused
 * or mishandled alike by another provider, or says something the operator must fix.
 */
const OUTAGES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['provider_unavailable', 'provider_timeout', 'circuit_open']);

export interface ProviderRegistryEntry {
  queue: ProviderQueue;
  /** The provider to ask when this one is down (`genai.providers.<name>.fallback`). */
  fallback?: string;
}

/**
 * The registry the services get: `get(name)` is the provider's queue, or, when it names a
 * fallback, a provider that asks the chain in order (a → b → c) and moves on only when one is
 * down. Each queue counts its own calls, so the stats show which provider answered; the one that
 * handed a call over also counts that. Embeddings never fall back: vectors from two models do not
 * share a space, and mixing them in one index would spoil every search.
 */
/** What the composition root gets besides the services' view: the figures, and each provider's queue and chain for the gateway. */
export interface ProviderRegistryAdmin extends ProviderRegistry {
  stats(): RegistryProviderStats[];
  /** The provider's own queue (its slots are shared by every caller: descriptions, answers, gateway). */
  queue(name: string): ProviderQueue | undefined;
  /** The providers after `name` in its fallback chain, in order. */
  fallbacksOf(name: string): string[];
}

export function createProviderRegistry(entries: ReadonlyMap<string, ProviderRegistryEntry>, logger?: Logger): ProviderRegistryAdmin {
  const handedOver = new Map<string, number>();
  const log = logger?.child({ module: 'provider-registry' });

  const chainOf = (name: string): ProviderQueue[] => {
    const chain: ProviderQueue[] = [];
    const seen = new Set<string>();
    for (let next: string | undefined = name; next !== undefined && !seen.has(next); next = entries.get(next)?.fallback) {
      seen.add(next);
      const entry = entries.get(next);
      if (entry) chain.push(entry.queue);
    }
    return chain;
  };

  return {
    names: () => [...entries.keys()],
    queue: (name) => entries.get(name)?.queue,
    fallbacksOf: (name) => chainOf(name).slice(1).map((q) => q.name),
    get(name, context) {
      const chain = chainOf(name);
      const [primary] = chain;
      if (primary === undefined) return undefined;
      if (chain.length === 1) return primary.provider(context);
      return {
        name: primary.name,
        kind: primary.kind,
        model: primary.model,
        embed: (texts, options) => primary.provider(context).embed(texts, options),
        async generate(request: GenerateRequest): Promise<GenerateResult> {
          for (let i = 0; ; i++) {
            const queue = chain[i] as ProviderQueue;
            const next = chain[i + 1];
            try {
              return await queue.generate(request, { ...context, ...(next ? { failFast: true } : {}) });
            } catch (error) {
              if (next === undefined || request.signal?.aborted || !isVigilError(error) || !OUTAGES.has(error.code)) throw error;
              handedOver.set(queue.name, (handedOver.get(queue.name) ?? 0) + 1);
              log?.warn({ provider: queue.name, fallback: next.name, code: error.code, camera: context.camera }, 'model provider is down; asking its fallback');
            }
          }
        },
      };
    },
    stats: () =>
      [...entries.values()].map(({ queue, fallback }) => ({
        ...queue.stats(),
        ...(fallback === undefined ? {} : { fallback: { provider: fallback, handedOver: handedOver.get(queue.name) ?? 0 } }),
      })),
  };
}
