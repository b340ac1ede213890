import { z } from 'zod';
import { EVENT_TYPES } from '../../../domain/events/event-types.ts';
import type { CameraCoverage, SearchHit, SearchPage, SearchQuery, SearchStore, TimelineEntry } from '../../../ports/search-store.ts';
import { toStoredEvent } from '../event-row.ts';
import { DEFAULT_SEARCH_LIMITS } from '../search-limits.ts';
import { SEARCH_RANK_WEIGHTS } from './pg-schema-v1-events.ts';
import { filterConditions, hasRangeFilters, Params, phraseGroups, rangeConditions, tsqueryExpression, where } from './pg-search-query.ts';
import type { SqlClient } from './sql-client.ts';

export interface PgSearchLimits {
  /** Labels on at most this share of all events are looked up in their index; commoner ones are checked per row. */
  selectiveShare: number;
  /** Matches are counted up to this many; beyond it the total is reported as "more than". */
  countCap: number;
  /**
   * Words that match more events than this are ranked among the most recently stored this many
   * (that pass the filters), as on SQLite: ranking costs per match, and the newest matter most.
   */
  rankWindow: number;
  /**
   * Words searched together with cameras or a time range that hold at most this many events are
   * checked on those events instead of being looked up in the word index (see `rows`).
   */
  filterFirstUnder: number;
}

/** SQLite's figures, so that both backends count and rank the same events. */
export const DEFAULT_PG_SEARCH_LIMITS: PgSearchLimits = {
  countCap: DEFAULT_SEARCH_LIMITS.countCap,
  rankWindow: DEFAULT_SEARCH_LIMITS.rankWindow,
  selectiveShare: DEFAULT_SEARCH_LIMITS.selectiveShare,
  filterFirstUnder: 2_000,
};

/**
 * Relevance: ts_rank_cd with the schema's field weights (summary > keywords = names > description,
 * as SQLite's bm25 weights) and normalization 1 (divided by 1 + log of the document's length),
 * so a word in a short document counts more, as BM25's length normalization does. Unlike FTS5's
 * bm25 there is no inverse document frequency: with `any`, a rare word weighs no more than a
 * common one; terms close together score higher (cover density); scores are float4, so ties are
 * more frequent. Ties are broken the same way on both backends (newest start first), then by
 * storage order here (newest first) where SQLite leaves them unordered.
 */
const rank = (search: string, tsquery: string) => `ts_rank_cd('${SEARCH_RANK_WEIGHTS}'::float4[], ${search}, ${tsquery}, 1)`;

/** The columns a match is ranked and drawn on the timeline with; whole rows only for the hits. */
const LIGHT_COLUMNS = 'e.rowid AS event_rowid, e.id, e.camera_id, e.type, e.start_ms, e.end_ms';

/** Everything a StoredEvent is read from (not the search document). */
const EVENT_COLUMNS = `rowid AS event_rowid, id, run_id, camera_id, type, rule, status, start_ms, end_ms, start_frame, end_frame,
  labels_json, actors_json, evidence_json, details_json, summary_en, summary_zh_hant, keywords, snapshot_frame, snapshot_path,
  thumbnails_json, clip_frames_json`;

/**
 * Time order as SQLite's: start, then id. COLLATE "C" compares ids byte by byte, as SQLite's
 * BINARY does; the database's collation (e.g. en_US) would order some ids differently.
 */
const BY_TIME = { oldest: 'e.start_ms ASC, e.id COLLATE "C"', newest: 'e.start_ms DESC, e.id COLLATE "C"' } as const;

const lightRowSchema = z.object({
  event_rowid: z.number(),
  id: z.string(),
  camera_id: z.string(),
  type: z.enum(EVENT_TYPES),
  start_ms: z.number(),
  end_ms: z.number(),
  score: z.number().optional(),
  /** Every match (ranked searches), counted in the statement that picks the rank window. */
  matched: z.number().optional(),
});
type LightRow = z.infer<typeof lightRowSchema>;

const countSchema = z.object({ n: z.number() });
const shareSchema = z.object({ labelled: z.coerce.number(), total: z.coerce.number() });
const rowidSchema = z.object({ event_rowid: z.number() });

/**
 * What to look for, written into one statement's parameters: each statement (rows, count) has its
 * own numbering, the same conditions.
 */
type Plan = (params: Params) => { tsquery?: string; filters: string[]; filterFirst: boolean };

/**
 * Filtered, ranked event search over the `search` tsvector (GIN) and the events' B-tree indexes,
 * answering as SqliteSearchStore does for the same events: the same matches, totals (exact up to
 * `countCap`, then "more than"), time order and rank window. Each page reads the narrow columns of
 * at most `max(limit, timelineLimit)` events and whole rows of only `limit`. Filters are
 * conditions of the same statement as the words, so the planner can combine the indexes
 * (BitmapAnd of GIN and B-tree, or walking one index and checking the rest) from its statistics.
 */
export class PgSearchStore implements SearchStore {
  private readonly limits: PgSearchLimits;

  constructor(
    protected readonly db: SqlClient,
    limits: Partial<PgSearchLimits> = {},
  ) {
    this.limits = { ...DEFAULT_PG_SEARCH_LIMITS, ...limits };
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const words = phraseGroups(query.text);
    // Words that can match nothing (only punctuation, say) find nothing, as on SQLite.
    if (words === 'none') return { total: 0, totalExact: true, hits: [], timeline: [] };
    const [rareLabels, filterFirst] = await Promise.all([
      query.labels?.length ? this.labelShare(query.labels).then((share) => share <= this.limits.selectiveShare) : false,
      words !== undefined && hasRangeFilters(query) ? this.fewInRange(query) : false,
    ]);
    const plan: Plan = (params) => ({
      filters: filterConditions(query, params, { rareLabels }),
      ...(words !== undefined ? { tsquery: tsqueryExpression(words.groups, words.mode, params) } : {}),
      filterFirst,
    });
    const wanted = Math.max(query.limit, query.timelineLimit ?? 0);
    const rows = await this.rows(plan, query.order, wanted);
    const [{ total, totalExact }, hits] = await Promise.all([this.total(plan, rows, wanted), this.hits(rows.slice(0, query.limit))]);
    return {
      total,
      totalExact,
      hits,
      timeline: rows.map((r): TimelineEntry => ({ id: r.id, cameraId: r.camera_id, type: r.type, startMs: r.start_ms, endMs: r.end_ms })),
    };
  }

  private async rows(plan: Plan, order: SearchQuery['order'], wanted: number): Promise<LightRow[]> {
    const params = new Params();
    const { tsquery, filters, filterFirst } = plan(params);
    if (tsquery === undefined) {
      // Without words 'relevance' means newest first, as on SQLite.
      const sql = `SELECT ${LIGHT_COLUMNS} FROM events e ${where(filters)}
        ORDER BY ${order === 'oldest' ? BY_TIME.oldest : BY_TIME.newest} LIMIT ${params.add(wanted)}`;
      return this.light(sql, params.values);
    }
    // Words with a short range of cameras and time ("white van at the gate this morning"): the
    // events of the range are read and their words checked, behind OFFSET 0 so that the planner
    // cannot combine the word index instead: the planner prices a common word's index scan low,
    // and building its bitmap took 43 ms (62,400 events say "white" of 1M) to keep 9 of 59 events.
    const matches = filterFirst
      ? `SELECT x.rowid FROM (SELECT e.rowid, e.search FROM events e ${where(filters)} OFFSET 0) x WHERE x.search @@ ${tsquery}`
      : `SELECT e.rowid FROM events e ${where([`e.search @@ ${tsquery}`, ...filters])}`;
    // The newest `rankWindow` matches (by storage order) that pass the filters, counted whole in
    // the same pass, then ranked. Only their rowids are sorted; the search documents are read for
    // the window's rows alone, to rank them (carrying every match's document through the sort
    // cost 30 ms for the 5,073 matches of "red jacket" at 1M events).
    const sql = `WITH w AS MATERIALIZED (
        SELECT m.rowid, COUNT(*) OVER () AS matched FROM (${matches}) m
        ORDER BY m.rowid DESC LIMIT ${params.add(this.limits.rankWindow)})
      SELECT ${LIGHT_COLUMNS}, ${rank('e.search', tsquery)}::float8 AS score, w.matched
      FROM w JOIN events e ON e.rowid = w.rowid
      ORDER BY score DESC, e.start_ms DESC, e.rowid DESC LIMIT ${params.add(wanted)}`;
    return this.light(sql, params.values);
  }

  /** Whether the query's cameras and time range hold at most `filterFirstUnder` events (counted from an index, stopping there). */
  private async fewInRange(query: SearchQuery): Promise<boolean> {
    const params = new Params();
    const range = rangeConditions(query, params);
    const sql = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM events e ${where(range)} LIMIT ${params.add(this.limits.filterFirstUnder + 1)}) c`;
    const { rows } = await this.db.query(sql, params.values);
    return countSchema.parse(rows[0]).n <= this.limits.filterFirstUnder;
  }

  /** The share of all events that have any of `labels`, from the kept counts (facet_counts). */
  private async labelShare(labels: readonly string[]): Promise<number> {
    const { rows } = await this.db.query(
      `SELECT COALESCE(SUM(events) FILTER (WHERE kind = 'label' AND value = ANY($1::text[])), 0) AS labelled,
         COALESCE(SUM(events) FILTER (WHERE kind = 'camera'), 0) AS total
       FROM facet_counts WHERE kind IN ('label', 'camera')`,
      [[...labels]],
    );
    const { labelled, total } = shareSchema.parse(rows[0]);
    return total === 0 ? 0 : labelled / total;
  }

  /** The count the rows already tell (every match of a ranked search, or fewer rows than asked), else a capped count. */
  private async total(plan: Plan, rows: readonly LightRow[], wanted: number): Promise<{ total: number; totalExact: boolean }> {
    const matched = rows[0]?.matched;
    if (matched !== undefined) return this.capped(matched);
    // Fewer rows than asked for are all there is (none, for a ranked search).
    if (rows.length < wanted) return { total: rows.length, totalExact: true };
    return this.count(plan);
  }

  /** How many events pass the filters of a search without words, counted up to `countCap` (stops reading there). */
  private async count(plan: Plan): Promise<{ total: number; totalExact: boolean }> {
    const params = new Params();
    const { filters } = plan(params);
    const sql = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM events e ${where(filters)} LIMIT ${params.add(this.limits.countCap + 1)}) c`;
    const { rows } = await this.db.query(sql, params.values);
    return this.capped(countSchema.parse(rows[0]).n);
  }

  private capped(n: number): { total: number; totalExact: boolean } {
    const { countCap } = this.limits;
    return n > countCap ? { total: countCap, totalExact: false } : { total: n, totalExact: true };
  }

  private async light(sql: string, params: readonly unknown[]): Promise<LightRow[]> {
    const { rows } = await this.db.query(sql, params);
    return rows.map((row) => lightRowSchema.parse(row));
  }

  /** Whole events for the rows shown, in the rows' order (one deleted since is skipped). */
  private async hits(rows: readonly LightRow[]): Promise<SearchHit[]> {
    if (rows.length === 0) return [];
    const full = await this.db.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE rowid = ANY($1::bigint[])`, [rows.map((r) => r.event_rowid)]);
    const byRowid = new Map(full.rows.map((row) => [rowidSchema.parse(row).event_rowid, row]));
    return rows.flatMap((r) => {
      const row = byRowid.get(r.event_rowid);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: r.score ?? 0 }];
    });
  }

  async eventsByIds(ids: readonly string[]): Promise<SearchHit[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ANY($1::text[])`, [[...new Set(ids)]]);
    const byId = new Map(rows.map((row) => [z.object({ id: z.string() }).parse(row).id, row]));
    // In the order asked (a repeated id repeated), as SQLite's one lookup per id gives them.
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row === undefined ? [] : [{ stored: toStoredEvent(row), score: 0 }];
    });
  }

  async analysedSpans(): Promise<CameraCoverage[]> {
    const { rows } = await this.db.query(ANALYSED_SPANS);
    return z
      .array(spanSchema)
      .parse(rows)
      .map((a) => ({
        cameraId: a.camera_id,
        ...(a.analysed_from !== null ? { analysedFromMs: a.analysed_from } : {}),
        ...(a.analysed_until !== null ? { analysedUntilMs: a.analysed_until } : {}),
        events: 0,
      }));
  }

  /**
   * Spans analysed, plus per camera the kept event count and the first and last event: index
   * probes at either end of each camera's (camera_id, start_ms) entries, one statement for all cameras.
   */
  async coverage(): Promise<CameraCoverage[]> {
    const [spans, counted] = await Promise.all([this.analysedSpans(), this.db.query(CAMERA_EVENTS)]);
    const byCamera = new Map(spans.map((a) => [a.cameraId, a]));
    for (const c of z.array(cameraEventsSchema).parse(counted.rows)) {
      byCamera.set(c.camera_id, {
        ...(byCamera.get(c.camera_id) ?? { cameraId: c.camera_id }),
        events: c.events,
        ...(c.first_ms !== null ? { firstEventMs: c.first_ms } : {}),
        ...(c.last_ms !== null ? { lastEventMs: c.last_ms } : {}),
      });
    }
    return [...byCamera.values()].sort((a, b) => a.cameraId.localeCompare(b.cameraId));
  }
}

const spanSchema = z.object({ camera_id: z.string(), analysed_from: z.number().nullable(), analysed_until: z.number().nullable() });

/** Per camera, the span of footage analysed: one primary-key probe per run, never a scan of events. */
const ANALYSED_SPANS = `SELECT r.camera_id, MIN(r.start_time_ms) AS analysed_from, MAX(f.ts_ms) AS analysed_until
  FROM analysis_runs r LEFT JOIN frames f ON f.run_id = r.id AND f.frame_index = r.last_frame_index
  GROUP BY r.camera_id ORDER BY r.camera_id COLLATE "C"`;

const cameraEventsSchema = z.object({ camera_id: z.string(), events: z.number(), first_ms: z.number().nullable(), last_ms: z.number().nullable() });

/**
 * The kept count of each camera with events, its first start, and its last end: the latest end
 * is looked for only among the events that start within the longest event's duration of the last
 * start (a short range of the index), as on SQLite.
 */
const CAMERA_EVENTS = `SELECT f.value AS camera_id, f.events, b.first_ms,
    (SELECT MAX(x.end_ms) FROM events x
      WHERE x.camera_id = f.value AND x.start_ms >= b.last_start_ms - COALESCE((SELECT s.max_duration_ms FROM event_stats s WHERE s.id = 1), ${Number.MAX_SAFE_INTEGER})) AS last_ms
  FROM facet_counts f
  CROSS JOIN LATERAL (SELECT MIN(e.start_ms) AS first_ms, MAX(e.start_ms) AS last_start_ms FROM events e WHERE e.camera_id = f.value) b
  WHERE f.kind = 'camera' AND f.events > 0`;
