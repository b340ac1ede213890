import type { ClaimedJob, JobKind, JobLease, JobOutput, JobQueue } from '../../ports/job-queue.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import { errorText, retryDecision, type RetrySchedule } from './retry-policy.ts';

export type JobPriority = 'background' | 'interactive';

export interface JobContext {
  /** Aborts when the runner stops (or the waiting user goes away). */
  signal: AbortSignal;
  /** `interactive` when a user waits on this job (a manual describe), else `background`. */
  priority: JobPriority;
}

/** A handler's success: `done`, or `skipped` (nothing to do); the job is finished either way. */
export interface JobSuccess {
  status: 'done' | 'skipped';
  /**
   * The result, stored by the queue in the transaction that checks the lease and marks the job:
   * a worker whose lease was taken over stores nothing.
   */
  output?: JobOutput;
  /**
   * After the result was accepted (not when it was refused as stale): announcements. A failure
   * here is logged; the job stays finished.
   */
  onCommitted?: () => void | Promise<void>;
}

export type JobResult = 'done' | 'skipped' | JobSuccess;

/**
 * Handles one claimed job of `kind`. Returns how it ended; throws for a failure, and the retry
 * policy (retry-policy.ts) decides from the error whether and when the job is tried again.
 */
export interface JobHandler<K extends JobKind = JobKind> {
  kind: K;
  run(job: ClaimedJob<K>, context: JobContext): Promise<JobResult>;
}

/**
 * Handles the jobs of one pass together (one provider call for many events). Returns one entry
 * per job, in order: its result or the error it failed with. Throwing fails them all.
 */
export interface BatchJobHandler<K extends JobKind = JobKind> {
  kind: K;
  runBatch(jobs: ReadonlyArray<ClaimedJob<K>>, context: JobContext): Promise<Array<JobResult | { error: unknown }>>;
}

export type AnyJobHandler = { [K in JobKind]: JobHandler<K> | BatchJobHandler<K> }[JobKind];

/** How a job ended this time. `stale`: its lease was taken over meanwhile and its result refused. */
export type JobRunOutcome =
  | { status: 'done' | 'skipped' | 'requeued' | 'stale' }
  | { status: 'retry'; error: unknown; delayMs: number }
  | { status: 'failed'; error: unknown };

export interface JobExecution {
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  retry: RetrySchedule;
  leaseMs: number;
}

/**
 * Runs one claimed job through its handler and records the end: the same path for the runner's
 * background passes and for a user waiting on a job (DescriptionService.describe).
 */
export async function runJob<K extends JobKind>(exec: JobExecution, handler: JobHandler<K>, job: ClaimedJob<K>, context: JobContext): Promise<JobRunOutcome> {
  const stop = keepLeases(exec, [job]);
  try {
    return await settle(exec, job, await handler.run(job, context), context.signal);
  } catch (error) {
    return await settleFailure(exec, job, error, context.signal);
  } finally {
    stop();
  }
}

/** Runs the jobs of one pass through a batch handler and records how each ended. */
export async function runBatch<K extends JobKind>(
  exec: JobExecution,
  handler: BatchJobHandler<K>,
  jobs: ReadonlyArray<ClaimedJob<K>>,
  context: JobContext,
): Promise<JobRunOutcome[]> {
  const stop = keepLeases(exec, jobs);
  try {
    let results: Array<JobResult | { error: unknown }>;
    try {
      results = await handler.runBatch(jobs, context);
      if (results.length !== jobs.length) throw new Error(`the ${handler.kind} handler answered ${results.length} results for ${jobs.length} jobs`);
    } catch (error) {
      results = jobs.map(() => ({ error }));
    }
    return await Promise.all(
      jobs.map(async (job, i) => {
        const result = results[i]!;
        if (typeof result === 'object' && 'error' in result) return settleFailure(exec, job, result.error, context.signal);
        try {
          return await settle(exec, job, result, context.signal);
        } catch (error) {
          return settleFailure(exec, job, error, context.signal);
        }
      }),
    );
  } finally {
    stop();
  }
}

/** A slow model (or a long provider queue) must not look like a dead worker: leases are renewed while the jobs run. */
function keepLeases(exec: JobExecution, leases: ReadonlyArray<JobLease>): () => void {
  const timer = setInterval(() => {
    for (const lease of leases) {
      // A storage outage must not stop the job: the lease is tried again next tick.
      exec.queue.extendLease(lease, { leaseMs: exec.leaseMs }).catch((error: unknown) => exec.logger.warn({ err: error, kind: lease.kind, key: lease.key }, 'could not extend a job lease'));
    }
  }, Math.max(1000, exec.leaseMs / 3));
  timer.unref();
  return () => clearInterval(timer);
}

async function settle(exec: JobExecution, job: ClaimedJob, result: JobResult, signal: AbortSignal): Promise<JobRunOutcome> {
  const success: JobSuccess = typeof result === 'string' ? { status: result } : result;
  const log = exec.logger.child({ kind: job.kind, key: job.key, attempt: job.attempts });
  const completed = await exec.queue.complete(job, success.output ? { output: success.output } : {});
  if (completed === 'stale') {
    log.info({}, 'job finished after another worker took it over; its result was discarded');
    return { status: 'stale' };
  }
  try {
    await success.onCommitted?.();
  } catch (error) {
    // The result is stored and the job finished: what follows it failing does not undo that.
    log.error({ err: error }, 'job finished, but what follows its result failed');
  }
  if (completed === 'requeued') log.debug({}, 'job finished; newer work for it is queued');
  else log.debug({ status: success.status, aborted: signal.aborted }, 'job finished');
  return { status: completed === 'requeued' ? 'requeued' : success.status };
}

async function settleFailure(exec: JobExecution, job: ClaimedJob, error: unknown, signal: AbortSignal): Promise<JobRunOutcome> {
  const text = errorText(error);
  const now = exec.clock.now();
  const log = exec.logger.child({ kind: job.kind, key: job.key, attempt: job.attempts });
  if (signal.aborted) {
    // Stopping: not the job's fault, so it is due again at once.
    await exec.queue.fail(job, text, { retryAt: now });
    log.info({ err: text }, 'job interrupted; queued again');
    return { status: 'retry', error, delayMs: 0 };
  }
  const decision = retryDecision(error, job.attempts, exec.retry);
  if (decision.retry) {
    await exec.queue.fail(job, text, { retryAt: now + decision.delayMs });
    log.warn({ err: text, retryInMs: decision.delayMs }, 'job failed; will try again');
    return { status: 'retry', error, delayMs: decision.delayMs };
  }
  await exec.queue.fail(job, text, { permanent: true });
  log.warn({ err: text }, 'job failed for good');
  return { status: 'failed', error };
}
