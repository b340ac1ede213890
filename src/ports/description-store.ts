/**
 * Durable model descriptions of events: one job per event (queued, running, done, failed) that
 * survives restarts and provider outages, and at most one description per event. The
 * description's JSON is stored as the service validated it; the store does not know its schema.
 */
export type DescriptionJobStatus = 'queued' | 'running' | 'done' | 'failed';
export type DescriptionRequester = 'auto' | 'manual';

export interface DescriptionJob {
  eventId: string;
  status: DescriptionJobStatus;
  /** How many times the job was claimed (tries started). */
  attempts: number;
  /** When a queued job is due (ms since the epoch). */
  nextAttemptAt: number;
  lastError?: string;
  /** The provider asked last. */
  provider?: string;
  requestedBy: DescriptionRequester;
  updatedAt: number;
}

/** A job taken by one worker; `claim` identifies this taking, so a stale worker's result is refused. */
export interface ClaimedDescriptionJob {
  eventId: string;
  attempts: number;
  requestedBy: DescriptionRequester;
  claim: number;
}

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

export interface DescriptionRecord {
  job?: DescriptionJob;
  description?: StoredDescription;
}

export type EnqueueOutcome =
  /** A new job. */
  | 'queued'
  /** A done or failed job queued again (manual requests only), or a queued one made due now. */
  | 'requeued'
  /** Nothing to do: already queued or running, or done/failed and the request was automatic. */
  | 'unchanged'
  /** No event with this id. */
  | 'unknown_event';

export type FailureDisposition = { retryAt: number } | { permanent: true };

export interface DescriptionStore {
  /** Idempotent: an automatic request never repeats work; a manual one re-queues a done or failed job. */
  enqueue(eventId: string, options: { requestedBy: DescriptionRequester; provider?: string }): EnqueueOutcome;
  /**
   * Atomically marks up to `limit` due jobs as running and returns them: queued ones whose time
   * has come, and running ones not touched for `leaseMs` (their worker died).
   */
  claimDue(now: number, limit: number, options?: { leaseMs?: number }): ClaimedDescriptionJob[];
  /** Claims one job now whatever its state (the synchronous path); undefined when the event has no job. */
  claim(eventId: string, now: number, options?: { provider?: string }): ClaimedDescriptionJob | undefined;
  /** Tells that the claimer is still at work (renews its lease). False when `claim` is stale. */
  heartbeat(eventId: string, claim: number, now: number): boolean;
  /** At startup: jobs left running by a previous process go back to the queue, due now. */
  recoverRunning(now: number): number;
  /** Stores the description, indexes it for search, marks the job done. False when `claim` is stale. */
  complete(eventId: string, description: NewDescription, options?: { claim?: number }): boolean;
  /** Re-queues the job for `retryAt`, or marks it failed for good. False when `claim` is stale. */
  fail(eventId: string, error: string, disposition: FailureDisposition, options?: { claim?: number }): boolean;
  state(eventId: string): DescriptionRecord;
  counts(): Record<DescriptionJobStatus, number>;
}
