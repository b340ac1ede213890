import { describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS, createLineSplitter, sseEvents, textLines } from './stream-lines.ts';

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const tooLong = () => new Error('too long');

describe('line splitter', () => {
  it('keeps a partial line until its newline and strips \\r\\n', () => {
    const splitter = createLineSplitter();
    expect(splitter.push('{"a":1}\r\n{"b"')).toEqual(['{"a":1}']);
    expect(splitter.pending).toBe(4);
    expect(splitter.push(':2}\n\n{"c":3}')).toEqual(['{"b":2}', '']);
    expect(splitter.flush()).toBe('{"c":3}');
    expect(splitter.flush()).toBe('');
  });
});

describe('textLines', () => {
  it('yields non-blank lines across chunk boundaries, including a last line without newline', async () => {
    expect(await all(textLines(chunks('a\nb', 'c\n\n', 'd'), tooLong))).toEqual(['a', 'bc', 'd']);
  });

  it('refuses a line that never ends', async () => {
    const huge = 'x'.repeat(MAX_RECORD_CHARS + 1);
    await expect(all(textLines(chunks(huge), tooLong))).rejects.toThrow('too long');
  });
});

describe('sseEvents', () => {
  it('parses data events split anywhere, skipping comments, and drops an event cut off at the end', async () => {
    const body = ': keep-alive\n\ndata: {"x":1}\n\nevent: error\ndata: {"error":"boom"}\n\ndata: [DONE]\n\ndata: cut';
    for (let cut = 1; cut < body.length; cut += 7) {
      const events = await all(sseEvents(chunks(body.slice(0, cut), body.slice(cut)), tooLong));
      expect(events.map((e) => [e.event, e.data])).toEqual([
        [undefined, '{"x":1}'],
        ['error', '{"error":"boom"}'],
        [undefined, '[DONE]'],
      ]);
    }
  });
});
