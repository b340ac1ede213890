import { VigilError } from '../../../domain/errors.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { DescriptionStore } from '../../../ports/description-store.ts';
import type { EventStore } from '../../../ports/event-store.ts';
import type { ClaimedJob, JobQueue, JobStatus } from '../../../ports/job-queue.ts';
import type { Clock, Logger } from '../../../ports/logger.ts';
import type { VectorFilter, VectorIndex, VectorIndexInfo, VectorMatch } from '../../../ports/vector-index.ts';
import { DEFAULT_LEASE_MS, type JobLane } from '../../jobs/job-runner.ts';
import { errorText, MODEL_RETRY_SCHEDULE, type RetrySchedule } from '../../jobs/retry-policy.ts';
import type { JobContext, JobResult } from '../../jobs/run-job.ts';
import type { ProviderRegistry } from '../provider-registry.ts';
import { DEFAULT_MAX_TEXT_CHARS, eventText, truncateText } from './event-text.ts';

export interface EmbeddingServiceDeps {
  /** The job queue: every event to embed is an `embed_event` job. */
  jobs: JobQueue;
  index: VectorIndex;
  events: Pick<EventStore, 'getEvent'>;
  /** Model descriptions, embedded with the event when there is one. */
  descriptions?: Pick<DescriptionStore, 'get'>;
  providers: ProviderRegistry;
  /** The provider of the embeddings role (genai.roles.embeddings). */
  providerName: string;
  /** The embedding model configured for it (`embedding_model`, else `model`): vectors of another model are rebuilt. */
  model: string;
  clock: Clock;
  logger: Logger;
  /** Events embedded per provider call. Default 16. */
  batchSize?: number;
  /** A running job not heard of for this long is taken over. Default 10 min. */
  leaseMs?: number;
  retry?: Partial<RetrySchedule>;
  /** Longest text embedded per event or question. Default 2000 characters. */
  maxTextChars?: number;
  /** How long a question's embedding may take before search goes on with keywords only. Default 5 s. */
  queryTimeoutMs?: number;
  /** The job runner's idle poll. Default 5 s (new jobs wake it at once). */
  pollMs?: number;
}

/** Why a question is answered without vectors (the search then ranks by keywords alone). */
export type SemanticFallbackReason =
  /** No embeddings provider is configured under that name. */
  | 'no_provider'
  | 'empty_query'
  /** The provider or its queue failed (down, busy, circuit open, bad output, timeout). */
  | 'provider_failed'
  | 'aborted'
  /** No event has been embedded yet. */
  | 'index_empty'
  /** The index holds another model's vectors and is being rebuilt. */
  | 'index_stale'
  /** The vector index could not be read (e.g. sqlite-vec cannot be loaded here). */
  | 'index_failed';

export type SemanticFallback = { reason: SemanticFallbackReason; detail: string };
export type QueryEmbedding = { vector: number[] } | ({ vector: undefined } & SemanticFallback);
export type SimilarEvents = { matches: VectorMatch[]; note?: string } | ({ matches: undefined } & SemanticFallback);

export interface SimilarEventsOptions {
  limit: number;
  /** The keyword search's filters; applied before the nearest events are chosen. */
  filter?: VectorFilter;
  /**
   * Leave out events farther than this cosine distance (0..2). Every event has some nearest
   * neighbour, and rank fusion rewards an event found by both rankers, so without a bound an
   * unrelated event that matched a keyword can outrank the one that means what was asked.
   * Depends on the model; for bge-m3 related texts are typically below about 0.5.
   */
  maxDistance?: number;
  signal?: AbortSignal;
}

export interface EmbeddingStatus {
  provider: string;
  model: string;
  index: VectorIndexInfo | undefined;
  jobs: Record<JobStatus, number>;
}

const DEFAULT_BATCH_SIZE = 16;
const DEFAULT_QUERY_TIMEOUT_MS = 5_000;

/**
 * Embeds events for semantic search, and questions to search with. Every event to embed is a
 * durable `embed_event` job: the job runner hands due jobs to `jobLane()` in batches (one
 * provider call per batch, at background priority), outages reschedule them with backoff and the provider's Retry-After (never dropping
 * one), refusals fail them with the reason, and a restart picks up what a crash left running.
 * A question is embedded at interactive priority, and any failure is a reason to search by
 * keywords alone, never an error.
 */
export class EmbeddingService {
  private readonly log: Logger;
  private readonly schedule: RetrySchedule;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly maxChars: number;

  constructor(private readonly deps: EmbeddingServiceDeps) {
    this.log = deps.logger.child({ module: 'embeddings' });
    this.schedule = { ...MODEL_RETRY_SCHEDULE, ...deps.retry };
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
    this.batchSize = Math.max(1, deps.batchSize ?? DEFAULT_BATCH_SIZE);
    this.maxChars = deps.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  }

  /** The runner's lane of embedding jobs: a batch per pass, one provider call each. */
  jobLane(): JobLane {
    return {
      name: 'embeddings',
      handlers: [{ kind: 'embed_event', runBatch: (jobs, context) => this.embedBatch(jobs, context) }],
      take: this.batchSize,
      retry: this.schedule,
      leaseMs: this.leaseMs,
      ...(this.deps.pollMs !== undefined ? { pollMs: this.deps.pollMs } : {}),
      start: () => this.prepareIndex(),
    };
  }

  /** Queues events whose text is new or changed (stored, updated, described). Returns how many were queued. */
  async enqueue(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const outcomes = await this.deps.jobs.enqueueMany([...new Set(eventIds)].map((key) => ({ kind: 'embed_event' as const, key, payload: {} })));
    return outcomes.filter((o) => o === 'queued' || o === 'requeued').length;
  }

  /** The text embedded for an event. */
  eventText(stored: StoredEvent, description?: { textForSearch: string }): string {
    return truncateText(eventText(stored, description), this.maxChars);
  }

  /** A question's vector, or why there is none. Never throws. */
  async embedQuery(text: string, options: { signal?: AbortSignal } = {}): Promise<QueryEmbedding> {
    const query = truncateText(text.replace(/\s+/g, ' ').trim(), this.maxChars);
    if (query === '') return { vector: undefined, reason: 'empty_query', detail: 'nothing to embed' };
    const provider = this.deps.providers.get(this.deps.providerName, { priority: 'interactive' });
    if (!provider) return { vector: undefined, reason: 'no_provider', detail: `the embeddings provider "${this.deps.providerName}" is not configured` };
    const deadline = AbortSignal.timeout(this.deps.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      // Raced as well as passed on: a search must not wait on a provider that ignores the signal.
      const result = await untilAborted(provider.embed([query], { signal }), signal);
      return { vector: checkedVectors(result.vectors, 1, provider.name)[0]! };
    } catch (error) {
      if (options.signal?.aborted) return { vector: undefined, reason: 'aborted', detail: 'the search was cancelled' };
      const detail = deadline.aborted ? `no answer within ${this.deps.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS} ms` : errorText(error);
      this.log.warn({ err: error }, 'question could not be embedded; searching by keywords only');
      return { vector: undefined, reason: 'provider_failed', detail };
    }
  }

  /**
   * The events nearest in meaning to `text` among those passing `filter` (applied before the
   * nearest are chosen), nearest first; or why there are none. Never throws.
   */
  async similarEvents(text: string, options: SimilarEventsOptions): Promise<SimilarEvents> {
    let info: VectorIndexInfo | undefined;
    try {
      info = await this.deps.index.info();
    } catch (error) {
      return { matches: undefined, reason: 'index_failed', detail: errorText(error) };
    }
    if (!info || info.count === 0) return { matches: undefined, reason: 'index_empty', detail: 'no event has been embedded yet' };
    if (info.model !== this.deps.model) {
      return { matches: undefined, reason: 'index_stale', detail: `the index holds ${info.model} vectors; it is being rebuilt for ${this.deps.model}` };
    }
    const query = await this.embedQuery(text, options.signal ? { signal: options.signal } : {});
    if (query.vector === undefined) return { matches: undefined, reason: query.reason, detail: query.detail };
    if (query.vector.length !== info.dimension) {
      // Same model name, other vectors (re-pulled or replaced): the stored ones are useless now.
      this.log.warn({ model: this.deps.model, stored: info.dimension, answered: query.vector.length }, 'embedding dimension changed; rebuilding the index');
      try {
        await this.deps.index.clear();
      } catch (error) {
        this.log.error({ err: error }, 'vector index could not be cleared');
      }
      return { matches: undefined, reason: 'index_stale', detail: `${this.deps.model} now answers with ${query.vector.length} dimensions, not ${info.dimension}` };
    }
    try {
      const [matches, how] = await Promise.all([
        this.deps.index.nearest(query.vector, { limit: options.limit, ...(options.filter ? { filter: options.filter } : {}) }),
        this.deps.index.searchMode(),
      ]);
      const maxDistance = options.maxDistance;
      return { matches: maxDistance === undefined ? matches : matches.filter((m) => m.distance <= maxDistance), ...(how.note ? { note: how.note } : {}) };
    } catch (error) {
      this.log.error({ err: error }, 'vector search failed');
      return { matches: undefined, reason: 'index_failed', detail: errorText(error) };
    }
  }

  async status(): Promise<EmbeddingStatus> {
    let index: VectorIndexInfo | undefined;
    try {
      index = await this.deps.index.info();
    } catch (error) {
      this.log.warn({ err: error }, 'vector index could not be read');
    }
    const { oldestDueAt: _due, ...jobs } = (await this.deps.jobs.counts()).embed_event;
    return { provider: this.deps.providerName, model: this.deps.model, index, jobs };
  }

  /**
   * Before the first batch: drops the vectors of another model (every event is then queued
   * again), and queues events stored before embeddings were set up. Throws when the vector index
   * cannot be used here (the lane then stays stopped).
   */
  private async prepareIndex(): Promise<void> {
    const info = await this.deps.index.info();
    if (info && info.model !== this.deps.model) {
      this.log.warn({ from: info.model, to: this.deps.model }, 'embedding model changed; every event will be embedded again');
      await this.deps.index.clear();
    }
    const missing = await this.deps.jobs.enqueueEveryEvent('embed_event', { onlyMissing: true });
    if (missing > 0) this.log.info({ queued: missing }, 'events without embeddings queued');
  }

  /** One batch in one provider call: a vector per job, stored by the queue when its job completes (unless taken over meanwhile). */
  private async embedBatch(jobs: ReadonlyArray<ClaimedJob<'embed_event'>>, { signal }: JobContext): Promise<Array<JobResult | { error: unknown }>> {
    // Every slot is set below: a missing event's error, then each item's vector or the batch's error.
    const results = new Array<JobResult | { error: unknown }>(jobs.length);
    const items: Array<{ index: number; text: string; cameraId: string }> = [];
    // A store that cannot be read throws: the runner then fails (and retries) the whole batch.
    const read = await Promise.all(
      jobs.map(async ({ key }) => {
        const [stored, description] = await Promise.all([this.deps.events.getEvent(key), this.deps.descriptions?.get(key)]);
        return { key, stored, description };
      }),
    );
    read.forEach(({ key, stored, description }, index) => {
      if (!stored) {
        results[index] = { error: new VigilError('input_not_found', `no event with id "${key}"`) };
        return;
      }
      items.push({ index, text: this.eventText(stored, description), cameraId: stored.event.cameraId });
    });
    if (items.length === 0) return results;
    try {
      const cameras = new Set(items.map((i) => i.cameraId));
      const camera = cameras.size === 1 ? items[0]?.cameraId : undefined;
      const provider = this.deps.providers.get(this.deps.providerName, { priority: 'background', ...(camera !== undefined ? { camera } : {}) });
      if (!provider) throw new VigilError('invalid_argument', `the embeddings provider "${this.deps.providerName}" is not configured`);
      const result = await provider.embed(
        items.map((i) => i.text),
        { signal },
      );
      const vectors = checkedVectors(result.vectors, items.length, provider.name);
      const dimension = vectors[0]!.length;
      // A rebuild queues every job again and fences off this batch: its vectors are then refused.
      const prepared = await this.deps.index.prepare(this.deps.model, dimension);
      if (prepared === 'rebuilt') this.log.warn({ model: this.deps.model, dimension }, 'vector index rebuilt for a new model or dimension; every event will be embedded again');
      this.log.info({ events: items.length, model: result.model, dimension }, 'events embedded');
      items.forEach((item, i) => {
        results[item.index] = { status: 'done', output: { kind: 'vector', vector: vectors[i]! } };
      });
    } catch (error) {
      for (const item of items) results[item.index] = { error };
      const log = signal.aborted ? this.log.info.bind(this.log) : this.log.warn.bind(this.log);
      log({ err: error, events: items.length }, 'embedding batch failed');
    }
    return results;
  }
}

/** The provider's vectors, checked: one per text, one dimension, finite, not all zero (cosine is undefined there). */
function checkedVectors(vectors: number[][], expected: number, providerName: string): number[][] {
  const bad = (why: string) => new VigilError('provider_bad_output', `${providerName} returned unusable embeddings: ${why}`, { retryable: true });
  if (vectors.length !== expected) throw bad(`${vectors.length} vectors for ${expected} texts`);
  const dimension = vectors[0]?.length ?? 0;
  if (dimension === 0) throw bad('empty vectors');
  for (const v of vectors) {
    if (v.length !== dimension) throw bad(`vectors of ${dimension} and ${v.length} dimensions`);
    if (!v.every(Number.isFinite)) throw bad('a component is not a finite number');
    if (v.every((x) => x === 0)) throw bad('a zero vector');
  }
  return vectors;
}

/** Settles like `promise`, or rejects as soon as `signal` aborts (`promise` keeps running). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new VigilError('aborted', 'The request was cancelled.', { cause: signal.reason }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

