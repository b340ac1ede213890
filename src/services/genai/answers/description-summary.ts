import type { AnswerLanguage } from '../../search/answer.ts';
import type { DescriptionView } from '../descriptions/index.ts';

/**
 * The summary of an event's model description in the question's language, for the answer
 * prompt: the same language when the description has it, else the other Chinese script, else
 * English. Flagged (invalid) descriptions give nothing: their text was never checked.
 */
export function descriptionSummaryFrom(view: DescriptionView, language: AnswerLanguage, toSimplified?: (text: string) => string): string | undefined {
  const description = view.description;
  if (description === undefined || description.flagged || description.json === undefined) return undefined;
  const s = description.json.summaries;
  switch (language) {
    case 'en':
      return s.en ?? s['zh-Hant'] ?? s['zh-Hans'];
    case 'zh-Hans':
      return s['zh-Hans'] ?? (s['zh-Hant'] !== undefined && toSimplified ? toSimplified(s['zh-Hant']) : s['zh-Hant']) ?? s.en;
    default:
      return s['zh-Hant'] ?? s['zh-Hans'] ?? s.en;
  }
}
