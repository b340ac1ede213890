import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_TYPES } from '../../../domain/events/event-types.ts';
import type { CameraCoverage, SearchHit, SearchPage, SearchQuery, SearchStore, TimelineEntry } from '../../../ports/search-store.ts';
import { facetedMatch } from './search-entry.ts';
import { toStoredEvent } from './sqlite-event-store.ts';

/** Field weights for BM25: summary, keywords, names, description; facets never score. */
const BM25 = 'bm25(events_fts, 3.0, 2.0, 2.0, 1.0, 0.0)';

export interface SearchStoreLimits {
  /** Matches are counted up to this many; beyond it the total is reported as "more than". */
  countCap: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchStoreLimits = { countCap: 10_000 };

type Params = Record<string, string | number>;

/** The columns a match is ranked and drawn on the timeline with; full rows only for the hits. */
const LIGHT_COLUMNS = 'e.rowid AS event_rowid, e.id, e.camera_id, e.type, e.start_ms, e.end_ms';

const lightRowSchema = z.object({
  event_rowid: z.number(),
  id: z.string(),
  camera_id: z.string(),
  type: z.enum(EVENT_TYPES),
  start_ms: z.number(),
  end_ms: z.number(),
  score: z.number().optional(),
});
type LightRow = z.infer<typeof lightRowSchema>;

interface Filters {
  /** Camera and type, served by the events indexes. */
  place: string[];
  labels: string[];
  time: string[];
  params: Params;
}

/**
 * Filters as SQL on the `events` alias `e`; every value is bound, never interpolated.
 * `maxDurationMs` (the longest stored event) turns "overlaps [from, to)" into a range on
 * start_ms that an index can serve from both ends.
 */
function filters(query: SearchQuery, maxDurationMs: number): Filters {
  const out: Filters = { place: [], labels: [], time: [], params: {} };
  const list = (name: string, values: readonly string[]) =>
    values
      .map((v, i) => {
        out.params[`${name}${i}`] = v;
        return `@${name}${i}`;
      })
      .join(', ');
  if (query.cameraIds?.length) out.place.push(`e.camera_id IN (${list('cam', query.cameraIds)})`);
  if (query.types?.length) out.place.push(`e.type IN (${list('type', query.types)})`);
  // EXISTS probes the (label, event_rowid) key per candidate instead of listing every event of the label.
  if (query.labels?.length) out.labels.push(`EXISTS (SELECT 1 FROM event_labels l WHERE l.event_rowid = e.rowid AND l.label IN (${list('label', query.labels)}))`);
  if (query.fromMs !== undefined) {
    out.time.push('e.end_ms >= @from AND e.start_ms >= @fromBound');
    out.params.from = query.fromMs;
    out.params.fromBound = query.fromMs - maxDurationMs;
  }
  if (query.toMs !== undefined) {
    out.time.push('e.start_ms < @to');
    out.params.to = query.toMs;
  }
  return out;
}

const where = (parts: readonly string[]) => (parts.length ? `WHERE ${parts.join(' AND ')}` : '');

const coverageSchema = z.object({ camera_id: z.string(), analysed_from: z.number().nullable(), analysed_until: z.number().nullable() });
const countSchema = z.object({ n: z.number() });
const boundsSchema = z.object({ first_ms: z.number().nullable(), last_start_ms: z.number().nullable() });

/** Per camera, the span of footage analysed: one primary-key probe per run, never a scan of events. */
const ANALYSED_SPANS = `SELECT r.camera_id, MIN(r.start_time_ms) AS analysed_from, MAX(f.ts_ms) AS analysed_until
  FROM analysis_runs r LEFT JOIN frames f ON f.run_id = r.id AND f.frame_index = r.last_frame_index
  GROUP BY r.camera_id`;

/**
 * Filtered, ranked search over the events and their full-text index. Every query reads the
 * narrow columns of at most `max(limit, timelineLimit)` events, and whole rows of only `limit`;
 * totals are counted up to `countCap`.
 */
export class SqliteSearchStore implements SearchStore {
  /** Prepared statements by SQL text: a search builds one of a few dozen shapes, each prepared once. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly limits: SearchStoreLimits = DEFAULT_SEARCH_LIMITS,
  ) {}

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private maxDurationMs(): number {
    const row = this.prepare('SELECT max_duration_ms FROM event_stats WHERE id = 1').get();
    return row === undefined ? Number.MAX_SAFE_INTEGER : z.object({ max_duration_ms: z.number() }).parse(row).max_duration_ms;
  }

  search(query: SearchQuery): SearchPage {
    const f = filters(query, this.maxDurationMs());
    const wanted = Math.max(query.limit, query.timelineLimit ?? 0);
    const rows = query.match === undefined ? this.byTime(query, f, wanted) : this.byText(query, f, wanted);
    const { total, totalExact } = rows.length < wanted ? { total: rows.length, totalExact: true } : this.count(query, f);
    return {
      total,
      totalExact,
      hits: this.hits(rows.slice(0, query.limit)),
      timeline: rows.map((r): TimelineEntry => ({ id: r.id, cameraId: r.camera_id, type: r.type, startMs: r.start_ms, endMs: r.end_ms })),
    };
  }

  /** No words: the filtered events in time order, straight from an index. */
  private byTime(query: SearchQuery, f: Filters, wanted: number): LightRow[] {
    const order = query.order === 'oldest' ? 'e.start_ms ASC, e.id' : 'e.start_ms DESC, e.id';
    const sql = `SELECT ${LIGHT_COLUMNS} FROM events e ${where([...f.place, ...f.labels, ...f.time])} ORDER BY ${order} LIMIT @wanted`;
    return this.light(sql, { ...f.params, wanted });
  }

  /**
   * Words and filters intersected in the full-text index (camera, type, labels and the days of
   * a time range are facet terms there); only the exact time range needs the event rows. Without
   * one, just the best `wanted` entries are joined to their events (ties at the cut fall to the
   * newest rowid).
   */
  private byText(query: SearchQuery, f: Filters, wanted: number): LightRow[] {
    const match = facetedMatch(query.match, query) ?? '';
    if (!f.time.length) {
      const sql = `SELECT ${LIGHT_COLUMNS}, -m.rank AS score
        FROM (SELECT rowid, ${BM25} AS rank FROM events_fts WHERE events_fts MATCH @match ORDER BY rank, rowid DESC LIMIT @wanted) m
        JOIN events e ON e.rowid = m.rowid ORDER BY m.rank, e.start_ms DESC`;
      return this.light(sql, { match, wanted });
    }
    // MATERIALIZED: the matches are ranked once, then joined to events by key. Left to itself the
    // planner may walk the time index and query the full-text index once per event, which costs
    // a whole query each time (BM25 recounts its statistics per query).
    const sql = `WITH m AS MATERIALIZED (SELECT rowid, ${BM25} AS rank FROM events_fts WHERE events_fts MATCH @match)
      SELECT ${LIGHT_COLUMNS}, -m.rank AS score FROM m JOIN events e ON e.rowid = m.rowid ${where(f.time)}
      ORDER BY m.rank, e.start_ms DESC LIMIT @wanted`;
    return this.light(sql, { ...f.params, match, wanted });
  }

  /** How many events match, counted up to `countCap` (the same access path, cut short). */
  private count(query: SearchQuery, f: Filters): { total: number; totalExact: boolean } {
    const { countCap } = this.limits;
    const cap = `LIMIT ${countCap + 1}`;
    let sql: string;
    let params: Params;
    if (query.match === undefined) {
      sql = `SELECT 1 FROM events e ${where([...f.place, ...f.labels, ...f.time])} ${cap}`;
      params = f.params;
    } else {
      const join = f.time.length ? 'CROSS JOIN events e ON e.rowid = events_fts.rowid' : '';
      sql = `SELECT 1 FROM events_fts ${join} ${where(['events_fts MATCH @match', ...f.time])} ${cap}`;
      params = { ...(f.time.length ? f.params : {}), match: facetedMatch(query.match, query) ?? '' };
    }
    const n = countSchema.parse(this.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).get(params)).n;
    return n > countCap ? { total: countCap, totalExact: false } : { total: n, totalExact: true };
  }

  private light(sql: string, params: Params): LightRow[] {
    return this.db
      .prepare(sql)
      .all(params)
      .map((row) => lightRowSchema.parse(row));
  }

  /** Whole events for the rows shown, in the rows' order. */
  private hits(rows: readonly LightRow[]): SearchHit[] {
    if (rows.length === 0) return [];
    const full = this.db
      .prepare('SELECT rowid AS event_rowid, * FROM events WHERE rowid IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(rows.map((r) => r.event_rowid)));
    const byRowid = new Map(full.map((row) => [z.object({ event_rowid: z.number() }).parse(row).event_rowid, row]));
    return rows.flatMap((r) => {
      const row = byRowid.get(r.event_rowid);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: r.score ?? 0 }];
    });
  }

  eventsByIds(ids: readonly string[]): SearchHit[] {
    const statement = this.prepare('SELECT * FROM events WHERE id = ?');
    return ids.flatMap((id) => {
      const row = statement.get(id);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: 0 }];
    });
  }

  analysedSpans(): CameraCoverage[] {
    return z
      .array(coverageSchema)
      .parse(this.prepare(ANALYSED_SPANS).all())
      .map((a) => ({
        cameraId: a.camera_id,
        ...(a.analysed_from !== null ? { analysedFromMs: a.analysed_from } : {}),
        ...(a.analysed_until !== null ? { analysedUntilMs: a.analysed_until } : {}),
        events: 0,
      }));
  }

  /**
   * Spans analysed, plus per camera the kept event count and the first and last event: index
   * probes at either end of the camera's events (the last end is searched only among events
   * that start within the longest event's duration of the last start).
   */
  coverage(): CameraCoverage[] {
    const byCamera = new Map(this.analysedSpans().map((a) => [a.cameraId, a]));
    const counts = z.array(z.object({ camera_id: z.string(), events: z.number() })).parse(
      this.prepare('SELECT camera_id, events FROM camera_event_counts WHERE events > 0').all(),
    );
    const bounds = this.prepare('SELECT MIN(start_ms) AS first_ms, MAX(start_ms) AS last_start_ms FROM events WHERE camera_id = ?');
    const lastEnd = this.prepare('SELECT MAX(end_ms) AS n FROM events WHERE camera_id = ? AND start_ms >= ?');
    const maxDuration = this.maxDurationMs();
    for (const { camera_id: cameraId, events } of counts) {
      const b = boundsSchema.parse(bounds.get(cameraId));
      const last = b.last_start_ms === null ? null : z.object({ n: z.number().nullable() }).parse(lastEnd.get(cameraId, b.last_start_ms - maxDuration)).n;
      byCamera.set(cameraId, {
        ...(byCamera.get(cameraId) ?? { cameraId }),
        events,
        ...(b.first_ms !== null ? { firstEventMs: b.first_ms } : {}),
        ...(last !== null ? { lastEventMs: last } : {}),
      });
    }
    return [...byCamera.values()].sort((a, b) => a.cameraId.localeCompare(b.cameraId));
  }
}
