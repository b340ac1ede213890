import { JOB_KINDS, type JobKind, type JobQueue, type JobStatus } from '../../ports/job-queue.ts';
import type { Clock } from '../../ports/logger.ts';

export interface JobFailureView {
  key: string;
  eventId?: string;
  /** `failed` for good, or `queued` for another try at `nextAttemptAt`. */
  status: JobStatus;
  attempts: number;
  error: string;
  /** When the failure was recorded (ms since the epoch). */
  at: number;
  nextAttemptAt?: number;
}

export interface JobKindStatus {
  kind: JobKind;
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** How long the longest-waiting due job has waited (a worker that keeps up keeps this near 0). */
  oldestDueAgeMs?: number;
  recentFailures: JobFailureView[];
}

export interface JobsStatus {
  kinds: JobKindStatus[];
}

export interface JobsServiceDeps {
  queue: Pick<JobQueue, 'counts' | 'recentFailures'>;
  clock: Clock;
  /** Failures listed per kind. Default 5. */
  recentFailures?: number;
}

/** The one place that tells the state of the job queue: for `GET /api/jobs`, `/metrics` and `vigil jobs`. */
export class JobsService {
  constructor(private readonly deps: JobsServiceDeps) {}

  async status(): Promise<JobsStatus> {
    const counts = await this.deps.queue.counts();
    const limit = this.deps.recentFailures ?? 5;
    const failures = await Promise.all(JOB_KINDS.map(async (kind) => (limit > 0 ? this.deps.queue.recentFailures(kind, limit) : [])));
    // After the reads: the ages are as of the counts, not of before a slow query.
    const now = this.deps.clock.now();
    return {
      kinds: JOB_KINDS.map((kind, i): JobKindStatus => {
        const { oldestDueAt, ...byStatus } = counts[kind];
        const recentFailures = failures[i]!;
        return {
          kind,
          ...byStatus,
          ...(oldestDueAt !== undefined ? { oldestDueAgeMs: Math.max(0, now - oldestDueAt) } : {}),
          recentFailures: recentFailures.map((job) => ({
            key: job.key,
            ...(job.eventId !== undefined ? { eventId: job.eventId } : {}),
            status: job.status,
            attempts: job.attempts,
            error: job.lastError ?? '',
            at: job.updatedAt,
            ...(job.status === 'queued' ? { nextAttemptAt: job.nextAttemptAt } : {}),
          })),
        };
      }),
    };
  }
}
