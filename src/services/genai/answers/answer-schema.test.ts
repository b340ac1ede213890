import { describe, expect, it } from 'vitest';
import { answerJsonSchema, parseModelAnswer } from './answer-schema.ts';

const VALID = { answer: 'Yes.', timeline: [{ event_id: 'e1', time: '22:00:04', what: 'p1 came in' }], missing_info: [], cited_event_ids: ['e1'] };

describe('parseModelAnswer', () => {
  it('reads a bare JSON object, or one in a code fence with chatter around it', () => {
    expect(parseModelAnswer(JSON.stringify(VALID))).toEqual({ ok: true, answer: VALID });
    expect(parseModelAnswer(`Here you go:\n\`\`\`json\n${JSON.stringify(VALID)}\n\`\`\`\nHope it helps`)).toEqual({ ok: true, answer: VALID });
  });

  it('tells invalid JSON from a schema mismatch', () => {
    expect(parseModelAnswer('Yes, p1 came in.')).toEqual({ ok: false, problem: 'invalid_json', errors: ['the reply contains no JSON object'] });
    expect(parseModelAnswer('{"answer": "Yes",}')).toMatchObject({ ok: false, problem: 'invalid_json' });
    expect(parseModelAnswer(JSON.stringify({ ...VALID, answer: ' ', cited_event_ids: 'e1' }))).toMatchObject({
      ok: false,
      problem: 'schema_mismatch',
      errors: [expect.stringMatching(/^answer: /), expect.stringMatching(/^cited_event_ids: /)],
    });
  });
});

describe('answerJsonSchema', () => {
  it('requires every field', () => {
    const { name, schema } = answerJsonSchema();
    expect(name).toBe('cited_answer');
    expect(schema).toMatchObject({ type: 'object', required: ['answer', 'timeline', 'missing_info', 'cited_event_ids'] });
  });
});
