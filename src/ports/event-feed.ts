import type { StoredEvent } from './analysis-store.ts';

/**
 * Something happened to a stored event: it was first stored (`new`), stored again with more
 * of it (`update`: it grew, closed, got a better snapshot), or a vision model described it
 * (`described`, with the description's text).
 */
export type EventNotice =
  | { change: 'new' | 'update'; stored: StoredEvent }
  | { change: 'described'; stored: StoredEvent; description: string };

/** Where the parts that store events and descriptions say so (live cameras, files, Frigate, descriptions). */
export interface EventNotifier {
  notify(notices: readonly EventNotice[]): void;
}

/** Listening to event notices as they happen (MQTT publishing, Home Assistant states, metrics). */
export interface EventFeed {
  subscribe(listener: (notice: EventNotice) => void): () => void;
}
