import { describe, expect, it } from 'vitest';
import { createThinkTagSplitter } from './think-tags.ts';

/** Feeds the deltas one by one and returns what came out of each push (and the flush). */
function run(deltas: string[]): { steps: { thinking: string; text: string }[]; thinking: string; text: string } {
  const splitter = createThinkTagSplitter();
  const steps = deltas.map((delta) => splitter.push(delta));
  steps.push(splitter.flush());
  return { steps, thinking: steps.map((s) => s.thinking).join(''), text: steps.map((s) => s.text).join('') };
}

describe('think tag splitter', () => {
  it('passes text without tags straight through, holding nothing once "<think>" is ruled out', () => {
    const { steps, text, thinking } = run(['Hel', 'lo ', 'world']);
    expect(steps.map((s) => s.text)).toEqual(['Hel', 'lo ', 'world', '']);
    expect(text).toBe('Hello world');
    expect(thinking).toBe('');
  });

  it('splits a leading block into thinking and answer, dropping the blank line after it', () => {
    const { thinking, text } = run(['<think>\nLet me see.', ' Two plus two.</think>\n\nIt is 4.']);
    expect(thinking).toBe('Let me see. Two plus two.');
    expect(text).toBe('It is 4.');
  });

  it('handles tags split across deltas at every position', () => {
    const whole = '<think>reason here</think>\n\nanswer';
    for (let cut = 1; cut < whole.length; cut += 1) {
      for (let cut2 = cut + 1; cut2 <= whole.length; cut2 += 1) {
        const { thinking, text } = run([whole.slice(0, cut), whole.slice(cut, cut2), whole.slice(cut2)]);
        expect({ cut, cut2, thinking, text }).toEqual({ cut, cut2, thinking: 'reason here', text: 'answer' });
      }
    }
  });

  it('one character at a time still streams thinking before the tag closes', () => {
    const splitter = createThinkTagSplitter();
    const out = [...'<think>abc</th'].map((c) => splitter.push(c));
    // "a", "b", "c" came out as they arrived; "</th" is held as a possible closing tag.
    expect(out.map((s) => s.thinking).join('')).toBe('abc');
    expect(splitter.push('ink>x')).toEqual({ thinking: '', text: 'x' });
  });

  it('leaves a <think> that is not at the start in the answer', () => {
    const { thinking, text } = run(['Use the ', '<think>', ' tag</think> like this']);
    expect(thinking).toBe('');
    expect(text).toBe('Use the <think> tag</think> like this');
  });

  it('allows leading whitespace before the opening tag', () => {
    const { thinking, text } = run(['\n ', ' <thi', 'nk>x</think>y']);
    expect(thinking).toBe('x');
    expect(text).toBe('y');
  });

  it('gives back a lone partial "<thi" as text when the stream ends there', () => {
    expect(run(['<thi']).text).toBe('<thi');
  });

  it('an unterminated block (max tokens while reasoning) is all thinking', () => {
    const { thinking, text } = run(['<think>still going</thi']);
    expect(thinking).toBe('still going</thi');
    expect(text).toBe('');
  });

  it('text that starts like the tag but is not it is released at once', () => {
    const splitter = createThinkTagSplitter();
    expect(splitter.push('<thin')).toEqual({ thinking: '', text: '' });
    expect(splitter.push('g>')).toEqual({ thinking: '', text: '<thing>' });
  });
});
