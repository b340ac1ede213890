import { z } from 'zod';
import type { ClaimedJob, JobKind, JobState } from '../../ports/job-queue.ts';
import { jobKindSchema, jobStatusSchema, parsePayload } from './job-rules.ts';

/** A `jobs` row, the same columns on both backends, read back. */
export const jobRowSchema = z.object({
  kind: jobKindSchema,
  key: z.string(),
  event_id: z.string().nullable(),
  payload_json: z.string(),
  status: jobStatusSchema,
  attempts: z.number(),
  claim: z.number(),
  next_attempt_at: z.number(),
  last_error: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type JobRow = z.infer<typeof jobRowSchema>;

export function toJobState<K extends JobKind>(kind: K, row: JobRow): JobState<K> {
  return {
    kind,
    key: row.key,
    ...(row.event_id !== null ? { eventId: row.event_id } : {}),
    payload: parsePayload(kind, row.payload_json),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toClaimedJob(row: JobRow): ClaimedJob {
  return {
    kind: row.kind,
    key: row.key,
    claim: row.claim,
    attempts: row.attempts,
    ...(row.event_id !== null ? { eventId: row.event_id } : {}),
    payload: parsePayload(row.kind, row.payload_json),
  };
}
