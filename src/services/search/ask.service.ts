import type { AnswerService, GeneratedAnswer } from '../genai/answers/index.ts';
import type { SearchRequest, SearchResult, SearchService } from './search.service.ts';

export interface AskResult extends SearchResult {
  /** Set when an answers model was asked; `generated: false` means its fallback (the deterministic answer) was used. */
  generated?: GeneratedAnswer;
}

/**
 * A question end to end: search always answers deterministically; when an `answers` model is
 * configured, it rewrites that answer from the best candidates, citing them, and falls back to
 * the deterministic one on any failure.
 */
export class AskService {
  constructor(private readonly deps: { search: SearchService; answers?: AnswerService; timeZone: string }) {}

  async ask(request: SearchRequest, options: { signal?: AbortSignal } = {}): Promise<AskResult> {
    const result = await this.deps.search.searchHybrid(request, options);
    // A question whose time could not be read was not searched: there is nothing to write from.
    if (!this.deps.answers || result.interpretation.unreadTime.length > 0) return result;
    const generated = await this.deps.answers.answer({
      question: result.query,
      language: result.answer.language,
      interpretation: result.interpretation,
      candidates: result.hits,
      deterministic: { text: result.answer.text, missingInfo: result.missingInfo },
      timeZone: this.deps.timeZone,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      ...result,
      answer: { text: generated.text, language: result.answer.language },
      missingInfo: generated.missing_info,
      generated,
    };
  }
}
