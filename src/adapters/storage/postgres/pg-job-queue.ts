import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ClaimedJob,
  CompleteOutcome,
  EnqueueOutcome,
  FailureDisposition,
  JobKind,
  JobKindCounts,
  JobLease,
  JobOutput,
  JobQueue,
  JobRequest,
  JobState,
} from '../../../ports/job-queue.ts';
import { JOB_KINDS } from '../../../ports/job-queue.ts';
import { jobKindSchema, jobStatusSchema, parsePayload } from '../job-rules.ts';
import { offerJobs } from './pg-job-enqueue.ts';
import { jobRowSchema, toClaimedJob, toJobState } from '../job-rows.ts';
import { JOBS_CHANNEL, type PgNotifications } from './pg-notifications.ts';
import type { PgStoreOptions } from './pg-store-options.ts';
import type { SqlClient } from './sql-client.ts';


// Keys are compared as SQLite does (bytewise), not by the database's locale, so both backends
// hand out and list jobs in the same order.
const CLAIM = `UPDATE jobs SET status = 'running', attempts = attempts + 1, claim = claim + 1, lease_until = $2, updated_at = $1`;
const LEASE_HELD = `kind = $1 AND key = $2 AND claim = $3 AND status = 'running'`;

export interface PgJobQueueOptions extends PgStoreOptions {
  /**
   * LISTEN/NOTIFY on a connection of its own (pg-notifications.ts), so that workers of other
   * processes wake when this one enqueues. Without it (PGlite) only this process's listeners are
   * told, as with SQLite; other processes find new work by polling.
   */
  notifications?: PgNotifications;
}

/**
 * The job queue in the `jobs` table, for any number of processes on any number of hosts at once.
 * Claims are one UPDATE over rows taken with FOR UPDATE SKIP LOCKED, so concurrent workers each
 * get different jobs without waiting; enqueue locks the rows it decides on (FOR UPDATE) and applies
 * the shared rules of job-rules.ts; every write with a lease checks the claim in its WHERE.
 */
export class PgJobQueue implements JobQueue {
  private readonly listeners = new Set<(kind: JobKind) => void>();
  /** Tells this queue's own NOTIFYs apart: its listeners were told directly already. */
  private readonly origin = randomUUID();
  private stopListening: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(
    private readonly db: SqlClient,
    private readonly options: PgJobQueueOptions,
  ) {}

  async enqueue<K extends JobKind>(request: JobRequest<K>): Promise<EnqueueOutcome> {
    const [outcome] = await this.enqueueMany([request]);
    return outcome!;
  }

  async enqueueMany<K extends JobKind>(requests: ReadonlyArray<JobRequest<K>>): Promise<EnqueueOutcome[]> {
    if (requests.length === 0) return [];
    const now = this.options.now();
    // Everything it does is in the database: safe to run again after a deadlock.
    const outcomes = await this.db.transaction(async (tx) => {
      const result = await offerJobs(tx, requests, now);
      await this.notifyOthers(tx, wokenKinds(requests, result));
      return result;
    }, { retries: 3 });
    for (const kind of wokenKinds(requests, outcomes)) this.notify(kind);
    return outcomes;
  }

  async enqueueEveryEvent(kind: 'embed_event', options: { onlyMissing: boolean }): Promise<number> {
    const now = this.options.now();
    // One statement: the requeue and the insert touch different rows, and ON CONFLICT leaves a job
    // another process inserted meanwhile alone. FOR KEY SHARE keeps each event from being deleted
    // until this commits, so no job outlives its event (jobs have no foreign key; a trigger deletes them).
    const { rows } = await this.db.query<{ n: number }>(
      `WITH requeued AS (
         UPDATE jobs SET status = 'queued', attempts = 0, next_attempt_at = $2, last_error = NULL, claim = claim + 1,
           lease_until = NULL, updated_at = $2
         WHERE kind = $1 AND NOT $3::boolean
         RETURNING 1),
       inserted AS (
         INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
         SELECT $1, e.id, e.id, '{}', 'queued', 0, 0, $2, $2, $2 FROM events e
         WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = $1 AND j.key = e.id)
         FOR KEY SHARE OF e
         ON CONFLICT (kind, key) DO NOTHING
         RETURNING 1)
       SELECT (SELECT count(*) FROM requeued) + (SELECT count(*) FROM inserted) AS n`,
      [kind, now, options.onlyMissing],
    );
    const queued = rows[0]?.n ?? 0;
    if (queued > 0) {
      await this.notifyOthers(this.db, [kind]);
      this.notify(kind);
    }
    return queued;
  }

  async claimDue(kinds: readonly JobKind[], limit: number, options: { leaseMs: number }): Promise<ClaimedJob[]> {
    if (limit <= 0 || kinds.length === 0) return [];
    const now = this.options.now();
    // SKIP LOCKED: a row another claimer is taking right now is passed over, not waited for.
    const { rows } = await this.db.query(
      `${CLAIM}
       WHERE (kind, key) IN (
         SELECT kind, key FROM jobs
         WHERE kind = ANY($3::text[])
           AND ((status = 'queued' AND next_attempt_at <= $1) OR (status = 'running' AND lease_until <= $1))
         ORDER BY next_attempt_at, kind COLLATE "C", key COLLATE "C" LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, now + options.leaseMs, [...kinds], limit],
    );
    // RETURNING gives no order: sorted as they were selected (a claim leaves next_attempt_at as it was).
    const claimed = rows.map((row) => jobRowSchema.parse(row));
    claimed.sort((a, b) => a.next_attempt_at - b.next_attempt_at || compare(a.kind, b.kind) || compare(a.key, b.key));
    return claimed.map(toClaimedJob);
  }

  async claim<K extends JobKind>(kind: K, key: string, options: { leaseMs: number }): Promise<ClaimedJob<K> | undefined> {
    const now = this.options.now();
    const { rows } = await this.db.query(`${CLAIM} WHERE kind = $3 AND key = $4 RETURNING *`, [now, now + options.leaseMs, kind, key]);
    if (rows[0] === undefined) return undefined;
    const r = jobRowSchema.parse(rows[0]);
    return { kind, key, claim: r.claim, attempts: r.attempts, ...(r.event_id !== null ? { eventId: r.event_id } : {}), payload: parsePayload(kind, r.payload_json) };
  }

  async extendLease(lease: JobLease, options: { leaseMs: number }): Promise<boolean> {
    const now = this.options.now();
    const result = await this.db.query(`UPDATE jobs SET lease_until = $4, updated_at = $5 WHERE ${LEASE_HELD}`, [
      ...leaseParams(lease),
      now + options.leaseMs,
      now,
    ]);
    return result.rowCount > 0;
  }

  async complete(lease: JobLease, options: { output?: JobOutput } = {}): Promise<CompleteOutcome> {
    const { output } = options;
    if (!output) return this.markComplete(this.db, lease);
    const writeOutput = this.options.writeOutput;
    return this.db.transaction(
      async (tx) => {
        // The mark comes first: it locks the row and checks the lease; the output is then written
        // under that lock, and a failure to write it rolls the mark back.
        const outcome = await this.markComplete(tx, lease);
        if (outcome === 'stale') return outcome;
        if (!writeOutput) throw new Error(`this job queue was built without a writer for job outputs (${output.kind})`);
        await writeOutput(tx, lease.key, output);
        return outcome;
      },
      // Only database writes (the storage's writer): safe to run again after a deadlock.
      { retries: 3 },
    );
  }

  async fail(lease: JobLease, error: string, disposition: FailureDisposition): Promise<boolean> {
    const now = this.options.now();
    const result =
      'retryAt' in disposition
        ? await this.db.query(`UPDATE jobs SET status = 'queued', next_attempt_at = $6, last_error = $4, lease_until = NULL, updated_at = $5 WHERE ${LEASE_HELD}`, [
            ...leaseParams(lease),
            error,
            now,
            disposition.retryAt,
          ])
        : await this.db.query(`UPDATE jobs SET status = 'failed', last_error = $4, lease_until = NULL, updated_at = $5 WHERE ${LEASE_HELD}`, [
            ...leaseParams(lease),
            error,
            now,
          ]);
    return result.rowCount > 0;
  }

  async recover(kinds: readonly JobKind[], options: { all?: boolean } = {}): Promise<number> {
    if (kinds.length === 0) return 0;
    // The claim is bumped: whoever held these jobs is fenced off.
    const result = await this.db.query(
      `UPDATE jobs SET status = 'queued', next_attempt_at = $2, claim = claim + 1, lease_until = NULL, updated_at = $2
       WHERE kind = ANY($1::text[]) AND status = 'running' AND ($3::boolean OR lease_until <= $2)`,
      [[...kinds], this.options.now(), options.all === true],
    );
    return result.rowCount;
  }

  async get<K extends JobKind>(kind: K, key: string): Promise<JobState<K> | undefined> {
    const { rows } = await this.db.query('SELECT * FROM jobs WHERE kind = $1 AND key = $2', [kind, key]);
    return rows[0] === undefined ? undefined : toJobState(kind, jobRowSchema.parse(rows[0]));
  }

  async findByEvent<K extends JobKind>(kind: K, eventId: string): Promise<JobState<K> | undefined> {
    const { rows } = await this.db.query('SELECT * FROM jobs WHERE event_id = $1 AND kind = $2 ORDER BY key COLLATE "C" LIMIT 1', [eventId, kind]);
    return rows[0] === undefined ? undefined : toJobState(kind, jobRowSchema.parse(rows[0]));
  }

  async counts(): Promise<Record<JobKind, JobKindCounts>> {
    const counts = Object.fromEntries(JOB_KINDS.map((kind) => [kind, { queued: 0, running: 0, done: 0, failed: 0 }])) as Record<JobKind, JobKindCounts>;
    const { rows } = await this.db.query(
      `SELECT kind, status, count(*) AS n, min(next_attempt_at) FILTER (WHERE status = 'queued' AND next_attempt_at <= $1) AS due
       FROM jobs GROUP BY kind, status`,
      [this.options.now()],
    );
    const parsed = z.array(z.object({ kind: z.string(), status: jobStatusSchema, n: z.number(), due: z.number().nullable() })).parse(rows);
    for (const row of parsed) {
      const kind = jobKindSchema.safeParse(row.kind);
      if (!kind.success) continue;
      counts[kind.data][row.status] = row.n;
      if (row.due !== null) counts[kind.data].oldestDueAt = row.due;
    }
    return counts;
  }

  async recentFailures<K extends JobKind>(kind: K, limit: number): Promise<Array<JobState<K>>> {
    const { rows } = await this.db.query('SELECT * FROM jobs WHERE kind = $1 AND last_error IS NOT NULL ORDER BY updated_at DESC, key COLLATE "C" LIMIT $2', [
      kind,
      limit,
    ]);
    return rows.map((row) => toJobState(kind, jobRowSchema.parse(row)));
  }

  onEnqueued(listener: (kind: JobKind) => void): () => void {
    this.listeners.add(listener);
    this.listen();
    return () => this.listeners.delete(listener);
  }

  /** Ends the LISTEN connection, if one was opened. The storage calls it when it closes. */
  async close(): Promise<void> {
    this.closed = true;
    const stop = this.stopListening;
    this.stopListening = undefined;
    await stop?.();
  }

  /**
   * Marks a leased job done in one statement that also checks the lease: `done` when it was
   * running under this claim; `requeued` when it was offered again while it ran (the claim is the
   * same, the row is left as it is); `stale` otherwise.
   */
  private async markComplete(client: SqlClient, lease: JobLease): Promise<CompleteOutcome> {
    const { rows } = await client.query<{ status: string }>(
      `UPDATE jobs SET
         status = CASE WHEN status = 'running' THEN 'done' ELSE status END,
         last_error = CASE WHEN status = 'running' THEN NULL ELSE last_error END,
         lease_until = CASE WHEN status = 'running' THEN NULL ELSE lease_until END,
         updated_at = CASE WHEN status = 'running' THEN $4 ELSE updated_at END
       WHERE kind = $1 AND key = $2 AND claim = $3 AND status IN ('running', 'queued')
       RETURNING status`,
      [...leaseParams(lease), this.options.now()],
    );
    const status = rows[0]?.status;
    return status === 'done' ? 'done' : status === 'queued' ? 'requeued' : 'stale';
  }

  /** Other processes hear of new work when the transaction commits (NOTIFY is transactional). */
  private async notifyOthers(client: SqlClient, kinds: readonly JobKind[]): Promise<void> {
    if (kinds.length === 0) return;
    await client.query(`SELECT pg_notify($1, $2 || ' ' || kind) FROM unnest($3::text[]) AS kind`, [JOBS_CHANNEL, this.origin, [...kinds]]);
  }

  /** Starts hearing other processes' enqueues, once, when the first listener subscribes. */
  private listen(): void {
    const notifications = this.options.notifications;
    if (!notifications || this.stopListening || this.closed) return;
    this.stopListening = notifications.listen(JOBS_CHANNEL, {
      onNotification: (payload) => {
        const [origin, kind] = payload.split(' ');
        const parsed = jobKindSchema.safeParse(kind);
        if (origin !== this.origin && parsed.success) this.notify(parsed.data);
      },
      // Enqueues may have gone unheard while the connection was down: every kind may have work.
      onReconnected: () => {
        for (const kind of JOB_KINDS) this.notify(kind);
      },
    });
  }

  private notify(kind: JobKind): void {
    for (const listener of this.listeners) listener(kind);
  }
}

function wokenKinds(requests: ReadonlyArray<JobRequest>, outcomes: readonly EnqueueOutcome[]): JobKind[] {
  return [...new Set(requests.filter((_, i) => outcomes[i] === 'queued' || outcomes[i] === 'requeued').map((r) => r.kind))];
}

function leaseParams(lease: JobLease): [string, string, number] {
  return [lease.kind, lease.key, lease.claim];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
