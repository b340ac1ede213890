/**
 * Caps that keep a pasted essay from becoming a huge query; a real question has a handful of
 * words.
 */
const MAX_GROUPS = 32;
const MAX_ALTERNATIVES = 16;

/**
 * The words of a question as every search backend takes them: groups of alternative tokens
 * (`TextAnalysis.queryTokens`: a word and its shorter forms), all required (`all`) or any will do
 * (`any`). Each backend turns it into its own syntax (FTS5 MATCH, a tsquery), quoting every token.
 */
export interface TextQuery {
  groups: ReadonlyArray<readonly string[]>;
  mode: 'all' | 'any';
}

/** Blank tokens and repeats dropped, capped; undefined when nothing is left to search for. */
export function textQuery(groups: ReadonlyArray<readonly string[]>, mode: 'all' | 'any'): TextQuery | undefined {
  const kept: string[][] = [];
  const seen = new Set<string>();
  for (const group of groups) {
    const tokens = [...new Set(group.filter((t) => t.trim() !== ''))].slice(0, MAX_ALTERNATIVES);
    if (tokens.length === 0) continue;
    const key = JSON.stringify(tokens);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(tokens);
    if (kept.length === MAX_GROUPS) break;
  }
  return kept.length === 0 ? undefined : { groups: kept, mode };
}
