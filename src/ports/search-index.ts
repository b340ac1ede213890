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
