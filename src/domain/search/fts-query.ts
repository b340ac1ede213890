import { textQuery } from './text-query.ts';

/** An FTS5 string: always double-quoted, inner quotes doubled, so it is never an operator. */
function quote(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/**
 * An FTS5 MATCH expression from query token groups (`TextAnalysis.queryTokens`): the tokens of a
 * group are alternatives (OR, in parentheses), and the groups are all required (`all`, AND) or
 * any will do (`any`, OR). Every token is a quoted string, so no input can inject FTS syntax.
 * Undefined when there is nothing to search for.
 */
export function buildFtsQuery(groups: ReadonlyArray<readonly string[]>, mode: 'all' | 'any'): string | undefined {
  const query = textQuery(groups, mode);
  if (!query) return undefined;
  const parts = query.groups.map((tokens) => (tokens.length === 1 ? quote(tokens[0]!) : `(${tokens.map(quote).join(' OR ')})`));
  return parts.join(mode === 'all' ? ' AND ' : ' OR ');
}
