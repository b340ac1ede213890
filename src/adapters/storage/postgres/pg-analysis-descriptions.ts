import { z } from 'zod';
import { type EventIndexing, REINDEX_COLUMNS, reindexRows } from './pg-analysis-events.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Gives each new event the description of the old event it matches, where it has none, with
 * the old event's finished describe job (the new event's own automatic job would pay for the same
 * description again; a job a worker is running is left alone). One statement for every pair.
 * Where one event is the target of several pairs, the first whose source has a description wins.
 */
const CARRY_OVER = `
  WITH pairs AS (
    SELECT DISTINCT ON (p.to_id) p.from_id, p.to_id
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(from_id, to_id, ord)
    JOIN event_descriptions d ON d.event_id = p.from_id
    WHERE EXISTS (SELECT 1 FROM events WHERE id = p.to_id)
    ORDER BY p.to_id, p.ord),
  carried AS (
    INSERT INTO event_descriptions (event_id, provider, model, created_at, json, raw_text, flagged, text_for_search)
    SELECT p.to_id, d.provider, d.model, d.created_at, d.json, d.raw_text, d.flagged, d.text_for_search
    FROM pairs p JOIN event_descriptions d ON d.event_id = p.from_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id),
  carried_pairs AS (SELECT p.from_id, p.to_id FROM pairs p JOIN carried c ON c.event_id = p.to_id),
  jobs_taken AS (
    INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, lease_until, last_error, created_at, updated_at)
    SELECT j.kind, c.to_id, c.to_id, j.payload_json, j.status, j.attempts, 0, j.next_attempt_at, NULL, j.last_error, j.created_at, $3
    FROM carried_pairs c JOIN jobs j ON j.kind = 'describe_event' AND j.key = c.from_id AND j.status = 'done'
    ON CONFLICT (kind, key) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, payload_json = excluded.payload_json,
      last_error = excluded.last_error, updated_at = excluded.updated_at
    WHERE jobs.status <> 'running'
    RETURNING 1)
  SELECT to_id FROM carried_pairs`;

/** Carries descriptions over (see CARRY_OVER) in `tx` and re-indexes the events that got one; returns how many. */
export async function carryOverDescriptions(
  tx: SqlClient,
  pairs: ReadonlyArray<{ from: string; to: string }>,
  now: number,
  indexing: EventIndexing,
): Promise<number> {
  const { rows } = await tx.query(CARRY_OVER, [pairs.map((p) => p.from), pairs.map((p) => p.to), now]);
  const carried = rows.map((row) => z.object({ to_id: z.string() }).parse(row).to_id);
  if (carried.length === 0) return 0;
  // The search document carries the description's words: rebuilt with them (a new statement, so it sees them).
  const events = await tx.query(
    `SELECT ${REINDEX_COLUMNS} FROM events WHERE id = ANY($1::text[]) ORDER BY rowid FOR UPDATE`,
    [carried],
  );
  await reindexRows(tx, events.rows, indexing);
  return carried.length;
}
