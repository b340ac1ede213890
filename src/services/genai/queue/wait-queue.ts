export type QueuePriority = 'interactive' | 'background';

export const PRIORITIES: readonly QueuePriority[] = ['interactive', 'background'];

export interface QueuedItem {
  /** Order of first arrival; a retry comes back with its old number and so keeps its place. */
  readonly seq: number;
  readonly priority: QueuePriority;
}

/** Strict priority between lanes, FIFO (by arrival number) within one. */
export class PriorityWaitQueue<T extends QueuedItem> {
  readonly #lanes: Record<QueuePriority, T[]> = { interactive: [], background: [] };

  get size(): number {
    return this.#lanes.interactive.length + this.#lanes.background.length;
  }

  sizeOf(priority: QueuePriority): number {
    return this.#lanes[priority].length;
  }

  push(item: T): void {
    const lane = this.#lanes[item.priority];
    let at = lane.length;
    while (at > 0 && (lane[at - 1]?.seq ?? -Infinity) > item.seq) at--;
    lane.splice(at, 0, item);
  }

  shift(): T | undefined {
    for (const priority of PRIORITIES) {
      const item = this.#lanes[priority].shift();
      if (item) return item;
    }
    return undefined;
  }

  /** The most recent arrival of a lane, taken out. */
  popNewest(priority: QueuePriority): T | undefined {
    return this.#lanes[priority].pop();
  }

  remove(item: T): boolean {
    const lane = this.#lanes[item.priority];
    const at = lane.indexOf(item);
    if (at < 0) return false;
    lane.splice(at, 1);
    return true;
  }

  drain(): T[] {
    const all = [...this.#lanes.interactive, ...this.#lanes.background];
    this.#lanes.interactive = [];
    this.#lanes.background = [];
    return all;
  }
}
