import type { SearchDocument } from '../../../ports/search-index.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * How an event's `search` column (vigil_search_document, schema v1) is made, for the two stores
 * that write it: the analysis store (summary, keywords, names from the indexer; the description
 * part from the stored description) and the description store (only the description part).
 *
 * Concurrency: the description store replaces the description part from the column's current
 * value in the same statement that saves the description (see DESCRIPTION_PART_SQL), so an
 * indexer that writes the whole column must read the description (`descriptionTokens`) only
 * after it holds the event row's lock in its transaction (its UPDATE of the event, or SELECT ...
 * FOR UPDATE): then a concurrent save either commits first (and is read) or waits for it and
 * applies its part on top.
 */

/** The parameters of `vigil_search_document(summary, keywords, names, description)`, in order. */
export function searchDocumentParams(doc: SearchDocument): [string, string, string, string] {
  return [doc.summary, doc.keywords, doc.names, doc.description];
}

/**
 * The description part of some events' search documents: their stored descriptions' text,
 * tokenized as `save` tokenizes it. Events without a description are absent. One query.
 */
export async function descriptionTokens(db: SqlClient, eventIds: readonly string[], tokenize: (text: string) => string): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const { rows } = await db.query<{ event_id: string; text_for_search: string }>(
    'SELECT event_id, text_for_search FROM event_descriptions WHERE event_id = ANY($1::text[])',
    [[...eventIds]],
  );
  return new Map(rows.map((r) => [r.event_id, tokenize(r.text_for_search)]));
}

/** `doc` with the event's description tokens (from `descriptionTokens`), or as it is without one. */
export function withDescription(doc: SearchDocument, tokens: string | undefined): SearchDocument {
  return tokens === undefined ? doc : { ...doc, description: tokens };
}

/**
 * A search column with its description part (weight D) replaced by the tokens in `$tokens`,
 * keeping summary, keywords and names (A-C) as the indexer made them. Equal to
 * vigil_search_document(summary, keywords, names, tokens): ts_filter keeps the A-C positions,
 * and `||` shifts the new part past the last of them, as the function's own `||` does.
 */
export function descriptionPartSql(column: string, tokens: string): string {
  return `ts_filter(${column}, '{a,b,c}') || setweight(to_tsvector('simple'::regconfig, ${tokens}), 'D')`;
}
