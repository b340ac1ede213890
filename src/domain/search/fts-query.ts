/**
 * Caps that keep a pasted essay from becoming a huge MATCH expression; a real question has a
 * handful of words.
 */
const MAX_GROUPS = 32;
const MAX_ALTERNATIVES = 16;

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
export function buildFtsQuery(groups: readonly (readonly string[])[], mode: 'all' | 'any'): string | undefined {
  const parts: string[] = [];
  for (const group of groups) {
    const tokens = [...new Set(group.filter((t) => t.trim() !== ''))].slice(0, MAX_ALTERNATIVES).map(quote);
    if (tokens.length === 0) continue;
    const part = tokens.length === 1 ? (tokens[0] as string) : `(${tokens.join(' OR ')})`;
    if (!parts.includes(part)) parts.push(part);
    if (parts.length === MAX_GROUPS) break;
  }
  if (parts.length === 0) return undefined;
  return parts.join(mode === 'all' ? ' AND ' : ' OR ');
}
