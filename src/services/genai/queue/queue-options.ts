import { VigilError } from '../../../domain/errors.ts';
import type { ProviderKind } from '../../../ports/llm-provider.ts';
import { DEFAULT_CIRCUIT_OPTIONS } from './circuit-breaker.ts';
import type { CircuitBreakerOptions } from './circuit-breaker.ts';
import { DEFAULT_RETRY_OPTIONS } from './retry-policy.ts';
import type { RetryOptions } from './retry-policy.ts';
import type { QueuePriority } from './wait-queue.ts';

export interface ProviderQueueOptions {
  /** Requests at the provider at once. Default: 1 for Ollama (one GPU), 4 for hosted APIs. */
  concurrency?: number;
  /** Requests waiting for a slot before new ones get queue_full. Default 50. */
  maxQueued?: number;
  /** For callers that do not say (plain LlmProvider callers). Default 'background'. */
  defaultPriority?: QueuePriority;
  retry?: Partial<RetryOptions>;
  circuit?: Partial<CircuitBreakerOptions>;
  /** Latency samples kept for percentiles and wait estimates. Default 256. */
  latencyWindow?: number;
  /** Assumed time per request before any has been measured, for Retry-After estimates. Default 5000. */
  initialLatencyEstimateMs?: number;
}

export type ResolvedQueueOptions = Required<Omit<ProviderQueueOptions, 'retry' | 'circuit'>> & {
  retry: RetryOptions;
  circuit: CircuitBreakerOptions;
};

/**
 * Ollama's FAQ: with one GPU, parallel requests share it and each gets slower, so one at a
 * time; hosted APIs serve several at once and answer "too many" with 429, which the retries handle.
 */
export const DEFAULT_CONCURRENCY: Readonly<Record<ProviderKind, number>> = {
  ollama: 1,
  openai: 4,
  azure_openai: 4,
  gemini: 4,
  anthropic: 4,
};

export const DEFAULT_MAX_QUEUED = 50;

/** Fills in defaults and fails fast, naming the field, on a value that cannot work. */
export function resolveQueueOptions(kind: ProviderKind, options: ProviderQueueOptions = {}): ResolvedQueueOptions {
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
  const circuit = { ...DEFAULT_CIRCUIT_OPTIONS, ...options.circuit };
  positiveInt('retry.maxAttempts', retry.maxAttempts);
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) nonNegative(`retry.${key}`, retry[key]);
  positiveInt('circuit.failureThreshold', circuit.failureThreshold);
  nonNegative('circuit.cooldownMs', circuit.cooldownMs);
  const priority = options.defaultPriority ?? 'background';
  if (priority !== 'interactive' && priority !== 'background') {
    throw new VigilError('invalid_argument', `defaultPriority must be "interactive" or "background" (got ${String(priority)}).`);
  }
  return {
    concurrency: positiveInt('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY[kind]),
    maxQueued: nonNegativeInt('maxQueued', options.maxQueued ?? DEFAULT_MAX_QUEUED),
    defaultPriority: priority,
    latencyWindow: positiveInt('latencyWindow', options.latencyWindow ?? 256),
    initialLatencyEstimateMs: nonNegative('initialLatencyEstimateMs', options.initialLatencyEstimateMs ?? 5_000),
    retry,
    circuit,
  };
}

function nonNegative(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new VigilError('invalid_argument', `${field} must be a number of at least 0 (got ${value}).`);
  }
  return value;
}

function nonNegativeInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new VigilError('invalid_argument', `${field} must be a whole number of at least 0 (got ${value}).`);
  }
  return value;
}

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new VigilError('invalid_argument', `${field} must be a whole number of at least 1 (got ${value}).`);
  }
  return value;
}
