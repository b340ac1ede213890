import { textQuery, type TextQuery } from '../../../domain/search/text-query.ts';
import { crossingCondition, PG_ACTOR_COUNT, PG_ACTOR_STAYS, pgDetailsField, stayCondition, togetherCondition } from '../event-conditions.ts';
import type { SearchQuery } from '../../../ports/search-store.ts';

/**
 * The SQL pieces of a search on PostgreSQL: the tsquery of the words and the filters, with every
 * value a `$n` parameter. Only the shape of the SQL (how many tokens, which filters) is built
 * from the query, never its values.
 */

/** Parameters in order; `add` returns the placeholder of the value it was given. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * PostgreSQL drops a word longer than this (bytes) from a tsvector and a tsquery alike, with a
 * notice; FTS5 would look for it. A token with such a piece matches nothing here.
 */
const MAX_WORD_BYTES = 2047;

/**
 * A query token as FTS5's unicode61 tokenizer (`remove_diacritics 2`) reads a quoted string:
 * case folded, diacritics removed, split into pieces of letters and digits, everything else a
 * separator. The pieces are matched as a phrase, as FTS5 matches a quoted string of several
 * words. Vigil's tokens are already one such piece; this makes any other token (from another
 * caller) mean what it means on SQLite: "gate-1" is the phrase "gate 1" (PostgreSQL's parser would
 * read "-1" as a number), "café" is "cafe", and "&" or ":*" have no piece, so they match nothing.
 */
export function tokenPieces(token: string): string[] {
  return token
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter((piece) => piece !== '');
}

const matchable = (pieces: readonly string[]) => pieces.length > 0 && pieces.every((p) => Buffer.byteLength(p, 'utf8') <= MAX_WORD_BYTES);

/**
 * The words of a search as groups of phrases (each phrase its pieces joined by spaces), with the
 * groups and tokens that can match nothing applied as FTS5 applies an empty phrase: a group
 * without a matchable token matches nothing, so with `all` nothing matches (`'none'`) and with
 * `any` the group is left out. Undefined when there are no words (the search is not ranked).
 */
export function phraseGroups(text: TextQuery | undefined): { groups: string[][]; mode: 'all' | 'any' } | 'none' | undefined {
  const query = text === undefined ? undefined : textQuery(text.groups, text.mode);
  if (query === undefined) return undefined;
  const groups: string[][] = [];
  for (const group of query.groups) {
    const phrases = group.map(tokenPieces).filter(matchable).map((pieces) => pieces.join(' '));
    if (phrases.length > 0) groups.push(phrases);
    else if (query.mode === 'all') return 'none';
  }
  return groups.length === 0 ? 'none' : { groups, mode: query.mode };
}

/**
 * A tsquery expression from phrase groups, one parameter per phrase: phraseto_tsquery reads a
 * parameter as plain text (no tsquery syntax: quotes, '&', '|', '!', ':*' are just characters of
 * it), through the same parser and 'simple' configuration as vigil_search_document, and the
 * alternatives and groups are combined with || and && in SQL. Written out rather than aggregated
 * from an array so that the planner, which sees the parameters' values, folds it into a constant
 * and estimates from the GIN statistics how many events each word matches (a tsquery computed
 * by a subquery gets a fixed 0.5% guess: a common word would be planned as a rare one).
 */
export function tsqueryExpression(groups: readonly (readonly string[])[], mode: 'all' | 'any', params: Params): string {
  const phrase = (text: string) => `phraseto_tsquery('simple', ${params.add(text)}::text)`;
  const parts = groups.map((phrases) => (phrases.length === 1 ? phrase(phrases[0] as string) : `(${phrases.map(phrase).join(' || ')})`));
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(mode === 'all' ? ' && ' : ' || ')})`;
}

/**
 * Filters as SQL conditions on the `events` alias `e`. Camera, type and time go to the B-tree
 * indexes ((camera_id, start_ms), (type, start_ms), (start_ms) and its covering twin); rare labels
 * (`rareLabels`) to the GIN index on the event's `labels` array (schema v2), which the planner can
 * combine with the others. "Overlaps [from, to)" becomes a range on start_ms
 * bounded on both sides by the longest event stored (event_stats), so an index serves it from
 * both ends; the subquery is run once per statement.
 */
export function filterConditions(query: SearchQuery, params: Params, options: { rareLabels: boolean }): string[] {
  const out = rangeConditions(query, params);
  if (query.types?.length) out.push(`e.type = ANY(${params.add(query.types)}::text[])`);
  if (query.labels?.length) {
    // A common label ("person" on most events, "car or truck") is checked on the rows the other
    // conditions find: its GIN bitmap would cost more to build (84 ms for the vehicles of 1M
    // events) than the rows it removes, and the planner's cost model does not see that. Written
    // as an expression no index serves (`|| '{}'` changes nothing), the same test on the row.
    const labels = params.add(query.labels);
    out.push(options.rareLabels ? `e.labels && ${labels}::text[]` : `(e.labels || '{}'::text[]) && ${labels}::text[]`);
  }
  if (query.directions?.length) out.push(crossingCondition(query.directions, (value) => `${params.add(value)}::text`, pgDetailsField));
  if (query.stay) {
    const ofLabels = query.labels?.length ? `a.label = ANY(${params.add(query.labels)}::text[])` : undefined;
    out.push(stayCondition(query.stay, (value) => `${params.add(value)}::float8`, PG_ACTOR_STAYS, ofLabels));
  }
  if (query.minActors !== undefined) out.push(togetherCondition(query.minActors, (value) => `${params.add(value)}::int4`, PG_ACTOR_COUNT));
  return out;
}

/** Whether the query has filters that are a range of a B-tree index: cameras, a time range. */
export const hasRangeFilters = (query: SearchQuery): boolean => Boolean(query.cameraIds?.length) || query.fromMs !== undefined || query.toMs !== undefined;

/** The cameras and the time range: the filters an index answers as a range of its entries. */
export function rangeConditions(query: SearchQuery, params: Params): string[] {
  const out: string[] = [];
  if (query.cameraIds?.length) out.push(`e.camera_id = ANY(${params.add(query.cameraIds)}::text[])`);
  // Whole milliseconds, so that the bounds compare as bigint and stay usable by the indexes; the
  // ceiling keeps the meaning (an integer end_ms >= 1.5 exactly when end_ms >= 2).
  if (query.fromMs !== undefined) {
    const from = params.add(Math.ceil(query.fromMs));
    out.push(
      `e.end_ms >= ${from}::bigint`,
      // No stats row (never true after migration) would mean "no bound", as on SQLite.
      `e.start_ms >= ${from}::bigint - COALESCE((SELECT s.max_duration_ms FROM event_stats s WHERE s.id = 1), ${Number.MAX_SAFE_INTEGER})`,
    );
  }
  if (query.toMs !== undefined) out.push(`e.start_ms < ${params.add(Math.ceil(query.toMs))}::bigint`);
  return out;
}

export const where = (parts: readonly string[]) => (parts.length ? `WHERE ${parts.join(' AND ')}` : '');
