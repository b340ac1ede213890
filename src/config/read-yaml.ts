import { LineCounter, parseDocument } from 'yaml';

export type YamlReadResult = { ok: true; value: unknown } | { ok: false; errors: string[] };

/**
 * Parse YAML text into plain data, or explain every syntax error with its line and column
 * (the config's own path cannot be known when the text does not parse). Merge keys (`<<: *base`)
 * are on because Frigate configs commonly use them to share camera settings.
 */
export function readYaml(text: string): YamlReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return `line ${line}, column ${col}: ${error.message.split('\n')[0] ?? error.message}`;
      }),
    };
  }
  try {
    return { ok: true, value: dropEmptyValues(doc.toJS()) };
  } catch (error) {
    // toJS refuses documents that would expand without bound (alias bombs).
    return { ok: false, errors: [error instanceof Error ? error.message : String(error)] };
  }
}

/**
 * A key with no value (`cameras:` or `workers:` followed by nothing) counts as absent, so it takes
 * its default, as in Frigate. List items are kept, because dropping one would shift the indexes
 * that messages point at.
 */
function dropEmptyValues(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropEmptyValues);
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(
      Object.entries(node)
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([key, value]) => [key, dropEmptyValues(value)]),
    );
  }
  return node;
}
