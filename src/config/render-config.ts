import { Document, isScalar, isSeq, visit } from 'yaml';
import type { LoadedConfig } from './load-config.ts';
import { maskSecrets } from './mask-secrets.ts';

/** `[person, car]` and `[[0, 300], [768, 320]]` read better on one line than as nested lists. */
function isShortList(node: unknown): boolean {
  return isSeq(node) && node.items.every((item) => isScalar(item) || (isSeq(item) && item.items.every(isScalar)));
}

/**
 * The effective configuration (defaults applied, paths resolved) as YAML, for `vigil config`
 * style output and debug logs. Secrets are masked, so the result is safe to share in a bug report.
 */
export function renderConfig(loaded: LoadedConfig): string {
  const doc = new Document(maskSecrets(loaded.config, loaded.secrets));
  visit(doc, {
    Seq(_key, node) {
      if (isShortList(node)) node.flow = true;
    },
  });
  doc.commentBefore = loaded.file ? ` Effective configuration from ${loaded.file}` : ' Effective configuration (built-in defaults)';
  // lineWidth 0: a long label list stays on one line instead of being folded.
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
}
