/**
 * Model descriptions of events: at most one per event, replaced by a newer one, deleted with its
 * event. The description's JSON is stored as the service validated it; the store does not know
 * its schema. The work of making them is a `describe_event` job of the JobQueue.
 */
export interface NewDescription {
  provider: string;
  model: string;
  /** The validated description; absent when the output stayed invalid even after a repair. */
  json?: unknown;
  /** The model's text when it was not valid. */
  rawText?: string;
  /** True when the output was invalid even after the repair attempt. */
  flagged: boolean;
  /** Plain text made searchable (tokenized into the event's `description` search column). */
  textForSearch: string;
}

export interface StoredDescription extends NewDescription {
  createdAt: number;
}

export interface DescriptionStore {
  /** Stores (replacing) the event's description and makes it searchable; false when there is no such event. */
  save(eventId: string, description: NewDescription): Promise<boolean>;
  get(eventId: string): Promise<StoredDescription | undefined>;
}
