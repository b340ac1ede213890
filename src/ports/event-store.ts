import type { EventType } from '../domain/events/event-types.ts';
import type { StoredEvent } from './analysis-store.ts';

export interface EventFilter {
  runId?: number;
  cameraId?: string;
  type?: EventType;
  label?: string;
  /** Events overlapping [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  limit?: number;
  offset?: number;
}

/** Reading stored events. */
export interface EventStore {
  listEvents(filter: EventFilter): Promise<StoredEvent[]>;
  getEvent(id: string): Promise<StoredEvent | undefined>;
  countEvents(filter: EventFilter): Promise<number>;
  /** Kept frame images (paths relative to the data directory) of a run, by frame index, where kept. */
  framePaths(runId: number, frameIndexes: readonly number[]): Promise<Map<number, string>>;
}
