import { VigilError } from '../../domain/errors.ts';
import type { ClaimedJob, JobKind, JobQueue } from '../../ports/job-queue.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import type { RetrySchedule } from './retry-policy.ts';
import { runBatch, runJob, type AnyJobHandler, type BatchJobHandler, type JobExecution, type JobHandler } from './run-job.ts';
import { WorkerWakeup } from './worker-wakeup.ts';

/** A running job not heard of for this long is taken to have lost its worker. */
export const DEFAULT_LEASE_MS = 10 * 60_000;
const DEFAULT_POLL_MS = 5_000;

/**
 * Kinds worked by one loop, with their pace. Lanes run side by side; within a lane a pass takes
 * up to `take` due jobs and runs them at once (or hands them together to a batch handler), and
 * the next pass starts when they all ended.
 */
export interface JobLane {
  /** For logs and `processDue`: "descriptions", "embeddings", "frigate". */
  name: string;
  handlers: readonly AnyJobHandler[];
  /** Jobs taken per pass. 1 keeps the lane's jobs strictly one at a time. */
  take: number;
  retry: RetrySchedule;
  leaseMs?: number;
  /** The idle wait between passes when nothing is due (new work cuts it short). */
  pollMs?: number;
  /** Before the lane's first pass (e.g. queue work found missing); a throw (or rejection) keeps the lane stopped. */
  start?(): void | Promise<void>;
}

export interface JobRunnerDeps {
  queue: JobQueue;
  lanes: readonly JobLane[];
  /** The kinds this process works (from the configuration): each needs exactly one handler. */
  kinds: readonly JobKind[];
  clock: Clock;
  logger: Logger;
  /** Waits `ms` or until `signal` aborts; injected in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Awaited before each pass of every lane: the process has something more urgent than durable
   * work (reading a burst of messages), which loses nothing by waiting a moment.
   */
  beforePass?: (signal: AbortSignal) => Promise<void>;
  /**
   * Whether this process is the only one working these kinds, so that at start every job still
   * marked running was left by its own previous run and is queued again at once (default). With
   * other workers sharing the queue, only jobs whose lease expired are taken back.
   */
  soleWorker?: boolean;
}

interface Lane {
  spec: JobLane;
  kinds: JobKind[];
  handlers: Map<JobKind, AnyJobHandler>;
  exec: JobExecution;
  wakeup: WorkerWakeup;
}

/**
 * Works the job queue: one loop per lane, each claiming due jobs under a lease, running them
 * through their kind's handler, and recording the end by the one retry policy. New work wakes the
 * lane of its kind at once; otherwise lanes poll. Built with its handlers, it refuses to start
 * when a configured kind has none (or two), so no job can wait forever for a missing handler.
 */
export class JobRunner {
  private readonly lanes: Lane[];
  private readonly log: Logger;

  constructor(private readonly deps: JobRunnerDeps) {
    this.log = deps.logger.child({ module: 'jobs' });
    const owner = new Map<JobKind, string>();
    this.lanes = deps.lanes.map((spec) => {
      const handlers = new Map<JobKind, AnyJobHandler>();
      for (const handler of spec.handlers) {
        const taken = owner.get(handler.kind);
        if (taken !== undefined) throw new VigilError('config_invalid', `job kind "${handler.kind}" has two handlers (lanes ${taken} and ${spec.name})`);
        owner.set(handler.kind, spec.name);
        handlers.set(handler.kind, handler);
      }
      const exec: JobExecution = { queue: deps.queue, clock: deps.clock, logger: this.log.child({ lane: spec.name }), retry: spec.retry, leaseMs: spec.leaseMs ?? DEFAULT_LEASE_MS };
      return { spec, kinds: [...handlers.keys()], handlers, exec, wakeup: new WorkerWakeup(deps.sleep) };
    });
    const missing = deps.kinds.filter((kind) => !owner.has(kind));
    if (missing.length > 0) throw new VigilError('config_invalid', `no handler for job kind${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const unexpected = [...owner.keys()].filter((kind) => !deps.kinds.includes(kind));
    if (unexpected.length > 0) throw new VigilError('config_invalid', `handlers for job kinds this process does not work: ${unexpected.join(', ')}`);
  }

  /**
   * Runs until `signal` aborts: first queues again what a previous process left running (this
   * process is the one that works these kinds), then runs every lane. Resolves once all stopped.
   */
  async run(options: { signal: AbortSignal }): Promise<void> {
    const { signal } = options;
    const recovered = await this.deps.queue.recover(this.deps.kinds, { all: this.deps.soleWorker ?? true });
    if (recovered > 0) this.log.info({ recovered }, 'jobs interrupted by a restart were queued again');
    const unsubscribe = this.deps.queue.onEnqueued((kind) => this.wake(kind));
    try {
      await Promise.all(this.lanes.map((lane) => this.loop(lane, signal)));
    } finally {
      unsubscribe();
    }
  }

  /** Ends the idle wait of the lane that works `kind`. */
  wake(kind: JobKind): void {
    this.lanes.find((lane) => lane.handlers.has(kind))?.wakeup.kick();
  }

  /** One pass of every lane (or of the lane named): returns how many jobs ran. For tests and one-shot runs. */
  async processDue(options: { lane?: string; signal?: AbortSignal } = {}): Promise<number> {
    const signal = options.signal ?? new AbortController().signal;
    const lanes = this.lanes.filter((lane) => options.lane === undefined || lane.spec.name === options.lane);
    const ran = await Promise.all(lanes.map((lane) => this.pass(lane, signal)));
    return ran.reduce((a, b) => a + b, 0);
  }

  private async loop(lane: Lane, signal: AbortSignal): Promise<void> {
    try {
      await lane.spec.start?.();
    } catch (error) {
      lane.exec.logger.error({ err: error }, 'job lane could not start; its jobs wait');
      return;
    }
    while (!signal.aborted) {
      let ran = 0;
      try {
        ran = await this.pass(lane, signal);
      } catch (error) {
        lane.exec.logger.error({ err: error }, 'job pass failed');
      }
      if (ran === 0 && !signal.aborted) await lane.wakeup.idle(lane.spec.pollMs ?? DEFAULT_POLL_MS, signal);
    }
  }

  private async pass(lane: Lane, signal: AbortSignal): Promise<number> {
    if (signal.aborted) return 0;
    if (this.deps.beforePass) await this.deps.beforePass(signal);
    if (signal.aborted) return 0;
    const jobs = await this.deps.queue.claimDue(lane.kinds, lane.spec.take, { leaseMs: lane.exec.leaseMs });
    if (jobs.length === 0) return 0;
    const context = { signal, priority: 'background' as const };
    const byKind = new Map<JobKind, ClaimedJob[]>();
    for (const job of jobs) byKind.set(job.kind, [...(byKind.get(job.kind) ?? []), job]);
    const runs: Array<Promise<unknown>> = [];
    for (const [kind, group] of byKind) {
      // Claimed by kind, so the handler is the one for this kind (TypeScript cannot see it through the map).
      const handler = lane.handlers.get(kind) as JobHandler | BatchJobHandler;
      if ('runBatch' in handler) runs.push(runBatch(lane.exec, handler, group, context));
      else for (const job of group) runs.push(runJob(lane.exec, handler, job, context));
    }
    await Promise.all(runs);
    return jobs.length;
  }
}
