import type Database from 'better-sqlite3';
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
import { decideEnqueue, eventIdOf, isEventJobKind, jobKindSchema, jobStatusSchema, parsePayload, type JobUpdate } from '../job-rules.ts';
import { jobRowSchema, toClaimedJob, toJobState, type JobRow } from '../job-rows.ts';




export interface SqliteJobQueueOptions {
  now?: () => number;
  /**
   * Stores a finished job's output for its event, synchronously, inside `complete`'s transaction
   * (the storage wires the description store and the vector index in). Without it, a job with an
   * output cannot be completed.
   */
  writeOutput?: (eventId: string, output: JobOutput) => void;
}

/**
 * The job queue in the `jobs` table (migration 13), one row per (kind, key). better-sqlite3 is
 * synchronous, so every method is one transaction that no other caller of this process can
 * interleave with; IMMEDIATE transactions keep other processes (`vigil analyze` enqueueing while
 * `vigil serve` works the queue) out while a row is read and rewritten.
 */
export class SqliteJobQueue implements JobQueue {
  private readonly statements;
  private readonly now: () => number;
  private readonly writeOutput: (eventId: string, output: JobOutput) => void;
  private readonly listeners = new Set<(kind: JobKind) => void>();

  constructor(
    private readonly db: Database.Database,
    options: SqliteJobQueueOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.writeOutput =
      options.writeOutput ??
      ((_eventId, output) => {
        throw new Error(`this job queue was built without a writer for job outputs (${output.kind})`);
      });
    this.statements = {
      get: db.prepare('SELECT * FROM jobs WHERE kind = ? AND key = ?'),
      eventExists: db.prepare('SELECT 1 FROM events WHERE id = ?'),
      insert: db.prepare(`
        INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
        VALUES (@kind, @key, @event_id, @payload_json, 'queued', 0, 0, @now, @now, @now)`),
      update: db.prepare(`
        UPDATE jobs SET payload_json = @payload_json, status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at,
          last_error = @last_error, updated_at = @now
        WHERE kind = @kind AND key = @key`),
      // One statement, so two workers can never take the same job. RETURNING gives no order: sorted after.
      claimDue: db.prepare(`
        UPDATE jobs SET status = 'running', attempts = attempts + 1, claim = claim + 1, lease_until = @lease_until, updated_at = @now
        WHERE (kind, key) IN (
          SELECT kind, key FROM jobs
          WHERE kind IN (SELECT value FROM json_each(@kinds))
            AND ((status = 'queued' AND next_attempt_at <= @now) OR (status = 'running' AND lease_until <= @now))
          ORDER BY next_attempt_at, kind, key LIMIT @limit)
        RETURNING *`),
      claimOne: db.prepare(`
        UPDATE jobs SET status = 'running', attempts = attempts + 1, claim = claim + 1, lease_until = @lease_until, updated_at = @now
        WHERE kind = @kind AND key = @key
        RETURNING *`),
      extend: db.prepare(`
        UPDATE jobs SET lease_until = @lease_until, updated_at = @now
        WHERE kind = @kind AND key = @key AND claim = @claim AND status = 'running'`),
      markDone: db.prepare(`
        UPDATE jobs SET status = 'done', last_error = NULL, lease_until = NULL, updated_at = @now
        WHERE kind = @kind AND key = @key AND claim = @claim AND status = 'running'`),
      markRetry: db.prepare(`
        UPDATE jobs SET status = 'queued', next_attempt_at = @retry_at, last_error = @error, lease_until = NULL, updated_at = @now
        WHERE kind = @kind AND key = @key AND claim = @claim AND status = 'running'`),
      markFailed: db.prepare(`
        UPDATE jobs SET status = 'failed', last_error = @error, lease_until = NULL, updated_at = @now
        WHERE kind = @kind AND key = @key AND claim = @claim AND status = 'running'`),
      // The claim is bumped: whoever held these jobs is fenced off.
      recover: db.prepare(`
        UPDATE jobs SET status = 'queued', next_attempt_at = @now, claim = claim + 1, lease_until = NULL, updated_at = @now
        WHERE kind IN (SELECT value FROM json_each(@kinds)) AND status = 'running' AND (@all = 1 OR lease_until <= @now)`),
      requeueKind: db.prepare(`
        UPDATE jobs SET status = 'queued', attempts = 0, next_attempt_at = @now, last_error = NULL, claim = claim + 1,
          lease_until = NULL, updated_at = @now
        WHERE kind = @kind`),
      insertMissing: db.prepare(`
        INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
        SELECT @kind, e.id, e.id, @payload_json, 'queued', 0, 0, @now, @now, @now FROM events e
        WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = @kind AND j.key = e.id)`),
      byEvent: db.prepare('SELECT * FROM jobs WHERE event_id = ? AND kind = ? ORDER BY key LIMIT 1'),
      counts: db.prepare('SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status'),
      oldestDue: db.prepare(`SELECT kind, MIN(next_attempt_at) AS due FROM jobs WHERE status = 'queued' AND next_attempt_at <= ? GROUP BY kind`),
      failures: db.prepare('SELECT * FROM jobs WHERE kind = ? AND last_error IS NOT NULL ORDER BY updated_at DESC, key LIMIT ?'),
    };
  }

  async enqueue<K extends JobKind>(request: JobRequest<K>): Promise<EnqueueOutcome> {
    const [outcome] = await this.enqueueMany([request]);
    return outcome!;
  }

  async enqueueMany<K extends JobKind>(requests: ReadonlyArray<JobRequest<K>>): Promise<EnqueueOutcome[]> {
    if (requests.length === 0) return [];
    const outcomes = this.db.transaction(() => requests.map((request) => this.offer(request))).immediate();
    const woken = new Set(requests.filter((_, i) => outcomes[i] === 'queued' || outcomes[i] === 'requeued').map((r) => r.kind));
    for (const kind of woken) this.notify(kind);
    return outcomes;
  }

  async enqueueEveryEvent(kind: 'embed_event', options: { onlyMissing: boolean }): Promise<number> {
    return this.enqueueEveryEventNow(kind, options);
  }

  /** `enqueueEveryEvent`, synchronously: inside another transaction (the vector index's rebuild) it joins it. */
  enqueueEveryEventNow(kind: 'embed_event', options: { onlyMissing: boolean }): number {
    const now = this.now();
    const queued = this.db
      .transaction((): number => {
        const requeued = options.onlyMissing ? 0 : this.statements.requeueKind.run({ kind, now }).changes;
        return requeued + this.statements.insertMissing.run({ kind, now, payload_json: '{}' }).changes;
      })
      .immediate();
    if (queued > 0) this.notify(kind);
    return queued;
  }

  async claimDue(kinds: readonly JobKind[], limit: number, options: { leaseMs: number }): Promise<ClaimedJob[]> {
    if (limit <= 0 || kinds.length === 0) return [];
    const now = this.now();
    const rows = this.statements.claimDue
      .all({ kinds: JSON.stringify(kinds), now, lease_until: now + options.leaseMs, limit })
      .map((row) => jobRowSchema.parse(row));
    // Handed out oldest-due first, as they were selected (the pre-claim due time is not returned,
    // but a claimed row's next_attempt_at is left as it was).
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || compare(a.kind, b.kind) || compare(a.key, b.key));
    return rows.map(toClaimedJob);
  }

  async claim<K extends JobKind>(kind: K, key: string, options: { leaseMs: number }): Promise<ClaimedJob<K> | undefined> {
    const now = this.now();
    const row = this.statements.claimOne.get({ kind, key, now, lease_until: now + options.leaseMs });
    if (row === undefined) return undefined;
    const r = jobRowSchema.parse(row);
    return { kind, key, claim: r.claim, attempts: r.attempts, ...(r.event_id !== null ? { eventId: r.event_id } : {}), payload: parsePayload(kind, r.payload_json) };
  }

  async extendLease(lease: JobLease, options: { leaseMs: number }): Promise<boolean> {
    const now = this.now();
    return this.statements.extend.run({ ...leaseParams(lease), now, lease_until: now + options.leaseMs }).changes > 0;
  }

  async complete(lease: JobLease, options: { output?: JobOutput } = {}): Promise<CompleteOutcome> {
    return this.db
      .transaction((): CompleteOutcome => {
        const row = this.row(lease.kind, lease.key);
        // Queued with the same claim: offered again while it ran; the result counts, the job stays queued.
        if (!row || row.claim !== lease.claim || (row.status !== 'running' && row.status !== 'queued')) return 'stale';
        if (options.output) this.writeOutput(lease.key, options.output);
        if (row.status === 'queued') return 'requeued';
        this.statements.markDone.run({ ...leaseParams(lease), now: this.now() });
        return 'done';
      })
      .immediate();
  }

  async fail(lease: JobLease, error: string, disposition: FailureDisposition): Promise<boolean> {
    const params = { ...leaseParams(lease), error, now: this.now() };
    const result = 'retryAt' in disposition ? this.statements.markRetry.run({ ...params, retry_at: disposition.retryAt }) : this.statements.markFailed.run(params);
    return result.changes > 0;
  }

  async recover(kinds: readonly JobKind[], options: { all?: boolean } = {}): Promise<number> {
    if (kinds.length === 0) return 0;
    return this.statements.recover.run({ kinds: JSON.stringify(kinds), now: this.now(), all: options.all ? 1 : 0 }).changes;
  }

  async get<K extends JobKind>(kind: K, key: string): Promise<JobState<K> | undefined> {
    const row = this.row(kind, key);
    return row === undefined ? undefined : toJobState(kind, row);
  }

  async findByEvent<K extends JobKind>(kind: K, eventId: string): Promise<JobState<K> | undefined> {
    const row = this.statements.byEvent.get(eventId, kind);
    return row === undefined ? undefined : toJobState(kind, jobRowSchema.parse(row));
  }

  async counts(): Promise<Record<JobKind, JobKindCounts>> {
    const counts = Object.fromEntries(JOB_KINDS.map((kind) => [kind, { queued: 0, running: 0, done: 0, failed: 0 }])) as Record<JobKind, JobKindCounts>;
    const rows = z.array(z.object({ kind: z.string(), status: jobStatusSchema, n: z.number() })).parse(this.statements.counts.all());
    for (const row of rows) {
      const kind = jobKindSchema.safeParse(row.kind);
      if (kind.success) counts[kind.data][row.status] = row.n;
    }
    const due = z.array(z.object({ kind: z.string(), due: z.number() })).parse(this.statements.oldestDue.all(this.now()));
    for (const row of due) {
      const kind = jobKindSchema.safeParse(row.kind);
      if (kind.success) counts[kind.data].oldestDueAt = row.due;
    }
    return counts;
  }

  async recentFailures<K extends JobKind>(kind: K, limit: number): Promise<Array<JobState<K>>> {
    return this.statements.failures.all(kind, limit).map((row) => toJobState(kind, jobRowSchema.parse(row)));
  }

  onEnqueued(listener: (kind: JobKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Inside the enqueue transaction: one offer, by its kind's rule. */
  private offer<K extends JobKind>(request: JobRequest<K>): EnqueueOutcome {
    const { kind, key, payload } = request;
    const eventId = eventIdOf(kind, key, payload);
    if (isEventJobKind(kind) && this.statements.eventExists.get(key) === undefined) return 'unknown_event';
    const now = this.now();
    const row = this.row(kind, key);
    const decision = decideEnqueue(kind, row === undefined ? undefined : toJobState(kind, row), payload, now);
    if ('insert' in decision) {
      this.statements.insert.run({ kind, key, event_id: eventId ?? null, payload_json: JSON.stringify(payload), now });
    } else if (decision.update) {
      this.write(kind, key, decision.update, now);
    }
    return decision.outcome;
  }

  private write<K extends JobKind>(kind: K, key: string, update: JobUpdate<K>, now: number): void {
    this.statements.update.run({
      kind,
      key,
      payload_json: JSON.stringify(update.payload),
      status: update.status,
      attempts: update.attempts,
      next_attempt_at: update.nextAttemptAt,
      last_error: update.lastError ?? null,
      now,
    });
  }

  private row(kind: JobKind, key: string): JobRow | undefined {
    const row = this.statements.get.get(kind, key);
    return row === undefined ? undefined : jobRowSchema.parse(row);
  }

  private notify(kind: JobKind): void {
    for (const listener of this.listeners) listener(kind);
  }
}

function leaseParams(lease: JobLease) {
  return { kind: lease.kind, key: lease.key, claim: lease.claim };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
