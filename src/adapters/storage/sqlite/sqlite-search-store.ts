import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { CameraCoverage, SearchHit, SearchQuery, SearchStore } from '../../../ports/search-store.ts';
import { toStoredEvent } from './sqlite-event-store.ts';

/** Field weights for BM25: summary, keywords, names, description. */
const BM25 = 'bm25(events_fts, 3.0, 2.0, 2.0, 1.0)';

type Params = Record<string, string | number>;

/**
 * Filters as SQL on the `events` alias `e`; every value is bound, never interpolated.
 * `maxDurationMs` (the longest stored event) turns "overlaps [from, to)" into a range on
 * start_ms that an index can serve from both ends.
 */
function filters(query: SearchQuery, maxDurationMs: number): { sql: string[]; params: Params } {
  const sql: string[] = [];
  const params: Params = {};
  const list = (name: string, values: readonly string[]) =>
    values
      .map((v, i) => {
        params[`${name}${i}`] = v;
        return `@${name}${i}`;
      })
      .join(', ');
  if (query.cameraIds?.length) sql.push(`e.camera_id IN (${list('cam', query.cameraIds)})`);
  if (query.types?.length) sql.push(`e.type IN (${list('type', query.types)})`);
  // EXISTS probes the (label, event_rowid) key per candidate instead of listing every event of the label.
  if (query.labels?.length) sql.push(`EXISTS (SELECT 1 FROM event_labels l WHERE l.event_rowid = e.rowid AND l.label IN (${list('label', query.labels)}))`);
  if (query.fromMs !== undefined) {
    sql.push('e.end_ms >= @from AND e.start_ms >= @fromBound');
    params.from = query.fromMs;
    params.fromBound = query.fromMs - maxDurationMs;
  }
  if (query.toMs !== undefined) {
    sql.push('e.start_ms < @to');
    params.to = query.toMs;
  }
  return { sql, params };
}

const coverageSchema = z.object({ camera_id: z.string(), analysed_from: z.number().nullable(), analysed_until: z.number().nullable() });
const statsSchema = z.object({ camera_id: z.string(), n: z.number(), first_ms: z.number().nullable(), last_ms: z.number().nullable() });

/** Per camera, the span of footage analysed: one primary-key probe per run, never a scan of events. */
const ANALYSED_SPANS = `SELECT r.camera_id, MIN(r.start_time_ms) AS analysed_from, MAX(f.ts_ms) AS analysed_until
  FROM analysis_runs r LEFT JOIN frames f ON f.run_id = r.id AND f.frame_index = r.last_frame_index
  GROUP BY r.camera_id`;

export class SqliteSearchStore implements SearchStore {
  constructor(private readonly db: Database.Database) {}

  private maxDurationMs(): number {
    const row = this.db.prepare('SELECT max_duration_ms FROM event_stats WHERE id = 1').get();
    return row === undefined ? Number.MAX_SAFE_INTEGER : z.object({ max_duration_ms: z.number() }).parse(row).max_duration_ms;
  }

  search(query: SearchQuery): { total: number; hits: SearchHit[] } {
    const { sql, params } = filters(query, this.maxDurationMs());
    if (query.match !== undefined) {
      // The full-text matches are collected once (MATERIALIZED) and then joined to events by key.
      // Left to itself the planner probes the index per candidate event, or ranks every match
      // before filtering: both several times slower on large stores (see bench:search).
      const where = sql.length ? `WHERE ${sql.join(' AND ')}` : '';
      const all = { ...params, match: query.match };
      const count = `WITH m AS MATERIALIZED (SELECT rowid FROM events_fts WHERE events_fts MATCH @match)
        SELECT COUNT(*) AS n FROM m JOIN events e ON e.rowid = m.rowid ${where}`;
      const ranked = `WITH m AS MATERIALIZED (SELECT rowid, ${BM25} AS rank FROM events_fts WHERE events_fts MATCH @match)
        SELECT e.*, -m.rank AS score FROM m JOIN events e ON e.rowid = m.rowid ${where}
        ORDER BY m.rank, e.start_ms DESC LIMIT @limit`;
      const total = z.object({ n: z.number() }).parse(this.db.prepare(count).get(all)).n;
      const rows = this.db.prepare(ranked).all({ ...all, limit: query.limit });
      return { total, hits: rows.map((row) => ({ stored: toStoredEvent(row), score: z.object({ score: z.number() }).parse(row).score })) };
    }
    const where = sql.length ? `WHERE ${sql.join(' AND ')}` : '';
    const total = z.object({ n: z.number() }).parse(this.db.prepare(`SELECT COUNT(*) AS n FROM events e ${where}`).get(params)).n;
    const order = query.order === 'oldest' ? 'e.start_ms ASC, e.id' : 'e.start_ms DESC, e.id';
    const rows = this.db.prepare(`SELECT e.* FROM events e ${where} ORDER BY ${order} LIMIT @limit`).all({ ...params, limit: query.limit });
    return { total, hits: rows.map((row) => ({ stored: toStoredEvent(row), score: 0 })) };
  }

  eventsByIds(ids: readonly string[]): SearchHit[] {
    const statement = this.db.prepare('SELECT * FROM events WHERE id = ?');
    return ids.flatMap((id) => {
      const row = statement.get(id);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: 0 }];
    });
  }

  analysedSpans(): CameraCoverage[] {
    return z
      .array(coverageSchema)
      .parse(this.db.prepare(ANALYSED_SPANS).all())
      .map((a) => ({
        cameraId: a.camera_id,
        ...(a.analysed_from !== null ? { analysedFromMs: a.analysed_from } : {}),
        ...(a.analysed_until !== null ? { analysedUntilMs: a.analysed_until } : {}),
        events: 0,
      }));
  }

  coverage(): CameraCoverage[] {
    const analysed = z.array(coverageSchema).parse(
      this.db.prepare(ANALYSED_SPANS).all(),
    );
    const stats = z
      .array(statsSchema)
      .parse(this.db.prepare('SELECT camera_id, COUNT(*) AS n, MIN(start_ms) AS first_ms, MAX(end_ms) AS last_ms FROM events GROUP BY camera_id').all());
    const byCamera = new Map<string, CameraCoverage>();
    for (const a of analysed) {
      byCamera.set(a.camera_id, {
        cameraId: a.camera_id,
        ...(a.analysed_from !== null ? { analysedFromMs: a.analysed_from } : {}),
        ...(a.analysed_until !== null ? { analysedUntilMs: a.analysed_until } : {}),
        events: 0,
      });
    }
    for (const s of stats) {
      const entry = byCamera.get(s.camera_id) ?? { cameraId: s.camera_id, events: 0 };
      byCamera.set(s.camera_id, {
        ...entry,
        events: s.n,
        ...(s.first_ms !== null ? { firstEventMs: s.first_ms } : {}),
        ...(s.last_ms !== null ? { lastEventMs: s.last_ms } : {}),
      });
    }
    return [...byCamera.values()].sort((a, b) => a.cameraId.localeCompare(b.cameraId));
  }
}
