import type { EventType } from '../domain/events/event-types.ts';

/**
 * Embeddings of events for semantic search, and the durable jobs that make them. One store
 * holds both because a vector and its job change together: storing a vector marks its job
 * done, and replacing the index (another model, another dimension) re-queues every event, each
 * in one transaction.
 *
 * All vectors of an index come from one model and have one dimension, both recorded the first
 * time a vector is stored. Vectors of deleted events are never returned.
 */
export interface VectorIndexInfo {
  model: string;
  dimension: number;
  /** Vectors stored. */
  count: number;
}

/** The same filters as keyword search; applied before the nearest neighbours are chosen. */
export interface VectorFilter {
  cameraIds?: readonly string[];
  types?: readonly EventType[];
  labels?: readonly string[];
  /** Events overlapping [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  /** Only among these events (e.g. to re-rank candidates found otherwise). */
  eventIds?: readonly string[];
}

export interface VectorMatch {
  eventId: string;
  /** Cosine distance, 0 (same direction) to 2 (opposite). */
  distance: number;
}

/**
 * `ready`: the index already holds this model and dimension; `created`: it was empty and now
 * does; `rebuilt`: it held another model or dimension, whose vectors were dropped and whose
 * events were all queued again.
 */
export type PrepareOutcome = 'ready' | 'created' | 'rebuilt';

export interface VectorIndex {
  /** Undefined until the first vector is stored (or after `clear`). */
  info(): VectorIndexInfo | undefined;
  /** Makes the index hold vectors of `model` with `dimension` components (see PrepareOutcome). */
  prepare(model: string, dimension: number): PrepareOutcome;
  /** Drops every vector and the recorded model, and queues every event to be embedded again. */
  clear(): void;
  /** Stores (replacing) an event's vector; false when the event does not exist. The index must be prepared for its dimension. */
  upsert(eventId: string, vector: readonly number[]): boolean;
  /** Deletes the vectors of these events; returns how many there were. */
  remove(eventIds: readonly string[]): number;
  /** The `limit` events nearest to `vector` among those passing `filter`, nearest first; [] before the index is prepared. */
  nearest(vector: readonly number[], options: { limit: number; filter?: VectorFilter }): VectorMatch[];
}

export type EmbeddingJobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface EmbeddingJob {
  eventId: string;
  status: EmbeddingJobStatus;
  /** Tries started since the job was last queued. */
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  updatedAt: number;
}

/** A job taken by one worker; `claim` identifies this taking, so a stale worker's result is refused. */
export interface ClaimedEmbeddingJob {
  eventId: string;
  attempts: number;
  claim: number;
}

/**
 * `done`: stored and the job is done. `requeued`: stored, but the event changed while it was
 * embedded, so the job stays queued to embed the new text. `stale`: refused, another worker
 * holds the job now (or the index was rebuilt for another dimension meanwhile).
 */
export type CompleteOutcome = 'done' | 'requeued' | 'stale';

export type EmbeddingFailure = { retryAt: number } | { permanent: true };

export interface EmbeddingJobStore {
  /**
   * Queues these events to be embedded, due now: new jobs, and done or failed ones again (their
   * text changed). A queued job keeps its schedule; a running one is queued again, and its
   * result will not mark it done. Unknown events are skipped. Returns how many were queued.
   */
  enqueue(eventIds: readonly string[], now: number): number;
  /** Queues every event that has no job yet (stored before embeddings were configured). */
  enqueueMissing(now: number): number;
  /** Atomically marks up to `limit` due jobs running: queued ones whose time has come, running ones idle for `leaseMs`. */
  claimDue(now: number, limit: number, options: { leaseMs: number }): ClaimedEmbeddingJob[];
  /** Renews the lease of a claimed job; false when the claim is stale. */
  heartbeat(eventId: string, claim: number, now: number): boolean;
  /** At startup: jobs a previous process left running are queued again, due now. */
  recoverRunning(now: number): number;
  /** Stores the vector and marks the job done, when `claim` still holds it. */
  complete(eventId: string, claim: number, vector: readonly number[]): CompleteOutcome;
  /** Re-queues a claimed job for `retryAt` or fails it for good; false when the claim is stale. */
  fail(eventId: string, claim: number, error: string, disposition: EmbeddingFailure): boolean;
  job(eventId: string): EmbeddingJob | undefined;
  counts(): Record<EmbeddingJobStatus, number>;
}
