/**
 * Durable work for the Frigate sidecar, one row per (kind, Frigate event id): a Frigate event
 * becomes a Vigil event (`ingest`), and a Vigil description goes back to Frigate
 * (`write_description`). Rows outlive restarts and Frigate outages; duplicates and replays of a
 * message fold into the existing row instead of adding work.
 */
export type FrigateJobKind = 'ingest' | 'write_description';
export type FrigateJobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface FrigateJob {
  kind: FrigateJobKind;
  frigateId: string;
  eventId: string;
  /** The validated message (ingest) or `{ description }` (write_description), as stored. */
  payload: unknown;
  /** How far along the Frigate event the payload is; a message that is not further along is a replay. */
  progress: number;
  status: FrigateJobStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

/** What became of an offered job: new work, newer work for an existing row, or nothing new. */
export type EnqueueOutcome = 'queued' | 'requeued' | 'duplicate';

export interface NewFrigateJob {
  kind: FrigateJobKind;
  frigateId: string;
  eventId: string;
  payload: unknown;
  progress: number;
}

export interface FrigateJobStore {
  /** Adds the job, or replaces the row's payload when `progress` is greater (write-backs: greater or equal). */
  enqueue(job: NewFrigateJob, now: number): EnqueueOutcome;
  /** Marks up to `limit` due queued jobs running and returns them, oldest due first. */
  claimDue(now: number, limit: number): FrigateJob[];
  /** Done, unless the row was queued again meanwhile (a newer message): then it stays queued. */
  complete(kind: FrigateJobKind, frigateId: string, now: number): void;
  fail(kind: FrigateJobKind, frigateId: string, error: string, retry: { retryAt: number } | { permanent: true }, now: number): void;
  /** Running jobs left by a stopped process go back to the queue. Returns how many. */
  recoverRunning(now: number): number;
  /** The Frigate event a Vigil event came from, if it came from Frigate. */
  frigateIdOf(eventId: string): string | undefined;
  get(kind: FrigateJobKind, frigateId: string): FrigateJob | undefined;
  counts(): Record<FrigateJobStatus, number>;
}
