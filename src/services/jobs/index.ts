export { DEFAULT_LEASE_MS, JobRunner } from './job-runner.ts';
export type { JobLane, JobRunnerDeps } from './job-runner.ts';
export { JobsService } from './jobs.service.ts';
export type { JobFailureView, JobKindStatus, JobsServiceDeps, JobsStatus } from './jobs.service.ts';
export { MODEL_RETRY_SCHEDULE, errorText, retryDecision } from './retry-policy.ts';
export type { RetryDecision, RetrySchedule } from './retry-policy.ts';
export { runBatch, runJob } from './run-job.ts';
export type { AnyJobHandler, BatchJobHandler, JobContext, JobHandler, JobPriority, JobResult, JobRunOutcome, JobSuccess } from './run-job.ts';
