import type Database from 'better-sqlite3';
import { crossingCondition, SQLITE_ACTOR_COUNT, SQLITE_ACTOR_STAYS, sqliteDetailsField, stayCondition, togetherCondition } from '../event-conditions.ts';
import { z } from 'zod';
import { EVENT_TYPES } from '../../../domain/events/event-types.ts';
import type { CameraCoverage, SearchHit, SearchPage, SearchQuery, SearchStore, TimelineEntry } from '../../../ports/search-store.ts';
import { facetedMatch } from './search-entry.ts';
import { toStoredEvent } from '../event-row.ts';
import { buildFtsQuery } from '../../../domain/search/fts-query.ts';
import { DEFAULT_SEARCH_LIMITS, type SearchStoreLimits } from '../search-limits.ts';

/** Field weights for BM25: summary, keywords, names, description; facets never score. */
const BM25 = 'bm25(events_fts, 3.0, 2.0, 2.0, 1.0, 0.0)';

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
  /** Matches before the limit, where the query reads them all anyway. */
  matched: z.number().optional(),
});
type LightRow = z.infer<typeof lightRowSchema>;

interface Filters {
  camera: string[];
  type: string[];
  labels: string[];
  direction: string[];
  time: string[];
  params: Params;
}

/**
 * Filters as SQL on the `events` alias `e`; every value is bound, never interpolated.
 * `maxDurationMs` (the longest stored event) turns "overlaps [from, to)" into a range on
 * start_ms that an index can serve from both ends.
 */
function filters(query: SearchQuery, maxDurationMs: number): Filters {
  const out: Filters = { camera: [], type: [], labels: [], direction: [], time: [], params: {} };
  const list = (name: string, values: readonly string[]) =>
    values
      .map((v, i) => {
        out.params[`${name}${i}`] = v;
        return `@${name}${i}`;
      })
      .join(', ');
  if (query.cameraIds?.length) out.camera.push(`e.camera_id IN (${list('cam', query.cameraIds)})`);
  if (query.types?.length) out.type.push(`e.type IN (${list('type', query.types)})`);
  // EXISTS probes the (label, event_rowid) key per candidate instead of listing every event of the label.
  // ROWID stands for the events rowid where the condition is used (the row itself, or its index entry).
  if (query.labels?.length) out.labels.push(`EXISTS (SELECT 1 FROM event_labels l WHERE l.event_rowid = ${ROWID} AND l.label IN (${list('label', query.labels)}))`);
  if (query.directions?.length) {
    let n = 0;
    const bind = (value: string) => {
      out.params[`dir${n}`] = value;
      return `@dir${n++}`;
    };
    out.direction.push(crossingCondition(query.directions, bind, sqliteDetailsField));
  }
  if (query.stay) {
    out.params.stay = query.stay.seconds;
    out.direction.push(stayCondition(query.stay, () => '@stay', SQLITE_ACTOR_STAYS, query.labels?.length ? `a.label IN (${list('stayLabel', query.labels)})` : undefined));
  }
  if (query.minActors !== undefined) {
    out.params.minActors = query.minActors;
    out.direction.push(togetherCondition(query.minActors, () => '@minActors', SQLITE_ACTOR_COUNT));
  }
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

/**
 * How a search reads: a full-text MATCH (the words, and the filters rare enough to narrow the
 * index cheaply) and conditions checked on the event rows (common filters, the exact time).
 * A common facet costs more in the index than on the rows: BM25 walks every listed event of
 * each term of the MATCH to weigh it, so "person" (most events) would cost a full pass.
 */
interface Plan {
  match?: string;
  ranked: boolean;
  /** Conditions on the event rows (alias `e`). */
  rowFilters: string[];
  /** Label conditions, by rowid alone (ROWID to be replaced): no event row needed. */
  labelFilters: string[];
  params: Params;
}

const ROWID = '$ROWID';
const at = (rowid: string, parts: readonly string[]) => parts.map((p) => p.replaceAll(ROWID, rowid));

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

  private readonly limits: SearchStoreLimits;

  constructor(
    private readonly db: Database.Database,
    limits: Partial<SearchStoreLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SEARCH_LIMITS, ...limits };
  }

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

  async search(query: SearchQuery): Promise<SearchPage> {
    const plan = this.plan(query);
    const wanted = Math.max(query.limit, query.timelineLimit ?? 0);
    const rows = this.rows(plan, query.order, wanted);
    const { total, totalExact } = this.total(plan, rows, wanted);
    return {
      total,
      totalExact,
      hits: this.hits(rows.slice(0, query.limit)),
      timeline: rows.map((r): TimelineEntry => ({ id: r.id, cameraId: r.camera_id, type: r.type, startMs: r.start_ms, endMs: r.end_ms })),
    };
  }

  /** The count the rows already tell (all rows read, or fewer than asked), else a capped count. */
  private total(plan: Plan, rows: readonly LightRow[], wanted: number): { total: number; totalExact: boolean } {
    const matched = rows[0]?.matched;
    if (matched !== undefined && (!plan.ranked || matched < this.limits.rankWindow)) return this.capped(matched);
    // Fewer rows than asked for are all there is, unless the ranking window cut them short.
    if (rows.length < wanted && (!plan.ranked || rows.length < this.limits.rankWindow)) return { total: rows.length, totalExact: true };
    return this.count(plan);
  }

  private plan(query: SearchQuery): Plan {
    const f = filters(query, this.maxDurationMs());
    const share = this.facetShare();
    const selective = {
      camera: query.cameraIds?.length ? share('camera', query.cameraIds) <= this.limits.selectiveShare : false,
      type: query.types?.length ? share('type', query.types) <= this.limits.selectiveShare : false,
      labels: query.labels?.length ? share('label', query.labels) <= this.limits.selectiveShare : false,
    };
    const rowFilters = [...(selective.camera ? [] : f.camera), ...(selective.type ? [] : f.type), ...f.direction, ...f.time];
    const labelFilters = selective.labels ? [] : f.labels;
    // Without words, the events indexes serve camera, type and time in time order; only a rare
    // label (checked per event on the rows otherwise) makes the index intersection worth it.
    const text = query.text ? buildFtsQuery(query.text.groups, query.text.mode) : undefined;
    if (text === undefined && !selective.labels) {
      return { ranked: false, rowFilters: [...f.camera, ...f.type, ...f.direction, ...f.time], labelFilters: f.labels, params: f.params };
    }
    const match = facetedMatch(text, {
      ...(selective.camera ? { cameraIds: query.cameraIds } : {}),
      ...(selective.type ? { types: query.types } : {}),
      ...(selective.labels ? { labels: query.labels } : {}),
      fromMs: query.fromMs,
      toMs: query.toMs,
    });
    return { ...(match !== undefined ? { match } : {}), ranked: text !== undefined, rowFilters, labelFilters, params: f.params };
  }

  /** The share of all events that a filter's values cover, from the kept counts. */
  private facetShare(): (kind: 'camera' | 'type' | 'label', values: readonly string[]) => number {
    const rows = z.array(z.object({ kind: z.string(), value: z.string(), events: z.number() })).parse(this.prepare('SELECT kind, value, events FROM facet_counts').all());
    const counts = new Map(rows.map((r) => [`${r.kind}\u0000${r.value}`, r.events]));
    const total = rows.filter((r) => r.kind === 'camera').reduce((n, r) => n + r.events, 0);
    return (kind, values) => (total === 0 ? 0 : values.reduce((n, v) => n + (counts.get(`${kind}\u0000${v}`) ?? 0), 0) / total);
  }

  private rows(plan: Plan, order: SearchQuery['order'], wanted: number): LightRow[] {
    const params = { ...plan.params, wanted, ...(plan.match !== undefined ? { match: plan.match } : {}) };
    const byTime = order === 'oldest' ? 'e.start_ms ASC, e.id' : 'e.start_ms DESC, e.id';
    if (plan.match === undefined) {
      const conditions = [...plan.rowFilters, ...at('e.rowid', plan.labelFilters)];
      return this.light(`SELECT ${LIGHT_COLUMNS} FROM events e ${where(conditions)} ORDER BY ${byTime} LIMIT @wanted`, params);
    }
    if (!plan.ranked) {
      // Rare filters only: their intersection from the index, then the rows in time order (all
      // of them are read to sort, so counting them is free).
      return this.light(
        `WITH m AS MATERIALIZED (SELECT rowid FROM events_fts WHERE events_fts MATCH @match)
        SELECT ${LIGHT_COLUMNS}, COUNT(*) OVER () AS matched FROM m JOIN events e ON e.rowid = m.rowid
        ${where([...plan.rowFilters, ...at('e.rowid', plan.labelFilters)])} ORDER BY ${byTime} LIMIT @wanted`,
        params,
      );
    }
    // The newest `rankWindow` matches that pass the filters (the full-text index walks its
    // matches newest first and stops there), ranked once, then ordered by relevance. Label
    // conditions need only the rowid; the event row is read first only for other conditions.
    return this.light(
      `WITH m AS MATERIALIZED (
        SELECT events_fts.rowid AS rowid, ${BM25} AS rank ${this.matches(plan)}
        ORDER BY events_fts.rowid DESC LIMIT ${this.limits.rankWindow})
      SELECT ${LIGHT_COLUMNS}, -m.rank AS score, COUNT(*) OVER () AS matched FROM m JOIN events e ON e.rowid = m.rowid
      ORDER BY m.rank, e.start_ms DESC LIMIT @wanted`,
      params,
    );
  }

  /** How many events match, counted up to `countCap` (the same access path, cut short). */
  private count(plan: Plan): { total: number; totalExact: boolean } {
    const cap = `LIMIT ${this.limits.countCap + 1}`;
    const sql =
      plan.match === undefined
        ? `SELECT 1 FROM events e ${where([...plan.rowFilters, ...at('e.rowid', plan.labelFilters)])} ${cap}`
        : `SELECT 1 ${this.matches(plan)} ${cap}`;
    const params = { ...plan.params, ...(plan.match !== undefined ? { match: plan.match } : {}) };
    return this.capped(countSchema.parse(this.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).get(params)).n);
  }

  private capped(n: number): { total: number; totalExact: boolean } {
    const { countCap } = this.limits;
    return n > countCap ? { total: countCap, totalExact: false } : { total: n, totalExact: true };
  }

  /**
   * The full-text matches of a plan that pass its row and label conditions, as FROM and WHERE:
   * the event row is joined only when a condition needs it (labels need the rowid alone).
   */
  private matches(plan: Plan): string {
    const join = plan.rowFilters.length ? 'CROSS JOIN events e ON e.rowid = events_fts.rowid' : '';
    return `FROM events_fts ${join} ${where(['events_fts MATCH @match', ...plan.rowFilters, ...at('events_fts.rowid', plan.labelFilters)])}`;
  }

  private light(sql: string, params: Params): LightRow[] {
    return this.prepare(sql)
      .all(params)
      .map((row) => lightRowSchema.parse(row));
  }

  /** Whole events for the rows shown, in the rows' order. */
  private hits(rows: readonly LightRow[]): SearchHit[] {
    if (rows.length === 0) return [];
    const full = this
      .prepare('SELECT rowid AS event_rowid, * FROM events WHERE rowid IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(rows.map((r) => r.event_rowid)));
    const byRowid = new Map(full.map((row) => [z.object({ event_rowid: z.number() }).parse(row).event_rowid, row]));
    return rows.flatMap((r) => {
      const row = byRowid.get(r.event_rowid);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: r.score ?? 0 }];
    });
  }

  async eventsByIds(ids: readonly string[]): Promise<SearchHit[]> {
    const statement = this.prepare('SELECT * FROM events WHERE id = ?');
    return ids.flatMap((id) => {
      const row = statement.get(id);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: 0 }];
    });
  }

  async analysedSpans(): Promise<CameraCoverage[]> {
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
  async coverage(): Promise<CameraCoverage[]> {
    const byCamera = new Map((await this.analysedSpans()).map((a) => [a.cameraId, a]));
    const counts = z.array(z.object({ camera_id: z.string(), events: z.number() })).parse(
      this.prepare("SELECT value AS camera_id, events FROM facet_counts WHERE kind = 'camera' AND events > 0").all(),
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
