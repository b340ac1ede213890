import type { EventType, VigilEvent } from '../../domain/events/event-types.ts';
import type { ConceptMatch, ConceptTable } from '../../domain/search/concepts.ts';
import type { TextAnalysis } from '../../domain/search/text-analysis.ts';
import type { Clock } from '../../ports/logger.ts';
import type { CameraCoverage, CrossingFilter, StayFilter, SearchHit, SearchPage, SearchQuery, SearchStore, TimelineEntry } from '../../ports/search-store.ts';
import { fuseRankings } from './rank-fusion.ts';
import { composeAnswer, unknownPlaceAnswer, unreadTimeAnswer, type AnswerCount, type AnswerLanguage } from './answer.ts';
import { placeWordsIn } from '../../domain/search/place-words.ts';
import type { CountKind } from '../../domain/search/count-question.ts';
import { pickExtreme, type Extreme } from '../../domain/search/extreme-question.ts';
import { QuestionReader, type QuestionPlan } from './question-reader.ts';
import { countEvents, type ActorTest, type CountWindow } from '../../domain/search/count-answer.ts';
import { staySatisfies } from '../../domain/search/stay-duration.ts';
import { formatInstant, formatTimeRange } from '../../domain/time/format-range.ts';

export interface CameraInfo {
  id: string;
  name: string;
  aliases: readonly string[];
  timeZone: string;
  /** Names of its zones and tripwires and of the tripwires' sides: places a question may name. */
  placeNames?: readonly string[];
  /** Names of its zones: "entered the storeroom" is about the zone, not a way through a tripwire. */
  zoneNames?: readonly string[];
  /** Whether any of its tripwires says which way is in (`inbound`): "came in" can then be a crossing. */
  saysInbound?: boolean;
  /** Names of the places on either side of its tripwires, where the configuration gives them. */
  tripwireSides?: ReadonlyArray<{ rule: string; a: readonly string[]; b: readonly string[] }>;
}

export interface SearchRequest {
  q: string;
  fromMs?: number;
  toMs?: number;
  camera?: string;
  type?: EventType;
  label?: string;
  limit: number;
  language?: AnswerLanguage;
}

export interface SearchInterpretation {
  fromMs?: number;
  toMs?: number;
  timeText?: string;
  timeNotes: string[];
  /**
   * Time words of the question that were not read (a second time phrase, "a fortnight ago"):
   * when there are any nothing is searched, since the span asked about is not known.
   */
  unreadTime: string[];
  /** Places the question names that no camera, zone or line is called ("the back door"): nothing was searched. */
  unknownPlaces: string[];
  cameras: string[];
  types: EventType[];
  labels: string[];
  /** Which way the crossings asked about went: inbound or outbound, or between a tripwire's named sides. */
  directions: CrossingFilter[];
  /** How long someone stayed, when the question says ("longer than 45 seconds", 不到3秒). */
  stay?: StayFilter;
  /** At least this many people or objects in one event, when the question asks for them together. */
  minActors?: number;
  /** One event at an end of the matches: the earliest, latest, longest or shortest stay. */
  extreme?: Extreme;
  concepts: string[];
  terms: string[];
  language: AnswerLanguage;
  /** Whether meaning (vectors) took part in the ranking, and if not, why (absent: keyword). */
  retrieval?: 'keyword' | 'hybrid';
  retrievalNote?: string;
}

export interface TimelineLane {
  cameraId: string;
  cameraName: string;
  events: Array<{ id: string; type: EventType; startMs: number; endMs: number }>;
}

/** The answer to a counting question: how many times, or how many people or objects; `exact` false: a lower bound. */
export type SearchCount = AnswerCount;

export interface SearchResult {
  query: string;
  /** Set when the question asks how many ("how many times", 幾個人). */
  count?: SearchCount;
  interpretation: SearchInterpretation;
  answer: { text: string; language: AnswerLanguage };
  missingInfo: string[];
  /** Matching events: exact when `totalExact`, otherwise "more than" this many. */
  total: number;
  totalExact: boolean;
  hits: SearchHit[];
  timeline: { fromMs?: number; toMs?: number; lanes: TimelineLane[] };
}

export interface SearchServiceDeps {
  store: SearchStore;
  text: TextAnalysis;
  cameras: readonly CameraInfo[];
  /** The built-in concepts, plus any the configuration adds. */
  concepts?: ConceptTable;
  clock: Clock;
  /** Zone in which times in questions are read. */
  timeZone: string;
  /** Events near the question in meaning, when an embeddings provider is configured. */
  vectors?: {
    similarEvents(
      text: string,
      options: { limit: number; filter?: SearchFilters; maxDistance?: number; signal?: AbortSignal },
    ): Promise<{ matches: Array<{ eventId: string }>; reason?: undefined; note?: string } | { matches: undefined; reason: string; detail: string }>;
  };
  /** Cosine distance beyond which a vector match does not count (model-dependent). */
  maxVectorDistance?: number;
  /** Resolves once the search index is up to date (awaited before every search; memoized by the caller). */
  ready?: () => Promise<void>;
}

type SearchFilters = Omit<SearchQuery, 'text' | 'limit' | 'order'>;

/** Best matches drawn on the timeline at most (the list shows `limit`). */
const TIMELINE_MAX = 500;
/** Events a counting question counts at most; beyond, the count is a lower bound. */
const COUNT_EVENTS_MAX = 1000;
/** Candidates each ranking contributes to the fusion. */
const HYBRID_CANDIDATES = 50;

/**
 * Answers a question without any language model: reads the time range, cameras and concepts
 * out of the question, filters in SQL, ranks the rest of the words with BM25, and writes a
 * deterministic answer saying what was found and what footage is missing.
 */
export class SearchService {
  /** Reads questions: what they ask, as filters and words. */
  private readonly reader: QuestionReader;

  constructor(private readonly deps: SearchServiceDeps) {
    this.reader = new QuestionReader(deps);
  }

  /** Keyword search (always available). */
  async search(request: SearchRequest): Promise<SearchResult> {
    await this.deps.ready?.();
    const plan = this.reader.read(request);
    return this.execute(plan, request, undefined, { mode: 'keyword', note: this.deps.vectors ? undefined : 'no embeddings provider is configured' });
  }

  /** Keyword search fused with vector search (reciprocal rank fusion) when embeddings are available. */
  async searchHybrid(request: SearchRequest, options: { signal?: AbortSignal } = {}): Promise<SearchResult> {
    await this.deps.ready?.();
    const plan = this.reader.read(request);
    const vectors = this.deps.vectors;
    if (!vectors) return this.execute(plan, request, undefined, { mode: 'keyword', note: 'no embeddings provider is configured' });
    if (!plan.embedText.trim()) return this.execute(plan, request, undefined, { mode: 'keyword', note: 'nothing left to compare by meaning' });
    const similar = await vectors.similarEvents(plan.embedText, {
      limit: HYBRID_CANDIDATES,
      filter: plan.filters,
      ...(this.deps.maxVectorDistance !== undefined ? { maxDistance: this.deps.maxVectorDistance } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!similar.matches) return this.execute(plan, request, undefined, { mode: 'keyword', note: `vector search unavailable (${similar.reason}): ${similar.detail}` });
    return this.execute(plan, request, similar.matches.map((m) => m.eventId), { mode: 'hybrid', note: similar.note });
  }

  private async execute(
    plan: QuestionPlan,
    request: SearchRequest,
    vectorIds: readonly string[] | undefined,
    retrieval: { mode: 'keyword' | 'hybrid'; note?: string | undefined },
  ): Promise<SearchResult> {
    const { text } = this.deps;
    const { language, time, unreadTime, fromMs, toMs, cameraIds, types, labels, directions, stay, concepts, groups, anyMatch, filters } = plan;
    const interpretation: SearchInterpretation = {
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
      ...(time && request.fromMs === undefined && request.toMs === undefined ? { timeText: time.text.trim() } : {}),
      timeNotes: time?.notes ?? [],
      unreadTime,
      unknownPlaces: [],
      cameras: cameraIds,
      types,
      labels,
      directions,
      ...(stay ? { stay } : {}),
      ...(filters.minActors !== undefined ? { minActors: filters.minActors } : {}),
      ...(plan.extreme ? { extreme: plan.extreme } : {}),
      concepts: unique(concepts.map((c) => c.concept.id)),
      terms: groups.map((g) => g[0] ?? '').filter(Boolean),
      language,
      retrieval: retrieval.mode,
      ...(retrieval.note ? { retrievalNote: retrieval.note } : {}),
    };
    if (unreadTime.length > 0) {
      const answer = unreadTimeAnswer(unreadTime, language, (t) => text.toSimplified(t));
      return { query: request.q, interpretation, answer: { text: answer, language }, missingInfo: [], total: 0, totalExact: true, hits: [], timeline: { lanes: [] } };
    }
    let { match } = plan;
    const order = match ? 'relevance' : fromMs !== undefined ? 'oldest' : 'newest';
    const limit = vectorIds ? Math.max(request.limit, HYBRID_CANDIDATES) : request.limit;
    const page = { ...filters, limit, timelineLimit: TIMELINE_MAX };
    let query: SearchQuery = { ...page, ...(match ? { text: match } : {}), order };
    let result = await this.deps.store.search(query);
    if (match && result.total === 0 && anyMatch) {
      match = anyMatch;
      query = { ...page, text: match, order };
      result = await this.deps.store.search(query);
    }
    if (match && result.total === 0) {
      // Words that found nothing at all and name a place name one Vigil does not know (every
      // camera, zone and line name is indexed with its events): say so, rather than answer with
      // events from every other place.
      const places = placeWordsIn(plan.wordsText);
      // Quoted as the question wrote them (儲藏室, not the normalized 储藏室).
      const unknownPlaces = places.filter((place) => !this.reader.isKnownPlace(place)).map((place) => asWritten(request.q, place, (t) => text.normalize(t)));
      if (unknownPlaces.length > 0) {
        interpretation.unknownPlaces = unknownPlaces;
        const answer = unknownPlaceAnswer(unknownPlaces, this.knownPlaces(), language, (t) => text.toSimplified(t));
        return { query: request.q, interpretation, answer: { text: answer, language }, missingInfo: [], total: 0, totalExact: true, hits: [], timeline: { lanes: [] } };
      }
      // Other words that match nothing (filler the stop-words miss: 「就走了」) should not hide
      // events the filters found: search by the places the question names alone, or, naming
      // none, rank by time. A known place with no such events has none: no other place stands in.
      const placeMatch = places.length > 0 ? this.reader.wordsQuery(places) : undefined;
      if (placeMatch) {
        query = { ...page, text: placeMatch, order };
        result = await this.deps.store.search(query);
      } else if (places.length === 0 && (types.length || labels.length || cameraIds.length || directions.length || stay || filters.minActors || fromMs !== undefined)) {
        query = { ...page, order: fromMs !== undefined ? 'oldest' : 'newest' };
        result = await this.deps.store.search(query);
      }
    }
    // Counting and picking an end read every match (up to COUNT_EVENTS_MAX), once for both.
    const matched = result;
    const matchedQuery = query;
    let every: Promise<SearchPage> | undefined;
    const allMatches = () =>
      (every ??= matched.hits.length >= matched.total ? Promise.resolve(matched) : this.deps.store.search({ ...matchedQuery, limit: Math.min(matched.total, COUNT_EVENTS_MAX) }));
    const count = plan.countKind ? await this.count(plan.countKind, result, allMatches, stay, labels, { ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) }) : undefined;
    let extreme: { kind: Extreme; of: number } | undefined;
    if (plan.extreme && result.total > 0) {
      const all = await allMatches();
      // By the stays of the people or objects asked about only.
      const asked = (actors: VigilEvent['actors']) => (labels.length === 0 ? actors : actors.filter((a) => labels.includes(a.label)));
      const picked = pickExtreme(all.hits.map((h) => ({ ...h.stored.event, actors: asked(h.stored.event.actors), hit: h })), plan.extreme);
      if (picked) {
        extreme = { kind: plan.extreme, of: result.total };
        const e = picked.hit.stored.event;
        result = { total: 1, totalExact: true, hits: [picked.hit], timeline: [{ id: e.id, cameraId: e.cameraId, type: e.type, startMs: e.startMs, endMs: e.endMs }] };
      }
    }
    // The one event asked for stays the answer; nearness in meaning adds nothing to it.
    if (vectorIds && vectorIds.length > 0 && !extreme) result = await this.fuse(result, vectorIds, request.limit);

    const scopeCameras = cameraIds.length ? cameraIds : this.deps.cameras.map((c) => c.id);
    const missingInfo = await this.missingInfo(scopeCameras, fromMs, toMs, language, cameraIds.length > 0);
    const cameraNames = cameraIds.map((id) => this.cameraName(id));
    const answer = composeAnswer({
      language,
      total: result.total,
      totalExact: result.totalExact,
      hits: result.hits,
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
      timeZone: this.deps.timeZone,
      cameraNames,
      types,
      labels,
      missingInfo,
      ...(count ? { count } : {}),
      ...(extreme ? { extreme } : {}),
      toSimplified: (t) => text.toSimplified(t),
    });
    return {
      query: request.q,
      interpretation,
      answer: { text: answer, language },
      missingInfo,
      ...(count ? { count } : {}),
      total: result.total,
      totalExact: result.totalExact,
      hits: result.hits,
      timeline: { ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}), lanes: this.lanes(result.timeline) },
    };
  }

  /**
   * The number a counting question asks for, over every event that answers it (up to
   * COUNT_EVENTS_MAX of them; beyond, a lower bound): times something happened, or people.
   */
  private async count(
    kind: CountKind,
    page: SearchPage,
    allMatches: () => Promise<SearchPage>,
    stay: StayFilter | undefined,
    labels: readonly string[],
    window: CountWindow,
  ): Promise<SearchCount> {
    if (page.total === 0) return { kind, value: 0, exact: page.totalExact };
    const all = await allMatches();
    // Only the people or objects asked about: a car in the event of a person is not a person.
    const passes: ActorTest = (actor, event) =>
      (labels.length === 0 || labels.includes(actor.label)) && (!stay || staySatisfies(actor.staySeconds ?? (event.endMs - event.startMs) / 1000, stay));
    const value = countEvents(all.hits.map((h) => ({ runId: h.stored.runId, event: h.stored.event })), kind, passes, window);
    return { kind, value, exact: page.totalExact && page.total <= COUNT_EVENTS_MAX };
  }

  /** Reciprocal rank fusion of the keyword ranking and the vector ranking, cut to `limit`. */
  private async fuse(keyword: SearchPage, vectorIds: readonly string[], limit: number): Promise<SearchPage> {
    const byId = new Map(keyword.hits.map((h) => [h.stored.event.id, h]));
    const fused = fuseRankings([keyword.hits.map((h) => h.stored.event.id), [...vectorIds]]);
    const missing = fused.slice(0, limit).map((f) => f.id).filter((id) => !byId.has(id));
    for (const hit of await this.deps.store.eventsByIds(missing)) byId.set(hit.stored.event.id, hit);
    const hits = fused
      .slice(0, limit)
      .map((f) => {
        const hit = byId.get(f.id);
        return hit ? { ...hit, score: f.score } : undefined;
      })
      .filter((h): h is SearchHit => h !== undefined);
    const onTimeline = new Set(keyword.timeline.map((t) => t.id));
    const vectorOnly = hits.filter((h) => !onTimeline.has(h.stored.event.id)).map(({ stored: { event: e } }) => ({ id: e.id, cameraId: e.cameraId, type: e.type, startMs: e.startMs, endMs: e.endMs }));
    const vectorOnlyCount = vectorIds.filter((id) => !keyword.hits.some((h) => h.stored.event.id === id)).length;
    return { total: keyword.total + vectorOnlyCount, totalExact: keyword.totalExact, hits, timeline: [...keyword.timeline, ...vectorOnly] };
  }

  async coverage(): Promise<CameraCoverage[]> {
    await this.deps.ready?.();
    return this.deps.store.coverage();
  }

  /** The cameras by name, for an answer that says which places there are. */
  private knownPlaces(): string[] {
    return this.deps.cameras.map((c) => c.name);
  }

  private cameraName(id: string): string {
    return this.deps.cameras.find((c) => c.id === id)?.name ?? id;
  }

  private async missingInfo(
    cameraIds: readonly string[],
    fromMs: number | undefined,
    toMs: number | undefined,
    language: AnswerLanguage,
    named: boolean,
  ): Promise<string[]> {
    const zh = language !== 'en';
    const coverage = new Map((await this.deps.store.analysedSpans()).map((c) => [c.cameraId, c]));
    const lines: string[] = [];
    const fmt = (a: number, b: number) => formatTimeRange(a, b, this.deps.timeZone);
    if (fromMs !== undefined && fromMs > this.deps.clock.now()) lines.push(zh ? '該時段尚未到來。' : 'That time is in the future.');
    for (const id of cameraIds) {
      const name = this.cameraName(id);
      const c = coverage.get(id);
      if (!c?.analysedFromMs || !c.analysedUntilMs) {
        if (named) lines.push(zh ? `${name} 尚無已分析的影像。` : `No footage from ${name} has been analysed.`);
        continue;
      }
      if (fromMs === undefined || toMs === undefined) continue;
      if (c.analysedUntilMs <= fromMs || c.analysedFromMs >= toMs) {
        if (named || cameraIds.length === 1) {
          lines.push(zh ? `${name} 在該時段沒有已分析的影像（已分析 ${fmt(c.analysedFromMs, c.analysedUntilMs)}）。` : `No footage from ${name} was analysed for that time (analysed: ${fmt(c.analysedFromMs, c.analysedUntilMs)}).`);
        }
      } else if (c.analysedUntilMs < toMs && c.analysedUntilMs < this.deps.clock.now()) {
        const until = formatInstant(c.analysedUntilMs, this.deps.timeZone);
        lines.push(zh ? `${name} 的影像只分析到 ${until}。` : `Footage from ${name} is analysed only until ${until}.`);
      }
    }
    if (language === 'zh-Hans') return lines.map((l) => this.deps.text.toSimplified(l));
    return lines;
  }

  private lanes(entries: readonly TimelineEntry[]): TimelineLane[] {
    const lanes = new Map<string, TimelineLane>();
    for (const e of entries) {
      const lane = lanes.get(e.cameraId) ?? { cameraId: e.cameraId, cameraName: this.cameraName(e.cameraId), events: [] };
      lane.events.push({ id: e.id, type: e.type, startMs: e.startMs, endMs: e.endMs });
      lanes.set(e.cameraId, lane);
    }
    for (const lane of lanes.values()) lane.events.sort((a, b) => a.startMs - b.startMs);
    return [...lanes.values()].sort((a, b) => a.cameraId.localeCompare(b.cameraId));
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export type { ConceptMatch };

/** The part of `question` that normalizes to `normalized` (same length), else `normalized` itself. */
function asWritten(question: string, normalized: string, normalize: (text: string) => string): string {
  for (let at = 0; at + normalized.length <= question.length; at++) {
    const slice = question.slice(at, at + normalized.length);
    if (normalize(slice) === normalized) return slice;
  }
  return normalized;
}
