import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../ports/analysis-store.ts';
import { CommitBatch } from './frame-pipeline.ts';

const state = (id: string, endMs: number): StoredEvent => ({ runId: 1, thumbnails: {}, event: { id, endMs } as StoredEvent['event'] });

describe('CommitBatch', () => {
  it("keeps each event's latest state, timed from the first frame in the batch that changed it", () => {
    const batch = new CommitBatch();
    batch.add({ tracks: [], events: [state('a', 1000)] }, 1000);
    batch.add({ tracks: [], events: [state('a', 1200), state('b', 1200)] }, 1200);
    batch.add({ tracks: [], events: [state('a', 1400)] }, 1400);
    expect([...batch.events.entries()].map(([id, e]) => [id, e.stored.event.endMs, e.frameMs])).toEqual([
      ['a', 1400, 1000],
      ['b', 1200, 1200],
    ]);
  });
});
