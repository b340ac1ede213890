import { describe, expect, it } from 'vitest';
import { buildAnswerPrompt, eventTimes, type AnswerPromptFacts } from './answer-prompt.ts';
import { HITS, INTERPRETATION, T0, TZ } from './testing/answer-fixtures.ts';

const FACTS: AnswerPromptFacts = {
  question: '昨天晚上10點到11點有人穿越後門大門嗎？',
  language: 'zh-Hant',
  interpretation: INTERPRETATION,
  candidates: HITS.slice(0, 2),
  found: 3,
  missingInfo: ['Back door 的影像只分析到 22:45。'],
  timeZone: TZ,
  cameraNames: { back: 'Back door', front: 'front' },
  descriptions: { 'back-gate-p1': '一名穿紅色外套的男子走進大門。' },
};

describe('buildAnswerPrompt', () => {
  it('gives the question, the interpretation, the events as facts, the gaps and the rules', () => {
    const prompt = buildAnswerPrompt(FACTS);
    expect(prompt.system).toBe(
      "You are Vigil, a video detective answering a camera owner's question about events that Vigil's detector and rules recorded. " +
        'You know only the events listed in the request; never invent events, times, people or details. ' +
        'Answer with one JSON object and nothing else. Write your answer in Traditional Chinese (繁體中文, as used in Taiwan).',
    );
    expect(prompt.prompt).toBe(
      [
        'Question: 昨天晚上10點到11點有人穿越後門大門嗎？',
        '',
        'How Vigil read the question:',
        '- Time: 2024-05-01 22:00–23:00 (Asia/Taipei), read from "昨天晚上10點到11點"',
        '- Cameras: back (Back door)',
        '- Event types: line_crossing',
        '- Labels: person',
        '- Concepts: crossing, person',
        '',
        'Events found (2 of 3, the most relevant first; times in Asia/Taipei):',
        '1. id back-gate-p1; camera back; type line_crossing; rule gate; 2024-05-01 22:00:04 to 22:00:16; labels person; actors p1 (person)',
        '   Summary: 人物 p1 於 22:00:04 由外向內穿越大門警戒線',
        '   Model description: 一名穿紅色外套的男子走進大門。',
        '2. id back-gate-p2; camera back; type line_crossing; rule gate; 2024-05-01 22:30:00 to 22:30:12; labels person; actors p1 (person)',
        '   Summary: 人物 p2 於 22:30:00 由內向外穿越大門警戒線',
        '',
        'Missing footage and other gaps Vigil knows of:',
        '- Back door 的影像只分析到 22:45。',
        '',
        'Rules:',
        '- Answer only from the events listed above; do not invent events, times, people or details.',
        '- Cite every event you mention by its id: put its id in "cited_event_ids" and give it a "timeline" entry.',
        '- If none of the listed events answers the question, say so plainly.',
        '- Write your answer in Traditional Chinese (繁體中文, as used in Taiwan). This applies to "answer", every "what" and "missing_info".',
        '- Be short: at most three sentences in "answer", a short phrase for each "what".',
        '',
        'Answer with one JSON object with these fields:',
        '- "answer": the answer to the question.',
        '- "timeline": the events you mention, in time order: "event_id", "time" (its local start time as listed, HH:MM:SS), "what" (what happened).',
        '- "missing_info": the gaps listed above, as given, and anything the question asks that these events cannot tell.',
        '- "cited_event_ids": the ids of all events you mention.',
      ].join('\n'),
    );
  });

  it('says plainly when nothing was found, with no time, camera or gap to report', () => {
    const prompt = buildAnswerPrompt({
      ...FACTS,
      question: 'did anyone loiter by the door?',
      language: 'en',
      interpretation: { timeNotes: [], unreadTime: [], unknownPlaces: [], cameras: [], types: ['loitering'], labels: [], directions: [], concepts: ['loitering'], terms: ['door'], language: 'en' },
      candidates: [],
      found: 0,
      missingInfo: [],
    });
    expect(prompt.system.endsWith('Write your answer in English.')).toBe(true);
    const sections = prompt.prompt.split('\n\n');
    expect(sections.slice(0, 4)).toEqual([
      'Question: did anyone loiter by the door?',
      [
        'How Vigil read the question:',
        '- Time: any time',
        '- Cameras: all cameras',
        '- Event types: loitering',
        '- Labels: any',
        '- Concepts: loitering',
        '- Other words ranked: door',
      ].join('\n'),
      'Events found: none.',
      'Missing footage and other gaps Vigil knows of:\n- none known',
    ]);
  });

  it('shows open-ended ranges and the notes on how the time was read', () => {
    const prompt = buildAnswerPrompt({
      ...FACTS,
      interpretation: { ...INTERPRETATION, toMs: undefined, timeText: undefined, timeNotes: ['10點 was read as 22:00 yesterday'] },
    });
    expect(prompt.prompt).toContain('- Time: from 2024-05-01 22:00 (Asia/Taipei)\n  - Note: 10點 was read as 22:00 yesterday\n');
  });

  it('gives summaries in the language of the question', () => {
    const en = buildAnswerPrompt({ ...FACTS, language: 'en', descriptions: {} }).prompt;
    expect(en).toContain('   Summary: Person p1 crossed the Gate line inbound at 22:00:04\n');
    expect(en).toContain('Write your answer in English. This applies to');

    const hans = buildAnswerPrompt({ ...FACTS, language: 'zh-Hans', toSimplified: (t) => t.replace('穿越', '穿越(简)') });
    expect(hans).toMatchObject({ system: expect.stringContaining('Write your answer in Simplified Chinese (简体中文).') });
    expect(hans.prompt).toContain('   Summary: 人物 p1 於 22:00:04 由外向內穿越(简)大門警戒線\n');
  });

  it('gives the end date of an event that runs past midnight', () => {
    expect(eventTimes({ startMs: T0 + 7_190_000, endMs: T0 + 7_230_000 }, TZ)).toBe('2024-05-01 23:59:50 to 2024-05-02 00:00:30');
  });
});
