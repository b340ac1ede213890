import { describe, expect, it } from 'vitest';
import { withHeartbeat } from './sse-response.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withHeartbeat', () => {
  it('puts heartbeats into silences without losing or reordering a chunk', async () => {
    async function* slow(): AsyncGenerator<string> {
      yield 'a';
      await sleep(70);
      yield 'b';
      yield 'c';
    }
    const out: string[] = [];
    for await (const chunk of withHeartbeat(slow(), 'HB', 30)) out.push(chunk);
    expect(out.filter((c) => c !== 'HB')).toEqual(['a', 'b', 'c']);
    expect(out.filter((c) => c === 'HB').length).toBeGreaterThanOrEqual(1);
    expect(out.indexOf('HB')).toBeGreaterThan(out.indexOf('a'));
    expect(out.indexOf('HB')).toBeLessThan(out.indexOf('b'));
  });

  it('sends none while chunks keep coming, and closes the source when its reader stops', async () => {
    let closed = false;
    async function* quick(): AsyncGenerator<string> {
      try {
        for (let i = 0; i < 5; i++) yield String(i);
        await sleep(10_000);
      } finally {
        closed = true;
      }
    }
    const out: string[] = [];
    for await (const chunk of withHeartbeat(quick(), 'HB', 1000)) {
      out.push(chunk);
      if (out.length === 5) break;
    }
    expect(out).toEqual(['0', '1', '2', '3', '4']);
    expect(closed).toBe(true);
  });
});
