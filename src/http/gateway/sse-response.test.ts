import { describe, expect, it } from 'vitest';
import { sseResponse } from './sse-response.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readAll(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

describe('sseResponse', () => {
  it('puts heartbeats into silences between events, never inside or out of order', async () => {
    async function* slow(): AsyncGenerator<string> {
      yield 'data: a\n\n';
      await sleep(90);
      yield 'data: b\n\n';
      yield 'data: c\n\n';
    }
    const text = await readAll(sseResponse(slow(), () => {}, { text: ': hb\n\n', everyMs: 30 }));
    const parts = text.split('\n\n').filter(Boolean);
    expect(parts.filter((p) => p !== ': hb')).toEqual(['data: a', 'data: b', 'data: c']);
    const beats = parts.map((p, i) => (p === ': hb' ? i : -1)).filter((i) => i >= 0);
    expect(beats.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...beats)).toBeGreaterThan(parts.indexOf('data: a'));
    expect(Math.max(...beats)).toBeLessThan(parts.indexOf('data: b'));
  });

  it('sends none while events keep coming, and tells the source when the client goes away', async () => {
    let cancelled = false;
    let closed = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          yield `data: ${i}\n\n`;
          await sleep(1);
        }
      } finally {
        closed = true;
      }
    }
    const response = sseResponse(endless(), () => (cancelled = true), { text: ': hb\n\n', everyMs: 1000 });
    const reader = response.body!.getReader();
    let text = '';
    while (text.split('\n\n').length < 6) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    await sleep(10);
    expect(text).not.toContain(': hb');
    expect(cancelled).toBe(true);
    expect(closed).toBe(true);
  });
});

describe('sseResponse and a client that stops reading without leaving', () => {
  it('drops it after stalledMs, so that the backend request and its slot are freed', async () => {
    let cancelled = false;
    let closed = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) yield `data: ${'x'.repeat(1000)} ${i}\n\n`;
      } finally {
        closed = true;
      }
    }
    const response = sseResponse(endless(), () => (cancelled = true), { text: ': hb\n\n', everyMs: 20, stalledMs: 80 });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    // The reader now holds still.
    await sleep(250);
    expect(cancelled).toBe(true);
    expect(closed).toBe(true);
  });

  it('keeps a slow but reading client', async () => {
    let cancelled = false;
    async function* few(): AsyncGenerator<string> {
      for (let i = 0; i < 4; i++) yield `data: ${i}\n\n`;
    }
    const response = sseResponse(few(), () => (cancelled = true), { text: ': hb\n\n', everyMs: 1000, stalledMs: 100 });
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      await sleep(60);
    }
    expect(text.match(/data: /g)).toHaveLength(4);
    expect(cancelled).toBe(false);
  });
});
