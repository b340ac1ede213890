import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { EventFilter, EventStore } from '../../../ports/event-store.ts';
import { toStoredEvent } from '../event-row.ts';

/** Builds the WHERE clause of a filter; values are always bound, never interpolated. */
function whereClause(filter: EventFilter): { sql: string; params: Record<string, string | number> } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.runId !== undefined) {
    parts.push('run_id = @run');
    params.run = filter.runId;
  }
  if (filter.cameraId !== undefined) {
    parts.push('camera_id = @camera');
    params.camera = filter.cameraId;
  }
  if (filter.type !== undefined) {
    parts.push('type = @type');
    params.type = filter.type;
  }
  if (filter.label !== undefined) {
    parts.push('rowid IN (SELECT event_rowid FROM event_labels WHERE label = @label)');
    params.label = filter.label;
  }
  if (filter.fromMs !== undefined) {
    parts.push('end_ms >= @from');
    params.from = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    parts.push('start_ms < @to');
    params.to = filter.toMs;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export class SqliteEventStore implements EventStore {
  constructor(private readonly db: Database.Database) {}

  async listEvents(filter: EventFilter): Promise<StoredEvent[]> {
    const { sql, params } = whereClause(filter);
    const rows = this.db
      .prepare(`SELECT * FROM events ${sql} ORDER BY start_ms, id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: filter.limit ?? -1, offset: filter.offset ?? 0 });
    return rows.map(toStoredEvent);
  }

  async countEvents(filter: EventFilter): Promise<number> {
    const { sql, params } = whereClause(filter);
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM events ${sql}`).get(params);
    return z.object({ n: z.number() }).parse(row).n;
  }

  async framePaths(runId: number, frameIndexes: readonly number[]): Promise<Map<number, string>> {
    const statement = this.db.prepare('SELECT image_path FROM frames WHERE run_id = ? AND frame_index = ?');
    const paths = new Map<number, string>();
    for (const index of new Set(frameIndexes)) {
      const row = z.object({ image_path: z.string().nullable() }).optional().parse(statement.get(runId, index));
      if (row?.image_path) paths.set(index, row.image_path);
    }
    return paths;
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id);
    return row === undefined ? undefined : toStoredEvent(row);
  }
}
