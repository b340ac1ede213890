import type { StoredEvent } from './analysis-store.ts';

/** An event as the full-text index sees it: each field already tokenized (tokens joined by spaces). */
export interface SearchDocument {
  summary: string;
  keywords: string;
  /** Camera name and aliases, rule display names. */
  names: string;
  /** Model descriptions, when there are any. */
  description: string;
}

/** Turns an event into its search document; run when the event is stored. */
export type EventIndexer = (event: StoredEvent) => SearchDocument;

/** Keeping the full-text index in step with the configuration (camera names) and the schema. */
export interface SearchIndexMaintenance {
  /**
   * Indexes events that have no search entry yet; with `all`, rebuilds every entry. Works in
   * batches, so a large store is never held in memory at once. Returns how many were indexed.
   */
  reindexEvents(all: boolean, onProgress?: (done: number) => void): Promise<number>;
  /** Rebuilds the search entries of one camera's events (its names changed). */
  reindexCamera(cameraId: string, onProgress?: (done: number) => void): Promise<number>;
  /** The cameras whose names (camera id -> its names as JSON) differ from those their events were indexed with. */
  changedCameraNames(current: ReadonlyMap<string, string>): Promise<string[]>;
  /** Records the names the cameras' events are now indexed with (after any re-indexing). */
  recordCameraNames(current: ReadonlyMap<string, string>): Promise<void>;
}
