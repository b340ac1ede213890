import { z } from 'zod';
import { type EventIndexing, REINDEX_COLUMNS, reindexRows } from './pg-analysis-events.ts';
import type { SqlClient } from './sql-client.ts';

/** Keeping events' search documents in step with the indexer (camera names, a new schema). */

/** Events (re)indexed per transaction. */
const REINDEX_BATCH = 2_000;

export type ReindexScope = { kind: 'all' } | { kind: 'unindexed' } | { kind: 'camera'; cameraId: string };

/** The condition of each scope; fixed texts, the camera bound as $3. */
const CONDITIONS = { all: 'TRUE', unindexed: 'search IS NULL', camera: 'camera_id = $3' } as const;

const rowidSchema = z.object({ rowid: z.number() });

/**
 * Works through the events in rowid order, a batch per transaction, so a large store is never
 * held in memory at once. Each batch's rows are locked while their documents are built, so a
 * commit rewriting one of them meanwhile waits rather than being undone by a stale document.
 */
export async function reindexWhere(db: SqlClient, indexing: EventIndexing, scope: ReindexScope, onProgress?: (done: number) => void): Promise<number> {
  const sql = `SELECT ${REINDEX_COLUMNS} FROM events
    WHERE rowid > $1 AND ${CONDITIONS[scope.kind]} ORDER BY rowid LIMIT $2 FOR UPDATE`;
  let done = 0;
  let after = 0;
  for (;;) {
    const params = scope.kind === 'camera' ? [after, REINDEX_BATCH, scope.cameraId] : [after, REINDEX_BATCH];
    const rows = await db.transaction(async (tx) => {
      const batch = (await tx.query(sql, params)).rows;
      await reindexRows(tx, batch, indexing);
      return batch;
    }, { retries: 3 });
    if (rows.length === 0) return done;
    after = rowidSchema.parse(rows.at(-1)).rowid;
    done += rows.length;
    onProgress?.(done);
  }
}

const namesRowSchema = z.object({ camera_id: z.string(), names_json: z.string() });

/**
 * The cameras whose names (camera id -> its names as JSON) differ from those their events were
 * indexed with. A camera not recorded yet is taken as indexed with its current names.
 */
export async function changedCameraNames(db: SqlClient, current: ReadonlyMap<string, string>): Promise<string[]> {
  const { rows } = await db.query('SELECT camera_id, names_json FROM indexed_camera_names');
  const stored = new Map(rows.map((row) => namesRowSchema.parse(row)).map((r) => [r.camera_id, r.names_json]));
  return [...current].filter(([id, names]) => stored.has(id) && stored.get(id) !== names).map(([id]) => id);
}

export async function recordCameraNames(db: SqlClient, current: ReadonlyMap<string, string>): Promise<void> {
  if (current.size === 0) return;
  await db.query(
    `INSERT INTO indexed_camera_names (camera_id, names_json) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (camera_id) DO UPDATE SET names_json = excluded.names_json`,
    [[...current.keys()], [...current.values()]],
  );
}
