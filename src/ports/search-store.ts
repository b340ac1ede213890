import type { EventType } from '../domain/events/event-types.ts';
import type { CrossingDirection } from '../domain/rules/rule-types.ts';
import type { TextQuery } from '../domain/search/text-query.ts';
import type { StoredEvent } from './analysis-store.ts';

/**
 * Which way a crossing went: `inbound` by the tripwire's own setting (`inbound: a_to_b`), or one
 * tripwire's direction between its sides (a question about its named sides).
 */
export type CrossingFilter = { inbound: boolean } | { cameraId: string; rule: string; direction: CrossingDirection };

/** How long someone in the event stayed, compared with `seconds` (each actor's own stay). */
export interface StayFilter {
  op: 'gt' | 'gte' | 'lt' | 'lte';
  seconds: number;
}

export interface SearchQuery {
  /** The words to match and rank by (BM25-like); undefined = no text ranking. */
  text?: TextQuery;
  cameraIds?: readonly string[];
  types?: readonly EventType[];
  labels?: readonly string[];
  /** Line crossings that went one of these ways (any of them); other events never pass. */
  directions?: readonly CrossingFilter[];
  /** Events where someone stayed so long (intrusion, loitering, sightings; never crossings); with `labels`, someone of those labels. */
  stay?: StayFilter;
  /** Events with at least this many people or objects in them ("together"). */
  minActors?: number;
  /** Events overlapping [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  limit: number;
  /** Matches to list for the timeline (default: `limit`). */
  timelineLimit?: number;
  /** Without text: oldest first (a time range was asked for) or newest first. */
  order: 'relevance' | 'oldest' | 'newest';
}

export interface SearchHit {
  stored: StoredEvent;
  /** Text relevance (BM25, higher is better); 0 without text. */
  score: number;
}

/** A match as the timeline draws it: no evidence, no JSON. */
export interface TimelineEntry {
  id: string;
  cameraId: string;
  type: EventType;
  startMs: number;
  endMs: number;
}

export interface SearchPage {
  /** How many events match: exact when `totalExact`, otherwise a lower bound ("more than"). */
  total: number;
  totalExact: boolean;
  /** The best `limit` matches, in result order, with everything stored about them. */
  hits: SearchHit[];
  /** The best `timelineLimit` matches (at least the hits), in result order, for the timeline. */
  timeline: TimelineEntry[];
}

export interface CameraCoverage {
  cameraId: string;
  /** The span of footage analysed for this camera (first frame to last frame). */
  analysedFromMs?: number;
  analysedUntilMs?: number;
  events: number;
  firstEventMs?: number;
  lastEventMs?: number;
}

/** Filtered, ranked event search over the full-text index. */
export interface SearchStore {
  search(query: SearchQuery): Promise<SearchPage>;
  /** Events by id (in no particular order; unknown ids are skipped), e.g. those only vectors found. */
  eventsByIds(ids: readonly string[]): Promise<SearchHit[]>;
  /** Per camera, the footage analysed (cheap; `events` counts are 0 here). */
  analysedSpans(): Promise<CameraCoverage[]>;
  /** Per camera, footage analysed, event counts and first/last event (kept counts, index probes). */
  coverage(): Promise<CameraCoverage[]>;
}
