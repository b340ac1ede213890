import type { StoredEvent } from '../ports/analysis-store.ts';
import type { EventFilter, EventStore } from '../ports/event-store.ts';

export interface EventPage {
  total: number;
  events: StoredEvent[];
}

/** Listing stored events by camera, type and time. */
export class EventQueryService {
  constructor(private readonly deps: { events: EventStore }) {}

  async list(filter: EventFilter): Promise<EventPage> {
    const [total, events] = await Promise.all([this.deps.events.countEvents(filter), this.deps.events.listEvents(filter)]);
    return { total, events };
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    return this.deps.events.getEvent(id);
  }

  /** The kept full frames behind an event's evidence (when frames are kept), by frame index. */
  async evidenceFrames(stored: StoredEvent): Promise<Map<number, string>> {
    return this.deps.events.framePaths(stored.runId, stored.event.evidence.map((e) => e.frameIndex));
  }
}
