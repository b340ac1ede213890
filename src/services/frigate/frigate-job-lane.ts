import type { JobLane } from '../jobs/job-runner.ts';
import type { RetrySchedule } from '../jobs/retry-policy.ts';
import type { FrigateIngest } from './frigate-ingest.ts';
import type { FrigateSidecar } from './frigate-sidecar.ts';

/** Outages of Frigate (or the network) are retried without end at this pace: Frigate being down delays, never loses. */
export const FRIGATE_RETRY_SCHEDULE: RetrySchedule = { baseMs: 5_000, maxMs: 5 * 60_000, maxUnexpectedAttempts: 5 };

export interface FrigateJobLaneOptions {
  ingest: FrigateIngest;
  sidecar: FrigateSidecar;
  retry?: Partial<RetrySchedule>;
  /** The idle poll. Default 1 s. */
  pollMs?: number;
}

/**
 * The runner's lane of Frigate jobs (ingest, description write-back): one job at a time, so two
 * messages of one Frigate event are never handled at once.
 */
export function frigateJobLane(options: FrigateJobLaneOptions): JobLane {
  return {
    name: 'frigate',
    handlers: [
      {
        kind: 'frigate_ingest',
        run: async (job, { signal }) => {
          // A burst of messages first: reading them is what cannot wait.
          await options.sidecar.quiet({ signal });
          await options.ingest.process(job, signal);
          return 'done';
        },
      },
      {
        kind: 'frigate_write_description',
        run: async (job, { signal }) => {
          await options.sidecar.quiet({ signal });
          await options.sidecar.writeBack(job, signal);
          return 'done';
        },
      },
    ],
    take: 1,
    retry: { ...FRIGATE_RETRY_SCHEDULE, ...options.retry },
    pollMs: options.pollMs ?? 1000,
  };
}
