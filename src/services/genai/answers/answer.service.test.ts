import { describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ModelAnswer } from './answer-schema.ts';
import { AnswerService, type AnswerInput, type AnswerServiceDeps } from './answer.service.ts';
import { HITS, INTERPRETATION, T0, TZ } from './testing/answer-fixtures.ts';
import { FakeAnswersProvider, recordingLogger, registryOf, type Reply } from './testing/fake-answers-provider.ts';

const INPUT: AnswerInput = {
  question: '昨天晚上10點到11點有人穿越後門大門嗎？',
  language: 'zh-Hant',
  interpretation: INTERPRETATION,
  candidates: HITS,
  deterministic: { text: '找到 3 個越線事件：1. 人物 p1 於 22:00:04 由外向內穿越大門警戒線。', missingInfo: ['Back door 的影像只分析到 22:45。'] },
  timeZone: TZ,
};

const GOOD: ModelAnswer = {
  answer: '有。人物 p1 於 22:00:04 由外向內穿越大門，人物 p2 於 22:30:00 離開。',
  timeline: [
    { event_id: 'back-gate-p1', time: '22:00:04', what: '人物 p1 進入' },
    { event_id: 'back-gate-p2', time: '22:30:00', what: '人物 p2 離開' },
  ],
  missing_info: ['Back door 的影像只分析到 22:45。', '無法判斷兩人是否為同一人。'],
  cited_event_ids: ['back-gate-p1', 'back-gate-p2'],
};

/** The deterministic answer's timeline: the candidates in time order, in the question's words. */
const DETERMINISTIC_TIMELINE = [
  { event_id: 'back-gate-p1', time: '22:00:04', what: '人物 p1 於 22:00:04 由外向內穿越大門警戒線' },
  { event_id: 'front-door-p1', time: '22:10:00', what: '人物 p1 在門口徘徊 95 秒' },
  { event_id: 'back-gate-p2', time: '22:30:00', what: '人物 p2 於 22:30:00 由內向外穿越大門警戒線' },
];

function setup(reply: Reply, deps: Partial<AnswerServiceDeps> = {}) {
  const provider = new FakeAnswersProvider(reply);
  const providers = registryOf(provider);
  const logger = recordingLogger();
  const service = new AnswerService({
    providers,
    providerName: provider.name,
    clock: { now: () => T0 },
    logger,
    timeoutMs: 1_000,
    maxCandidates: 12,
    cameras: [{ id: 'back', name: 'Back door' }],
    ...deps,
  });
  const warnings = () => logger.records.filter((r) => r.level === 'warn');
  return { service, provider, providers, logger, warnings };
}

describe('AnswerService', () => {
  it('keeps a valid answer with its citations, asking at interactive priority for the schema', async () => {
    const { service, provider, providers, warnings } = setup({ json: GOOD });
    const answer = await service.answer(INPUT);
    expect(answer).toEqual({
      text: GOOD.answer,
      timeline: GOOD.timeline,
      missing_info: ['Back door 的影像只分析到 22:45。', '無法判斷兩人是否為同一人。'],
      cited: ['back-gate-p1', 'back-gate-p2'],
      generated: true,
      model: 'qwen:test',
    });
    expect(providers.contexts).toEqual([{ priority: 'interactive' }]);
    expect(provider.requests[0]?.jsonSchema?.name).toBe('cited_answer');
    expect(provider.requests[0]?.jsonSchema?.schema).toMatchObject({ required: ['answer', 'timeline', 'missing_info', 'cited_event_ids'] });
    expect(warnings()).toEqual([]);
  });

  it('keeps the deterministic missing info even when the model leaves it out', async () => {
    const { service } = setup({ text: '```json\n' + JSON.stringify({ ...GOOD, missing_info: [] }) + '\n```' });
    const answer = await service.answer(INPUT);
    expect(answer.generated).toBe(true);
    expect(answer.missing_info).toEqual(['Back door 的影像只分析到 22:45。']);
  });

  it('drops an invented event id, logs it, and keeps the rest', async () => {
    const { service, warnings } = setup({
      json: {
        ...GOOD,
        timeline: [...GOOD.timeline, { event_id: 'back-gate-p9', time: '22:40:00', what: '人物 p9 進入' }],
        cited_event_ids: ['back-gate-p1', 'back-gate-p9', 'back-gate-p2'],
      },
    });
    const answer = await service.answer(INPUT);
    expect(answer.generated).toBe(true);
    expect(answer.cited).toEqual(['back-gate-p1', 'back-gate-p2']);
    expect(answer.timeline.map((t) => t.event_id)).toEqual(['back-gate-p1', 'back-gate-p2']);
    expect(warnings()).toEqual([expect.objectContaining({ obj: expect.objectContaining({ invented: ['back-gate-p9'], model: 'qwen:test' }) })]);
  });

  it('counts an event given only in the timeline as cited', async () => {
    const { service } = setup({ json: { ...GOOD, cited_event_ids: ['back-gate-p1'] } });
    expect((await service.answer(INPUT)).cited).toEqual(['back-gate-p1', 'back-gate-p2']);
  });

  it('falls back to the deterministic answer when every citation is invented', async () => {
    const { service, warnings } = setup({
      json: { ...GOOD, timeline: [{ event_id: 'x1', time: '22:00', what: '?' }], cited_event_ids: ['x1', 'x2'] },
    });
    const answer = await service.answer(INPUT);
    expect(answer).toEqual({
      text: INPUT.deterministic.text,
      timeline: DETERMINISTIC_TIMELINE,
      missing_info: ['Back door 的影像只分析到 22:45。'],
      cited: ['back-gate-p1', 'front-door-p1', 'back-gate-p2'],
      generated: false,
      fallback_reason: "the model's answer cited none of the events found",
      model: 'qwen:test',
    });
    expect(warnings().map((w) => w.obj['invented'])).toContainEqual(['x1', 'x2']);
  });

  it('falls back when the model answers without citing anything although events were found', async () => {
    const { service } = setup({ json: { ...GOOD, timeline: [], cited_event_ids: [] } });
    const answer = await service.answer(INPUT);
    expect(answer.generated).toBe(false);
    expect(answer.fallback_reason).toBe("the model's answer cited none of the events found");
  });

  it('accepts an answer citing nothing when nothing was found', async () => {
    const nothing = { answer: '沒有找到。', timeline: [], missing_info: [], cited_event_ids: [] };
    const { service } = setup({ json: nothing });
    const answer = await service.answer({ ...INPUT, candidates: [], deterministic: { text: '沒有找到符合的越線事件。', missingInfo: [] } });
    expect(answer).toEqual({ text: '沒有找到。', timeline: [], missing_info: [], cited: [], generated: true, model: 'qwen:test' });
  });

  it('falls back on invalid JSON', async () => {
    const { service, warnings } = setup({ text: '有，人物 p1 在 22:00 進入了。' });
    const answer = await service.answer(INPUT);
    expect(answer).toMatchObject({ text: INPUT.deterministic.text, generated: false, fallback_reason: "the model's answer was not valid JSON" });
    expect(answer.timeline).toEqual(DETERMINISTIC_TIMELINE);
    expect(warnings()).toHaveLength(1);
  });

  it('falls back on JSON that does not match the schema', async () => {
    const { service } = setup({ json: { answer: '有。', cited_event_ids: ['back-gate-p1'] } });
    const answer = await service.answer(INPUT);
    expect(answer).toMatchObject({ generated: false, fallback_reason: "the model's answer did not match the schema" });
  });

  it('falls back on time when the provider never answers, and aborts the call', async () => {
    const { service, provider } = setup({ never: true }, { timeoutMs: 20 });
    const answer = await service.answer(INPUT);
    expect(answer).toMatchObject({ text: INPUT.deterministic.text, generated: false, fallback_reason: 'no answer within 20 ms' });
    expect(answer.model).toBeUndefined();
    expect(provider.requests[0]?.signal?.aborted).toBe(true);
  });

  it('falls back on provider and queue errors, saying which', async () => {
    const down = setup({ error: new VigilError('provider_unavailable', 'connection refused', { retryable: true }) });
    expect(await down.service.answer(INPUT)).toMatchObject({ generated: false, fallback_reason: 'the model is unreachable (provider_unavailable)' });
    const busy = setup({ error: new VigilError('queue_full', 'too many waiting', { retryable: true }) });
    expect(await busy.service.answer(INPUT)).toMatchObject({ generated: false, fallback_reason: 'the model is busy (queue_full)' });
  });

  it('throws what is not a provider failure (a bug)', async () => {
    const { service } = setup({ error: new TypeError('x is undefined') });
    await expect(service.answer(INPUT)).rejects.toThrow(TypeError);
  });

  it('falls back when the caller gives up or the provider is not configured', async () => {
    const { service, provider } = setup({ never: true });
    const controller = new AbortController();
    const pending = service.answer({ ...INPUT, signal: controller.signal });
    // Cancelled while the model works on it: the provider's request is aborted too.
    await vi.waitFor(() => expect(provider.requests).toHaveLength(1));
    controller.abort();
    expect(await pending).toMatchObject({ generated: false, fallback_reason: 'the request was cancelled' });
    expect(provider.requests[0]?.signal?.aborted).toBe(true);

    const missing = setup({ json: GOOD }, { providerName: 'nope' });
    expect(await missing.service.answer(INPUT)).toMatchObject({ generated: false, fallback_reason: 'the answers provider "nope" is not configured' });
  });

  it('asks for the language of the question', async () => {
    const hant = setup({ json: GOOD });
    await hant.service.answer(INPUT);
    const traditional = 'Write your answer in Traditional Chinese (繁體中文, as used in Taiwan).';
    expect(hant.provider.requests[0]?.system).toContain(traditional);
    expect(hant.provider.requests[0]?.prompt).toContain(traditional);

    const hans = setup({ json: GOOD }, { toSimplified: (t) => t.replace('穿越大門', '穿越大门') });
    await hans.service.answer({ ...INPUT, language: 'zh-Hans' });
    expect(hans.provider.requests[0]?.system).toContain('Write your answer in Simplified Chinese (简体中文).');
    expect(hans.provider.requests[0]?.system).not.toContain('Traditional');
    expect(hans.provider.requests[0]?.prompt).toContain('Summary: 人物 p1 於 22:00:04 由外向內穿越大门警戒線');

    const en = setup({ json: GOOD });
    await en.service.answer({ ...INPUT, question: 'did anyone cross the gate?', language: 'en' });
    expect(en.provider.requests[0]?.system).toContain('Write your answer in English.');
  });

  it('sends at most maxCandidates events, and only those may be cited', async () => {
    const { service, provider } = setup(
      { json: { ...GOOD, timeline: [], cited_event_ids: ['back-gate-p1', 'back-gate-p2', 'front-door-p1'] } },
      { maxCandidates: 2 },
    );
    const answer = await service.answer(INPUT);
    const prompt = provider.requests[0]?.prompt ?? '';
    expect(prompt).toContain('Events found (2 of 3, the most relevant first');
    expect(prompt).toContain('id back-gate-p1;');
    expect(prompt).toContain('id back-gate-p2;');
    expect(prompt).not.toContain('front-door-p1');
    expect(answer.cited).toEqual(['back-gate-p1', 'back-gate-p2']);
  });

  it('gives the model the descriptions it has', async () => {
    const { service, provider } = setup(
      { json: GOOD },
      { descriptionSummary: async (id, language) => (id === 'back-gate-p2' && language === 'zh-Hant' ? '一名穿紅色外套的人離開。' : undefined) },
    );
    await service.answer(INPUT);
    const prompt = provider.requests[0]?.prompt ?? '';
    expect(prompt).toContain('   Summary: 人物 p2 於 22:30:00 由內向外穿越大門警戒線\n   Model description: 一名穿紅色外套的人離開。\n');
    expect(prompt.match(/Model description/g)).toHaveLength(1);
  });
});
