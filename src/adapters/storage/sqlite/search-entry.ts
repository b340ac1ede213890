import type Database from 'better-sqlite3';
import type { EventType } from '../../../domain/events/event-types.ts';
import type { SearchDocument } from '../../../ports/search-index.ts';

/**
 * How an event sits in the SQLite full-text index (`events_fts`): the indexer's tokenized text
 * columns, plus a `facets` column of tokens for its camera, type, labels and the days it
 * overlaps. Filters on those
 * become full-text terms, so FTS5 intersects them with the question's words itself (seeking
 * through its sorted lists) instead of SQL joining every word match to an event row.
 */

/** The text columns; user words are only ever matched against these, never against facets. */
const TEXT_COLUMNS = '{summary keywords names description}';

const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex');

/**
 * A facet token: a kind letter and the value in hex, so any camera id or label (spaces,
 * punctuation, CJK) is one lower-case alphanumeric token the unicode61 tokenizer keeps whole.
 */
const facet = {
  camera: (id: string) => `c${hex(id)}`,
  type: (type: EventType) => `t${hex(type)}`,
  label: (label: string) => `l${hex(label)}`,
  /** A UTC day (days since 1970) the event overlaps. */
  day: (day: number) => `d${day}`,
};

const DAY_MS = 86_400_000;
/** An event overlapping more days than this gets LONG_EVENT instead of its days. */
const MAX_EVENT_DAYS = 62;
const LONG_EVENT = 'dlong';
/**
 * A time range of at most this many days narrows by day terms in the index; a longer one is
 * left to the exact filter on the event rows (a union of that many days' lists costs more).
 */
export const MAX_QUERY_DAYS = 31;

const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

export interface FacetedEvent {
  cameraId: string;
  type: EventType;
  labels: readonly string[];
  startMs: number;
  endMs: number;
}

export function facetTokens(event: FacetedEvent): string {
  const first = dayOf(event.startMs);
  const last = dayOf(Math.max(event.startMs, event.endMs));
  const days = last - first + 1 > MAX_EVENT_DAYS ? [LONG_EVENT] : Array.from({ length: last - first + 1 }, (_, i) => facet.day(first + i));
  return [facet.camera(event.cameraId), facet.type(event.type), ...event.labels.map(facet.label), ...days].join(' ');
}

export interface FacetFilter {
  cameraIds?: readonly string[] | undefined;
  types?: readonly EventType[] | undefined;
  labels?: readonly string[] | undefined;
  /** Events overlapping [fromMs, toMs): only narrows (by day); the caller still filters exactly. */
  fromMs?: number | undefined;
  toMs?: number | undefined;
}

/** The day terms covering [fromMs, toMs), or undefined when the range is open or too long. */
function dayTerms(fromMs: number | undefined, toMs: number | undefined): string[] | undefined {
  if (fromMs === undefined || toMs === undefined || toMs <= fromMs) return undefined;
  const first = dayOf(fromMs);
  const last = dayOf(toMs - 1);
  if (last - first + 1 > MAX_QUERY_DAYS) return undefined;
  return [...Array.from({ length: last - first + 1 }, (_, i) => facet.day(first + i)), LONG_EVENT];
}

/**
 * A MATCH expression: `text` (a safe expression from buildFtsQuery) limited to the text columns,
 * AND each given filter as an OR of facet tokens. Undefined when there is neither.
 */
export function facetedMatch(text: string | undefined, filter: FacetFilter): string | undefined {
  const parts: string[] = [];
  if (text !== undefined) parts.push(`${TEXT_COLUMNS} : (${text})`);
  const anyOf = (tokens: readonly string[]) => {
    if (tokens.length) parts.push(`facets : (${tokens.map((t) => `"${t}"`).join(' OR ')})`);
  };
  anyOf((filter.cameraIds ?? []).map(facet.camera));
  anyOf((filter.types ?? []).map(facet.type));
  anyOf((filter.labels ?? []).map(facet.label));
  anyOf(dayTerms(filter.fromMs, filter.toMs) ?? []);
  return parts.length ? parts.join(' AND ') : undefined;
}

/** Writes (or replaces) an event's full-text entry; one statement per database, prepared once. */
export function searchEntryWriter(db: Database.Database): (rowid: number, doc: SearchDocument, event: FacetedEvent) => void {
  const insert = db.prepare('INSERT OR REPLACE INTO events_fts (rowid, summary, keywords, names, description, facets) VALUES (?, ?, ?, ?, ?, ?)');
  return (rowid, doc, event) => {
    insert.run(rowid, doc.summary, doc.keywords, doc.names, doc.description, facetTokens(event));
  };
}
