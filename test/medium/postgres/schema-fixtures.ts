import type { SqlClient } from '../../../src/adapters/storage/postgres/sql-client.ts';

/**
 * Minimal rows for schema tests: only the columns a test is about vary, the rest are valid
 * placeholders. Every id is assigned by the database, as an adapter would let it.
 */

export async function insertRun(db: SqlClient, cameraId = 'door', settingsKey = 'default'): Promise<number> {
  const source = await db.query<{ id: number }>(
    `INSERT INTO sources (camera_id, fingerprint, uri, kind, codec, width, height, fps, created_at, updated_at)
     VALUES ($1, $2, 'file:///v.mp4', 'file', 'h264', 640, 480, 25, 0, 0)
     ON CONFLICT (fingerprint, camera_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id`,
    [cameraId, `fp-${cameraId}`],
  );
  const run = await db.query<{ id: number }>(
    `INSERT INTO analysis_runs (source_id, camera_id, settings_key, settings_json, status, start_time_ms, start_time_source, started_at)
     VALUES ($1, $2, $3, '{}', 'running', 0, 'file_mtime', 0) RETURNING id`,
    [source.rows[0]!.id, cameraId, settingsKey],
  );
  return run.rows[0]!.id;
}

export interface EventFields {
  id: string;
  runId: number;
  cameraId?: string;
  type?: string;
  startMs?: number;
  endMs?: number;
}

/** Inserts (or, for an existing id, updates the way the analysis store does) an event; returns its rowid. */
export async function upsertEvent(db: SqlClient, e: EventFields): Promise<number> {
  const { rows } = await db.query<{ rowid: number }>(
    `INSERT INTO events (id, run_id, camera_id, type, rule, status, start_ms, end_ms, start_frame, end_frame,
       labels_json, actors_json, evidence_json, details_json, summary_en, summary_zh_hant, keywords, snapshot_frame)
     VALUES ($1, $2, $3, $4, 'rule', 'open', $5, $6, 0, 1, '[]', '[]', '[]', '{}', 'summary', '摘要', '', 0)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_ms = excluded.end_ms
     RETURNING rowid`,
    [e.id, e.runId, e.cameraId ?? 'door', e.type ?? 'object_appeared', e.startMs ?? 1_000, e.endMs ?? 2_000],
  );
  return rows[0]!.rowid;
}

export async function addLabels(db: SqlClient, rowid: number, labels: readonly string[]): Promise<void> {
  for (const label of labels) await db.query('INSERT INTO event_labels (event_rowid, label) VALUES ($1, $2) ON CONFLICT DO NOTHING', [rowid, label]);
}

/** facet_counts as "kind:value" -> events, for compact expectations. */
export async function facetCounts(db: SqlClient): Promise<Record<string, number>> {
  const { rows } = await db.query<{ kind: string; value: string; events: number }>('SELECT kind, value, events FROM facet_counts ORDER BY kind, value');
  return Object.fromEntries(rows.map((r) => [`${r.kind}:${r.value}`, r.events]));
}

export async function insertJob(db: SqlClient, kind: string, key: string, eventId: string | null): Promise<void> {
  await db.query(
    `INSERT INTO jobs (kind, key, event_id, payload_json, status, next_attempt_at, created_at, updated_at)
     VALUES ($1, $2, $3, '{}', 'queued', 0, 0, 0)`,
    [kind, key, eventId],
  );
}
