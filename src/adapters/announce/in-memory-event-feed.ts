import type { EventFeed, EventNotice, EventNotifier } from '../../ports/event-feed.ts';

type Listener = (notice: EventNotice) => void;

/**
 * In-process fan-out of event notices. A listener that throws is logged by the caller's
 * `onListenerError` and never stops the others or the code that stored the event.
 */
export class InMemoryEventFeed implements EventFeed, EventNotifier {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(notices: readonly EventNotice[]): void {
    for (const notice of notices) {
      for (const listener of [...this.listeners]) {
        try {
          listener(notice);
        } catch (error) {
          this.onListenerError(error);
        }
      }
    }
  }
}
