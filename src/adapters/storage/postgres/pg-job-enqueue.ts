import type { EnqueueOutcome, JobKind, JobRequest, JobState } from '../../../ports/job-queue.ts';
import { jobRowSchema, toJobState, type JobRow } from '../job-rows.ts';
import { decideEnqueue, eventIdOf, isEventJobKind, type JobUpdate } from '../job-rules.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Enqueue on PostgreSQL: the shared rules of job-rules.ts applied to a batch of offers in a
 * handful of statements, whatever its size.
 */


/**
 * Inside the enqueue transaction: every offer by its kind's rule, in a few statements whatever
 * the batch size (lock the events, insert the new jobs, lock the others, write the changed ones).
 */
export async function offerJobs<K extends JobKind>(tx: SqlClient, requests: ReadonlyArray<JobRequest<K>>, now: number): Promise<EnqueueOutcome[]> {
  const known = await lockEvents(tx, requests);
  const accepted = requests.filter((r) => !isEventJobKind(r.kind) || known.has(r.key));
  // The first offer of each job decides whether it is new; later offers of the same job in the
  // batch meet it as stored, as they would one by one.
  const firsts = new Map<string, JobRequest<K>>();
  for (const r of accepted) if (!firsts.has(idOf(r))) firsts.set(idOf(r), r);
  const inserted = await insertNew(tx, [...firsts.values()], now);
  const jobs = new Map<string, { state: JobState<K>; dirty: boolean }>();
  for (const row of await lockJobs(tx, [...firsts.values()].filter((r) => !inserted.has(idOf(r))))) {
    jobs.set(`${row.kind}\u0000${row.key}`, { state: toJobState(row.kind as K, row), dirty: false });
  }
  const outcomes = requests.map((request): EnqueueOutcome => {
    const { kind, key, payload } = request;
    if (isEventJobKind(kind) && !known.has(key)) return 'unknown_event';
    const id = idOf(request);
    if (inserted.has(id)) {
      inserted.delete(id);
      const eventId = eventIdOf(kind, key, payload);
      const state: JobState<K> = { kind, key, ...(eventId !== undefined ? { eventId } : {}), payload, status: 'queued', attempts: 0, nextAttemptAt: now, createdAt: now, updatedAt: now };
      jobs.set(id, { state, dirty: false });
      return 'queued';
    }
    const job = jobs.get(id);
    // Stored when the insert met it, deleted (with its event) before it could be locked: as if
    // this offer had come just before that delete.
    if (!job) return 'unchanged';
    const decision = decideEnqueue(kind, job.state, payload, now);
    if ('insert' in decision) return 'unchanged';
    if (decision.update) jobs.set(id, { state: applyUpdate(job.state, decision.update), dirty: true });
    return decision.outcome;
  });
  await writeUpdates(
    tx,
    [...jobs.values()].filter((j) => j.dirty).map((j) => j.state),
    now,
  );
  return outcomes;
}

/** The events the batch's event jobs belong to that exist, held (FOR KEY SHARE) so none is deleted before the jobs commit. */
async function lockEvents(tx: SqlClient, requests: ReadonlyArray<JobRequest>): Promise<Set<string>> {
  const ids = [...new Set(requests.filter((r) => isEventJobKind(r.kind)).map((r) => r.key))];
  if (ids.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR KEY SHARE', [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Inserts the jobs that do not exist yet; returns those it inserted. A concurrent insert of the same job wins, and is then locked. */
async function insertNew(tx: SqlClient, requests: ReadonlyArray<JobRequest>, now: number): Promise<Set<string>> {
  if (requests.length === 0) return new Set();
  const { rows } = await tx.query<{ kind: string; key: string }>(
    `INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
     SELECT u.kind, u.key, u.event_id, u.payload_json, 'queued', 0, 0, $5, $5, $5
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(kind, key, event_id, payload_json)
     ORDER BY u.kind COLLATE "C", u.key COLLATE "C"
     ON CONFLICT (kind, key) DO NOTHING
     RETURNING kind, key`,
    [
      requests.map((r) => r.kind),
      requests.map((r) => r.key),
      requests.map((r) => eventIdOf(r.kind, r.key, r.payload) ?? null),
      requests.map((r) => JSON.stringify(r.payload)),
      now,
    ],
  );
  return new Set(rows.map((r) => `${r.kind}\u0000${r.key}`));
}

/** Reads and locks (FOR UPDATE, in key order so two batches cannot deadlock) jobs that already existed. */
async function lockJobs(tx: SqlClient, requests: ReadonlyArray<JobRequest>): Promise<JobRow[]> {
  if (requests.length === 0) return [];
  const { rows } = await tx.query(
    `SELECT * FROM jobs WHERE (kind, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY kind COLLATE "C", key COLLATE "C" FOR UPDATE`,
    [requests.map((r) => r.kind), requests.map((r) => r.key)],
  );
  return rows.map((row) => jobRowSchema.parse(row));
}

async function writeUpdates(tx: SqlClient, states: ReadonlyArray<JobState>, now: number): Promise<void> {
  if (states.length === 0) return;
  await tx.query(
    `UPDATE jobs j SET payload_json = u.payload_json, status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
       last_error = u.last_error, updated_at = $8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[])
       AS u(kind, key, payload_json, status, attempts, next_attempt_at, last_error)
     WHERE j.kind = u.kind AND j.key = u.key`,
    [
      states.map((s) => s.kind),
      states.map((s) => s.key),
      states.map((s) => JSON.stringify(s.payload)),
      states.map((s) => s.status),
      states.map((s) => s.attempts),
      states.map((s) => s.nextAttemptAt),
      states.map((s) => s.lastError ?? null),
      now,
    ],
  );
}

function applyUpdate<K extends JobKind>(state: JobState<K>, update: JobUpdate<K>): JobState<K> {
  const { lastError: _dropped, ...rest } = state;
  return {
    ...rest,
    payload: update.payload,
    status: update.status,
    attempts: update.attempts,
    nextAttemptAt: update.nextAttemptAt,
    ...(update.lastError !== undefined ? { lastError: update.lastError } : {}),
  };
}

const idOf = (r: { kind: string; key: string }) => `${r.kind}\u0000${r.key}`;
