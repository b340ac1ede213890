import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../ports/analysis-store.ts';
import { beginsOrEnds, CommitBatch } from './frame-pipeline.ts';

const state = (id: string, endMs: number, status: 'open' | 'closed' = 'open'): StoredEvent => ({ runId: 1, thumbnails: {}, event: { id, endMs, status } as StoredEvent['event'] });

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

describe('beginsOrEnds', () => {
  it('asks for an immediate commit when an event is new or closes, not while a stored one grows', () => {
    const stored = new Set(['a']);
    expect(beginsOrEnds([state('a', 1000)], stored)).toBe(false);
    expect(beginsOrEnds([], stored)).toBe(false);
    expect(beginsOrEnds([state('a', 1000), state('b', 1000)], stored)).toBe(true);
    expect(beginsOrEnds([state('a', 1200, 'closed')], stored)).toBe(true);
  });
});
