import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { EnqueueOutcome, FrigateJob, FrigateJobKind, FrigateJobStatus, FrigateJobStore, NewFrigateJob } from '../../../ports/frigate-job-store.ts';

const STATUSES = ['queued', 'running', 'done', 'failed'] as const;

const rowSchema = z.object({
  kind: z.enum(['ingest', 'write_description']),
  frigate_id: z.string(),
  event_id: z.string(),
  payload_json: z.string(),
  progress: z.number(),
  status: z.enum(STATUSES),
  attempts: z.number(),
  next_attempt_at: z.number(),
  last_error: z.string().nullable(),
});

function toJob(row: unknown): FrigateJob {
  const r = rowSchema.parse(row);
  return {
    kind: r.kind,
    frigateId: r.frigate_id,
    eventId: r.event_id,
    // Written by this class from a validated value; the service validates it again on use.
    payload: JSON.parse(r.payload_json) as unknown,
    progress: r.progress,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

/** The frigate_jobs table (migration 9). Single-writer: the sidecar's process. */
export class SqliteFrigateJobStore implements FrigateJobStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      get: db.prepare('SELECT * FROM frigate_jobs WHERE kind = ? AND frigate_id = ?'),
      insert: db.prepare(`
        INSERT INTO frigate_jobs (kind, frigate_id, event_id, payload_json, progress, status, next_attempt_at, created_at, updated_at)
        VALUES (@kind, @frigate_id, @event_id, @payload_json, @progress, 'queued', @now, @now, @now)`),
      replace: db.prepare(`
        UPDATE frigate_jobs SET payload_json = @payload_json, progress = @progress, status = 'queued', attempts = 0,
          next_attempt_at = @now, last_error = NULL, updated_at = @now
        WHERE kind = @kind AND frigate_id = @frigate_id`),
      due: db.prepare(`SELECT * FROM frigate_jobs WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`),
      claim: db.prepare(`UPDATE frigate_jobs SET status = 'running', attempts = attempts + 1, updated_at = ? WHERE kind = ? AND frigate_id = ? AND status = 'queued'`),
      complete: db.prepare(`UPDATE frigate_jobs SET status = 'done', last_error = NULL, updated_at = ? WHERE kind = ? AND frigate_id = ? AND status = 'running'`),
      retry: db.prepare(`UPDATE frigate_jobs SET status = 'queued', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE kind = ? AND frigate_id = ? AND status = 'running'`),
      failed: db.prepare(`UPDATE frigate_jobs SET status = 'failed', last_error = ?, updated_at = ? WHERE kind = ? AND frigate_id = ? AND status = 'running'`),
      recover: db.prepare(`UPDATE frigate_jobs SET status = 'queued', next_attempt_at = ?, updated_at = ? WHERE status = 'running'`),
      byEvent: db.prepare(`SELECT frigate_id FROM frigate_jobs WHERE event_id = ? AND kind = 'ingest' LIMIT 1`),
      counts: db.prepare('SELECT status, COUNT(*) AS n FROM frigate_jobs GROUP BY status'),
    };
  }

  enqueue(job: NewFrigateJob, now: number): EnqueueOutcome {
    const row = {
      kind: job.kind,
      frigate_id: job.frigateId,
      event_id: job.eventId,
      payload_json: JSON.stringify(job.payload),
      progress: job.progress,
      now,
    };
    return this.db.transaction((): EnqueueOutcome => {
      const existing = this.get(job.kind, job.frigateId);
      if (!existing) {
        this.statements.insert.run(row);
        return 'queued';
      }
      // A write-back carries the latest description, which wins even at equal progress.
      const newer = job.kind === 'write_description' ? job.progress >= existing.progress : job.progress > existing.progress;
      if (!newer) return 'duplicate';
      this.statements.replace.run(row);
      return 'requeued';
    })();
  }

  claimDue(now: number, limit: number): FrigateJob[] {
    return this.db.transaction(() => {
      const jobs = this.statements.due.all(now, limit).map(toJob);
      for (const job of jobs) this.statements.claim.run(now, job.kind, job.frigateId);
      return jobs.map((job) => ({ ...job, status: 'running' as const, attempts: job.attempts + 1 }));
    })();
  }

  complete(kind: FrigateJobKind, frigateId: string, now: number): void {
    this.statements.complete.run(now, kind, frigateId);
  }

  fail(kind: FrigateJobKind, frigateId: string, error: string, retry: { retryAt: number } | { permanent: true }, now: number): void {
    if ('retryAt' in retry) this.statements.retry.run(error, retry.retryAt, now, kind, frigateId);
    else this.statements.failed.run(error, now, kind, frigateId);
  }

  recoverRunning(now: number): number {
    return this.statements.recover.run(now, now).changes;
  }

  frigateIdOf(eventId: string): string | undefined {
    const row = this.statements.byEvent.get(eventId);
    return row === undefined ? undefined : z.object({ frigate_id: z.string() }).parse(row).frigate_id;
  }

  get(kind: FrigateJobKind, frigateId: string): FrigateJob | undefined {
    const row = this.statements.get.get(kind, frigateId);
    return row === undefined ? undefined : toJob(row);
  }

  counts(): Record<FrigateJobStatus, number> {
    const counts: Record<FrigateJobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of z.array(z.object({ status: z.enum(STATUSES), n: z.number() })).parse(this.statements.counts.all())) counts[row.status] = row.n;
    return counts;
  }
}
