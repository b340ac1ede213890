/**
 * A bounded hand-off between a producer that must never wait (a live camera: frames keep
 * coming whether or not detection keeps up) and a consumer that takes them at its own pace.
 * When full, the oldest item is dropped and counted: memory stays bounded and the consumer
 * always works on the most recent frames.
 */
export class DropOldestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private closed = false;
  private droppedCount = 0;

  constructor(
    private readonly capacity: number,
    private readonly onDrop: (item: T) => void = () => {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Adds an item (dropping the oldest when full); ignored once closed. */
  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiting;
    if (waiter) {
      this.waiting = undefined;
      waiter({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      const oldest = this.items.shift() as T;
      this.droppedCount++;
      this.onDrop(oldest);
    }
    this.items.push(item);
  }

  /** No more items: the consumer still gets what is queued, then the end. */
  close(): void {
    this.closed = true;
    const waiter = this.waiting;
    this.waiting = undefined;
    waiter?.({ value: undefined, done: true });
  }

  get depth(): number {
    return this.items.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.closed) return;
      if (this.waiting) throw new Error('DropOldestQueue has one consumer at a time');
      const next = await new Promise<IteratorResult<T>>((resolve) => {
        this.waiting = resolve;
      });
      if (next.done) return;
      yield next.value;
    }
  }
}
