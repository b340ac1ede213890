import type { StoredEvent } from '../ports/analysis-store.ts';
import type { EventFilter, EventStore } from '../ports/event-store.ts';

export interface EventPage {
  total: number;
  events: StoredEvent[];
}

/** Listing stored events by camera, type and time. */
export class EventQueryService {
  constructor(private readonly deps: { events: EventStore }) {}

  list(filter: EventFilter): EventPage {
    return { total: this.deps.events.countEvents(filter), events: this.deps.events.listEvents(filter) };
  }

  get(id: string): StoredEvent | undefined {
    return this.deps.events.getEvent(id);
  }

  /** The kept full frames behind an event's evidence (when frames are kept), by frame index. */
  evidenceFrames(stored: StoredEvent): Map<number, string> {
    return this.deps.events.framePaths(stored.runId, stored.event.evidence.map((e) => e.frameIndex));
  }
}
