import { describe, expect, it } from 'vitest';
import type { DescriptionView } from '../descriptions/index.ts';
import { descriptionSummaryFrom } from './description-summary.ts';

function view(summaries: Record<string, string>, flagged = false): DescriptionView {
  return {
    status: 'done',
    attempts: 1,
    description: {
      provider: 'local_vlm',
      model: 'llava:test',
      createdAt: 0,
      flagged,
      json: { scene: 'A gate.', actions: [], attributes: {}, suspicion: { score: 0, reasons: [] }, uncertain: [], summaries },
    },
  };
}

describe('descriptionSummaryFrom', () => {
  it('picks the summary in the language asked, else the nearest one', () => {
    const both = view({ en: 'A man in red walks in.', 'zh-Hant': '一名穿紅衣的男子走進來。' });
    expect(descriptionSummaryFrom(both, 'en')).toBe('A man in red walks in.');
    expect(descriptionSummaryFrom(both, 'zh-Hant')).toBe('一名穿紅衣的男子走進來。');
    expect(descriptionSummaryFrom(both, 'zh-Hans', (t) => t.replace('紅', '红'))).toBe('一名穿红衣的男子走進來。');
    expect(descriptionSummaryFrom(view({ en: 'A man.' }), 'zh-Hant')).toBe('A man.');
  });

  it('gives nothing without a valid description', () => {
    expect(descriptionSummaryFrom({ status: 'none', attempts: 0 }, 'en')).toBeUndefined();
    expect(descriptionSummaryFrom(view({ en: 'A man.' }, true), 'en')).toBeUndefined();
  });
});
