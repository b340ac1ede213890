import type { StoredEvent } from '../../../ports/analysis-store.ts';

/** Texts longer than this are cut before embedding: a few hundred tokens say what an event is. */
export const DEFAULT_MAX_TEXT_CHARS = 2000;

/**
 * The text embedded for an event: both summaries (English and Traditional Chinese), the keywords
 * and, when there is one, the model's description, one per line. Both languages go in as they
 * are: multilingual models (bge-m3) place a question in either language near both.
 */
export function eventText(stored: StoredEvent, description?: { textForSearch: string }): string {
  const e = stored.event;
  return [e.summary.en, e.summary.zhHant, e.keywords.join(' '), description?.textForSearch ?? '']
    .map((part) => part.replace(/\s+/g, ' ').trim())
    .filter((part, i, all) => part !== '' && all.indexOf(part) === i)
    .join('\n');
}

/** At most `maxChars` UTF-16 units, never splitting a surrogate pair. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
