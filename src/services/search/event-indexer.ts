import type { TextAnalysis } from '../../domain/search/text-analysis.ts';
import type { EventIndexer } from '../../ports/search-index.ts';
import type { CameraInfo } from './search.service.ts';

/**
 * What of an event is searchable, tokenized once when the event is stored: both summaries,
 * keywords and labels, and the names people use for its camera and rule.
 */
export function createEventIndexer(text: TextAnalysis, cameras: readonly CameraInfo[]): EventIndexer {
  const tokens = (parts: readonly string[]) => text.indexTokens(parts.join(' \n ')).join(' ');
  return ({ event }) => {
    const camera = cameras.find((c) => c.id === event.cameraId);
    return {
      summary: tokens([event.summary.en, event.summary.zhHant]),
      keywords: tokens([...event.keywords, ...event.labels, event.type.replace('_', ' ')]),
      names: tokens([event.cameraId, camera?.name ?? '', ...(camera?.aliases ?? []), event.rule]),
      description: '',
    };
  };
}
