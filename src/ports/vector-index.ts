import type { EventType } from '../domain/events/event-types.ts';
import type { CrossingFilter, StayFilter } from './search-store.ts';

/**
 * Embeddings of events for semantic search. The work of making them is an `embed_event` job of
 * the JobQueue; replacing the index (another model, another dimension) queues every event's job
 * again, in the same transaction as the vectors are dropped, and fences off workers still
 * embedding for the old index.
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
  /** Line crossings that went one of these ways. */
  directions?: readonly CrossingFilter[];
  /** Events where someone stayed so long. */
  stay?: StayFilter;
  /** Events with at least this many actors. */
  minActors?: number;
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
  info(): Promise<VectorIndexInfo | undefined>;
  /** Makes the index hold vectors of `model` with `dimension` components (see PrepareOutcome). */
  prepare(model: string, dimension: number): Promise<PrepareOutcome>;
  /** Drops every vector and the recorded model, and queues every event to be embedded again. */
  clear(): Promise<void>;
  /** Stores (replacing) an event's vector; false when the event does not exist. The index must be prepared for its dimension. */
  upsert(eventId: string, vector: readonly number[]): Promise<boolean>;
  /** Deletes the vectors of these events; returns how many there were. */
  remove(eventIds: readonly string[]): Promise<number>;
  /**
   * How `nearest` finds neighbours now: by comparing every vector (`exact`) or through an ANN index
   * (`approximate`), with a note for the search interpretation when the user should know why.
   */
  searchMode(): Promise<{ mode: 'exact' | 'approximate'; note?: string }>;
  /** The `limit` events nearest to `vector` among those passing `filter`, nearest first; [] before the index is prepared. */
  nearest(vector: readonly number[], options: { limit: number; filter?: VectorFilter }): Promise<VectorMatch[]>;
}
