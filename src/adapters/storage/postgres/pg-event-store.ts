import { z } from 'zod';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { EventFilter, EventStore } from '../../../ports/event-store.ts';
import { EVENT_COLUMNS, toStoredEvent } from './pg-analysis-events.ts';
import type { SqlClient } from './sql-client.ts';

/** A WHERE clause and its values; values are always bound ($n), never put into the text. */
function whereClause(filter: EventFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  if (filter.runId !== undefined) parts.push(`run_id = ${bind(filter.runId)}`);
  if (filter.cameraId !== undefined) parts.push(`camera_id = ${bind(filter.cameraId)}`);
  if (filter.type !== undefined) parts.push(`type = ${bind(filter.type)}`);
  if (filter.label !== undefined) parts.push(`rowid IN (SELECT event_rowid FROM event_labels WHERE label = ${bind(filter.label)})`);
  // Overlap of [fromMs, toMs), as SQLite: an event ending exactly at fromMs still counts.
  if (filter.fromMs !== undefined) parts.push(`end_ms >= ${bind(filter.fromMs)}`);
  if (filter.toMs !== undefined) parts.push(`start_ms < ${bind(filter.toMs)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const countSchema = z.object({ n: z.number() });
const framePathSchema = z.object({ frame_index: z.number(), image_path: z.string() });

/** Reading stored events from PostgreSQL (written by PgAnalysisStore). */
export class PgEventStore implements EventStore {
  constructor(protected readonly db: SqlClient) {}

  async listEvents(filter: EventFilter): Promise<StoredEvent[]> {
    const { sql, params } = whereClause(filter);
    // LIMIT NULL is no limit in PostgreSQL (SQLite's -1).
    const limit = `$${params.length + 1}`;
    const offset = `$${params.length + 2}`;
    // Ids in byte order (COLLATE "C"), as SQLite's BINARY: the database's collation may differ.
    const { rows } = await this.db.query(`SELECT ${EVENT_COLUMNS} FROM events ${sql} ORDER BY start_ms, id COLLATE "C" LIMIT ${limit} OFFSET ${offset}`, [
      ...params,
      filter.limit ?? null,
      filter.offset ?? 0,
    ]);
    return rows.map(toStoredEvent);
  }

  async countEvents(filter: EventFilter): Promise<number> {
    const { sql, params } = whereClause(filter);
    const { rows } = await this.db.query(`SELECT COUNT(*) AS n FROM events ${sql}`, params);
    return countSchema.parse(rows[0]).n;
  }

  async framePaths(runId: number, frameIndexes: readonly number[]): Promise<Map<number, string>> {
    const wanted = [...new Set(frameIndexes)];
    if (wanted.length === 0) return new Map();
    // One round trip for all of them (SQLite asked frame by frame).
    const { rows } = await this.db.query(
      `SELECT frame_index, image_path FROM frames WHERE run_id = $1 AND frame_index = ANY($2::bigint[]) AND image_path IS NOT NULL`,
      [runId, wanted],
    );
    const found = new Map(rows.map((row) => framePathSchema.parse(row)).map((r) => [r.frame_index, r.image_path] as const));
    // In the order asked, as SQLite returns them; an empty path is no path.
    const paths = new Map<number, string>();
    for (const index of wanted) {
      const path = found.get(index);
      if (path) paths.set(index, path);
    }
    return paths;
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    const { rows } = await this.db.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toStoredEvent(rows[0]);
  }
}
