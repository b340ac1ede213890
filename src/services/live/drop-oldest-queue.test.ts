import { describe, expect, it } from 'vitest';
import { DropOldestQueue } from './drop-oldest-queue.ts';

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe('DropOldestQueue', () => {
  it('keeps the newest items when the consumer is slow, and counts what it dropped', async () => {
    const dropped: number[] = [];
    const queue = new DropOldestQueue<number>(3, (n) => dropped.push(n));
    for (let i = 1; i <= 10; i++) queue.push(i);
    expect(queue.depth).toBe(3);
    expect(queue.dropped).toBe(7);
    expect(dropped).toEqual([1, 2, 3, 4, 5, 6, 7]);
    queue.close();
    const rest: number[] = [];
    for await (const n of queue) rest.push(n);
    expect(rest).toEqual([8, 9, 10]);
  });

  it('hands an item straight to a waiting consumer, in order, without dropping', async () => {
    const queue = new DropOldestQueue<string>(1);
    const iterator = queue[Symbol.asyncIterator]();
    const first = iterator.next();
    queue.push('a');
    expect(await first).toEqual({ value: 'a', done: false });
    queue.push('b');
    expect(await take(iterator, 1)).toEqual(['b']);
    expect(queue.dropped).toBe(0);
  });

  it('ends a waiting consumer on close and ignores later pushes', async () => {
    const queue = new DropOldestQueue<number>(2);
    const iterator = queue[Symbol.asyncIterator]();
    const pending = iterator.next();
    queue.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(queue.depth).toBe(0);
  });

  it('stays bounded under a long burst', () => {
    const queue = new DropOldestQueue<Uint8Array>(4);
    for (let i = 0; i < 100_000; i++) queue.push(new Uint8Array(16));
    expect(queue.depth).toBe(4);
    expect(queue.dropped).toBe(99_996);
  });

  it('rejects a capacity that could not hold a frame', () => {
    expect(() => new DropOldestQueue(0)).toThrow(RangeError);
  });
});
