import { z } from 'zod';
import type { EnqueueOutcome, EventJobKind, JobKind, JobPayload, JobPayloads, JobState, JobStatus } from '../../ports/job-queue.ts';
import { EVENT_JOB_KINDS, JOB_KINDS } from '../../ports/job-queue.ts';

/**
 * What every JobQueue backend shares (Kysely-style: one folder per dialect, the rules here): the
 * payload schema of each kind, checked whenever a payload is read back from storage, and the
 * enqueue rule of each kind (documented in ports/job-queue.ts) as a pure function of the stored job.
 */
export const PAYLOAD_SCHEMAS: { [K in JobKind]: z.ZodType<JobPayloads[K]> } = {
  describe_event: z.object({ requestedBy: z.enum(['auto', 'manual']), provider: z.string().optional() }),
  embed_event: z.object({}).strict() as z.ZodType<Record<string, never>>,
  frigate_ingest: z.object({ eventId: z.string(), progress: z.number(), message: z.record(z.string(), z.unknown()) }),
  frigate_write_description: z.object({ eventId: z.string(), progress: z.number(), description: z.string() }),
};

export const jobKindSchema = z.enum(JOB_KINDS);
export const jobStatusSchema = z.enum(['queued', 'running', 'done', 'failed']);

export function parsePayload<K extends JobKind>(kind: K, json: string): JobPayload<K> {
  const schema: z.ZodType<JobPayload<K>> = PAYLOAD_SCHEMAS[kind];
  return schema.parse(JSON.parse(json));
}

export function isEventJobKind(kind: JobKind): kind is EventJobKind {
  return (EVENT_JOB_KINDS as readonly JobKind[]).includes(kind);
}

/** The Vigil event a job belongs to: its key for event jobs, named in the payload for Frigate's. */
export function eventIdOf<K extends JobKind>(kind: K, key: string, payload: JobPayload<K>): string | undefined {
  if (isEventJobKind(kind)) return key;
  const named = (payload as { eventId?: unknown }).eventId;
  return typeof named === 'string' ? named : undefined;
}

/** The fields an enqueue may change on a stored job. */
export interface JobUpdate<K extends JobKind> {
  payload: JobPayload<K>;
  status: JobStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | undefined;
}

export type EnqueueDecision<K extends JobKind> =
  | { outcome: 'queued'; insert: true }
  | { outcome: Exclude<EnqueueOutcome, 'unknown_event'>; update?: JobUpdate<K> };

/** A job queued afresh with this payload: due now, from attempt 0, its last error forgotten. */
function fresh<K extends JobKind>(payload: JobPayload<K>, now: number): JobUpdate<K> {
  return { payload, status: 'queued', attempts: 0, nextAttemptAt: now, lastError: undefined };
}

function keep<K extends JobKind>(job: JobState<K>): JobUpdate<K> {
  return { payload: job.payload, status: job.status, attempts: job.attempts, nextAttemptAt: job.nextAttemptAt, lastError: job.lastError };
}

/** The enqueue rule of `kind`: what an offer of `payload` does to the stored job (if any) at `now`. */
export function decideEnqueue<K extends JobKind>(kind: K, existing: JobState<K> | undefined, payload: JobPayload<K>, now: number): EnqueueDecision<K> {
  if (!existing) return { outcome: 'queued', insert: true };
  // The casts name what `kind` already says: TypeScript does not narrow a generic payload by its kind.
  switch (kind) {
    case 'describe_event':
      return describeRule(existing as JobState<'describe_event'>, payload as JobPayload<'describe_event'>, now) as EnqueueDecision<K>;
    case 'embed_event':
      return existing.status === 'queued' ? { outcome: 'unchanged' } : { outcome: 'requeued', update: fresh(payload, now) };
    case 'frigate_ingest':
    case 'frigate_write_description': {
      const offered = (payload as JobPayload<'frigate_ingest'>).progress;
      const stored = (existing.payload as JobPayload<'frigate_ingest'>).progress;
      // A write-back carries the latest description, which wins even at equal progress.
      const newer = kind === 'frigate_write_description' ? offered >= stored : offered > stored;
      return newer ? { outcome: 'requeued', update: fresh(payload, now) } : { outcome: 'unchanged' };
    }
    default:
      throw new Error(`no enqueue rule for job kind ${String(kind)}`);
  }
}

function describeRule(job: JobState<'describe_event'>, offer: JobPayload<'describe_event'>, now: number): EnqueueDecision<'describe_event'> {
  if (offer.requestedBy !== 'manual') return { outcome: 'unchanged' };
  const provider = offer.provider ?? job.payload.provider;
  const manual = { requestedBy: 'manual' as const, ...(provider !== undefined ? { provider } : {}) };
  switch (job.status) {
    case 'done':
    case 'failed':
      return { outcome: 'requeued', update: fresh(manual, now) };
    case 'queued':
      return {
        outcome: job.nextAttemptAt > now ? 'requeued' : 'unchanged',
        update: { ...keep(job), payload: { ...job.payload, requestedBy: 'manual' }, nextAttemptAt: Math.min(job.nextAttemptAt, now) },
      };
    case 'running':
      return { outcome: 'unchanged' };
  }
}
