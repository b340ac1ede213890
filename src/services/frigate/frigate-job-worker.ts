import { isVigilError } from '../../domain/errors.ts';
import type { FrigateJob, FrigateJobKind, FrigateJobStore } from '../../ports/frigate-job-store.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import { WorkerWakeup } from '../genai/worker-wakeup.ts';

export interface FrigateRetrySchedule {
  /** Wait after the first failure, doubled after each further one... */
  baseMs: number;
  /** ...up to this. Outages are retried forever at this pace: Frigate being down delays, never loses. */
  maxMs: number;
  /** Unexpected errors (bugs, broken files) are tried this often before the job fails. */
  maxUnexpectedAttempts: number;
}

export const DEFAULT_FRIGATE_RETRY: FrigateRetrySchedule = { baseMs: 5_000, maxMs: 5 * 60_000, maxUnexpectedAttempts: 5 };

export type FrigateRetryDecision = { retry: true; delayMs: number } | { retry: false };

/** Retryable errors (Frigate or the network down) wait and retry without end; refusals fail at once. */
export function frigateRetryDecision(error: unknown, attempts: number, schedule: FrigateRetrySchedule): FrigateRetryDecision {
  if (isVigilError(error) && !error.retryable) return { retry: false };
  if (!isVigilError(error) && attempts >= schedule.maxUnexpectedAttempts) return { retry: false };
  const delayMs = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return { retry: true, delayMs };
}

export type FrigateJobHandlers = Record<FrigateJobKind, (job: FrigateJob, signal: AbortSignal) => Promise<void>>;

export interface FrigateJobWorkerDeps {
  jobs: FrigateJobStore;
  handlers: FrigateJobHandlers;
  clock: Clock;
  logger: Logger;
  retry?: Partial<FrigateRetrySchedule>;
  /** Injected in tests; waits `ms` or until the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Works the frigate_jobs table one job at a time (so two messages of one Frigate event are never
 * handled at once), sleeping until the next job is due or new work is kicked in.
 */
export class FrigateJobWorker {
  private readonly wakeup: WorkerWakeup;
  private readonly schedule: FrigateRetrySchedule;
  private readonly log: Logger;

  constructor(private readonly deps: FrigateJobWorkerDeps) {
    this.wakeup = new WorkerWakeup(deps.sleep);
    this.schedule = { ...DEFAULT_FRIGATE_RETRY, ...deps.retry };
    this.log = deps.logger.child({ module: 'frigate-jobs' });
  }

  kick(): void {
    this.wakeup.kick();
  }

  async runWorker(options: { signal: AbortSignal; pollMs?: number }): Promise<void> {
    const recovered = this.deps.jobs.recoverRunning(this.deps.clock.now());
    if (recovered > 0) this.log.info({ recovered }, 'Frigate jobs interrupted by a restart were queued again');
    while (!options.signal.aborted) {
      let ran = 0;
      try {
        ran = await this.processDue(options.signal);
      } catch (error) {
        this.log.error({ err: error }, 'Frigate job pass failed');
      }
      if (ran === 0 && !options.signal.aborted) await this.wakeup.idle(options.pollMs ?? 1000, options.signal);
    }
  }

  /** Runs every due job once; returns how many ran. */
  async processDue(signal: AbortSignal = new AbortController().signal): Promise<number> {
    let ran = 0;
    for (;;) {
      if (signal.aborted) return ran;
      const [job] = this.deps.jobs.claimDue(this.deps.clock.now(), 1);
      if (!job) return ran;
      ran++;
      await this.run(job, signal);
    }
  }

  private async run(job: FrigateJob, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ kind: job.kind, frigateId: job.frigateId, attempt: job.attempts });
    try {
      await this.deps.handlers[job.kind](job, signal);
      this.deps.jobs.complete(job.kind, job.frigateId, this.deps.clock.now());
    } catch (error) {
      const now = this.deps.clock.now();
      const text = isVigilError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      if (signal.aborted) {
        this.deps.jobs.fail(job.kind, job.frigateId, text, { retryAt: now }, now);
        return;
      }
      const decision = frigateRetryDecision(error, job.attempts, this.schedule);
      if (decision.retry) {
        this.deps.jobs.fail(job.kind, job.frigateId, text, { retryAt: now + decision.delayMs }, now);
        log.warn({ err: text, retryInMs: decision.delayMs }, 'Frigate job failed; will try again');
      } else {
        this.deps.jobs.fail(job.kind, job.frigateId, text, { permanent: true }, now);
        log.warn({ err: text }, 'Frigate job failed for good');
      }
    }
  }
}
