import type { NewDescription } from './description-store.ts';

/**
 * The one durable job queue. Every piece of background work (describing an event, embedding it,
 * a Frigate message to ingest, a description to write back to Frigate) is a job of a named kind
 * with a typed payload, identified by a stable key per kind, so offering the same work again folds
 * into the existing job (by the kind's rules, see ENQUEUE RULES below) instead of adding more.
 *
 * Life of a job: `queued` (due at `nextAttemptAt`) -> claimed -> `running` under a lease ->
 * `done`, or `queued` again for a later try, or `failed` for good. Each claim increments the
 * job's `claim` counter: a lease is (kind, key, claim), and every write a worker makes with it
 * (extend, complete, fail) is refused once someone else claimed the job, so a worker whose lease
 * expired can never overwrite the result of the one that took the job over.
 *
 * Enqueue rules (the same for every backend):
 * - `describe_event` (key: event id): a new job is queued due now. An automatic request never
 *   repeats work (`unchanged`); a manual one queues a done or failed job again from attempt 0
 *   (`requeued`), makes a queued one due now and manual, and leaves a running one alone.
 * - `embed_event` (key: event id): the event's text changed, so the job is queued due now unless
 *   it already waits (a waiting job keeps its schedule); a running job is queued again from attempt
 *   0 and its worker's result, though stored, no longer marks it done (`requeued`).
 * - `frigate_ingest` / `frigate_write_description` (key: Frigate event id): the payload carries
 *   `progress`, how far along the Frigate event it is. An offer replaces the job (queued, due now,
 *   attempt 0) only when it is further along (a write-back: at least as far along, the latest
 *   description wins); a replay or a late message changes nothing (`unchanged`). A running job
 *   replaced this way stays queued after its worker finishes.
 * - `describe_event` and `embed_event` belong to their event: offered for an event that does not
 *   exist they are refused (`unknown_event`), and deleting the event deletes them. Frigate jobs
 *   name their Vigil event in the payload (an ingest job exists before its event) and are deleted
 *   with it once it exists.
 *
 * Backends: SQLite (SqliteJobQueue, one `jobs` table) today; a PostgreSQL backend implements the
 * same interface. Its `claimDue` is one statement:
 *   UPDATE jobs SET status = 'running', attempts = attempts + 1, claim = claim + 1, lease_until = $now + $lease
 *   WHERE id IN (SELECT id FROM jobs WHERE kind = ANY($kinds)
 *                  AND ((status = 'queued' AND next_attempt_at <= $now) OR (status = 'running' AND lease_until <= $now))
 *                ORDER BY next_attempt_at, kind, key LIMIT $limit FOR UPDATE SKIP LOCKED)
 *   RETURNING *
 * so concurrent workers on several hosts each take different jobs without waiting on each other.
 * Enqueue is `SELECT ... FOR UPDATE` of the (kind, key) row (or INSERT ... ON CONFLICT DO NOTHING
 * first), the rule applied in the same transaction. `complete(lease, { output })` is a transaction
 * that locks the job row (`SELECT claim, status ... FOR UPDATE`), checks the lease, writes `output`
 * (the handler's result) and marks the job.
 * `onEnqueued` maps to LISTEN/NOTIFY, which also wakes workers of other processes; SQLite only
 * hears its own process (others are found by polling).
 */

export const JOB_KINDS = ['describe_event', 'embed_event', 'frigate_ingest', 'frigate_write_description'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Who asked for a description: the camera policy (`auto`) or a person (`manual`). */
export type DescriptionRequester = 'auto' | 'manual';

/** The payload of each kind: what a handler needs beyond the key. Validated when read back from storage. */
export interface JobPayloads {
  describe_event: { requestedBy: DescriptionRequester; /** The provider asked. */ provider?: string };
  embed_event: Record<string, never>;
  /** `message`: Frigate's `events` message as received (the handler validates it with its schema). */
  frigate_ingest: { eventId: string; progress: number; message: Record<string, unknown> };
  frigate_write_description: { eventId: string; progress: number; description: string };
}
export type JobPayload<K extends JobKind> = JobPayloads[K];

/** Kinds whose key is the id of the Vigil event they belong to. */
export const EVENT_JOB_KINDS = ['describe_event', 'embed_event'] as const satisfies readonly JobKind[];
export type EventJobKind = (typeof EVENT_JOB_KINDS)[number];

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed'];

export interface JobRequest<K extends JobKind = JobKind> {
  kind: K;
  key: string;
  payload: JobPayload<K>;
}

export type EnqueueOutcome =
  /** A new job. */
  | 'queued'
  /** An existing job queued again, replaced by newer work, or made due sooner. */
  | 'requeued'
  /** Nothing new: already waiting or running, a replay, or an automatic request for work done. */
  | 'unchanged'
  /** An event job for an event that does not exist. */
  | 'unknown_event';

/** What the queue knows of one job (the description API shows it). */
export interface JobState<K extends JobKind = JobKind> {
  kind: K;
  key: string;
  /** The Vigil event the job belongs to, when it has one. */
  eventId?: string;
  payload: JobPayload<K>;
  status: JobStatus;
  /** Tries started since the job was last queued afresh. */
  attempts: number;
  /** When a queued job is due (ms since the epoch). */
  nextAttemptAt: number;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

/** Names one claim of one job; every write by the claimer carries it. */
export interface JobLease<K extends JobKind = JobKind> {
  kind: K;
  key: string;
  claim: number;
}

/** A job taken by one worker. */
export interface ClaimedJob<K extends JobKind = JobKind> extends JobLease<K> {
  eventId?: string;
  payload: JobPayload<K>;
  /** This try's number, from 1. */
  attempts: number;
}

/**
 * `done`: the result was accepted and the job is done. `requeued`: accepted, but the job was
 * queued again meanwhile (newer work), so it stays queued. `stale`: refused, the lease is no
 * longer held (taken over, or the job was deleted); `commit` did not run.
 */
export type CompleteOutcome = 'done' | 'requeued' | 'stale';

/**
 * What a finished event job stores for its event (the job's key): a description, or an embedding
 * (the vector index must already be prepared for its dimension). Data rather than a callback, so
 * every backend writes it inside its own transaction.
 */
export type JobOutput = { kind: 'description'; description: NewDescription } | { kind: 'vector'; vector: readonly number[] };

export type FailureDisposition = { retryAt: number } | { permanent: true };

export interface JobKindCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** The due time of the longest-waiting queued job that is due, if any. */
  oldestDueAt?: number;
}

export interface JobQueue {
  /** Offers work; the kind's enqueue rule decides what changes (see above). One atomic step. */
  enqueue<K extends JobKind>(request: JobRequest<K>): Promise<EnqueueOutcome>;
  /** Several offers in one atomic step. */
  enqueueMany<K extends JobKind>(requests: ReadonlyArray<JobRequest<K>>): Promise<EnqueueOutcome[]>;
  /**
   * A job of `kind` for every stored event, due now. With `onlyMissing`, only events without one
   * (stored before the kind was configured); otherwise every existing job is queued afresh too
   * and running ones are fenced off (their results refused). Returns how many jobs were queued.
   */
  enqueueEveryEvent(kind: 'embed_event', options: { onlyMissing: boolean }): Promise<number>;
  /**
   * Atomically takes up to `limit` due jobs of these kinds, oldest due first: queued ones whose
   * time has come and running ones whose lease expired (their worker died). Each is leased for `leaseMs`.
   */
  claimDue(kinds: readonly JobKind[], limit: number, options: { leaseMs: number }): Promise<ClaimedJob[]>;
  /** Takes one job now whatever its state (a user is waiting); undefined when there is no such job. */
  claim<K extends JobKind>(kind: K, key: string, options: { leaseMs: number }): Promise<ClaimedJob<K> | undefined>;
  /** The claimer is still at work: the lease runs `leaseMs` from now. False when the lease is no longer held. */
  extendLease(lease: JobLease, options: { leaseMs: number }): Promise<boolean>;
  /**
   * The claimer's success. `output` (the handler's result) is stored in the same transaction as
   * the lease check and the status change, so a stale worker stores nothing.
   */
  complete(lease: JobLease, options?: { output?: JobOutput }): Promise<CompleteOutcome>;
  /** The claimer's failure: queued again for `retryAt`, or failed for good. False when the lease is no longer held. */
  fail(lease: JobLease, error: string, disposition: FailureDisposition): Promise<boolean>;
  /**
   * Running jobs of these kinds go back to the queue, due now: those whose lease expired, or with
   * `all` every one (at the start of the process that runs these kinds). Returns how many.
   */
  recover(kinds: readonly JobKind[], options?: { all?: boolean }): Promise<number>;
  get<K extends JobKind>(kind: K, key: string): Promise<JobState<K> | undefined>;
  /** A job of `kind` that belongs to this Vigil event (e.g. the Frigate ingest job that made it). */
  findByEvent<K extends JobKind>(kind: K, eventId: string): Promise<JobState<K> | undefined>;
  counts(): Promise<Record<JobKind, JobKindCounts>>;
  /** The jobs of `kind` whose last try failed (failed, or queued for a retry), most recent first. */
  recentFailures<K extends JobKind>(kind: K, limit: number): Promise<Array<JobState<K>>>;
  /** Hears kinds that got new work (to wake their workers). Returns the unsubscribe function. */
  onEnqueued(listener: (kind: JobKind) => void): () => void;
}
