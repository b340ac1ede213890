import { describe, expect, it } from 'vitest';
import { fuseRankings } from './rank-fusion.ts';

const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);

describe('fuseRankings', () => {
  it('sums 1 / (k + rank) over the lists', () => {
    const fused = fuseRankings([
      ['a', 'b', 'c'],
      ['c', 'a'],
    ]);
    expect(fused).toEqual([
      { id: 'a', score: 1 / 61 + 1 / 62 },
      { id: 'c', score: 1 / 63 + 1 / 61 },
      { id: 'b', score: 1 / 62 },
    ]);
  });

  it('puts an item both lists agree on above the top of either', () => {
    expect(ids(fuseRankings([['kw1', 'both', 'kw3'], ['vec1', 'both']]))[0]).toBe('both');
  });

  it('breaks ties by first appearance, reading the lists in order', () => {
    // x and y: rank 1 in one list each; then p and q: rank 2 in one list each.
    expect(ids(fuseRankings([['x', 'p'], ['y', 'q']]))).toEqual(['x', 'y', 'p', 'q']);
    expect(ids(fuseRankings([['y', 'q'], ['x', 'p']]))).toEqual(['y', 'x', 'q', 'p']);
  });

  it('is deterministic and leaves its input alone', () => {
    const lists = [['c', 'b', 'a'], ['a', 'd'], []];
    const copy = structuredClone(lists);
    expect(fuseRankings(lists)).toEqual(fuseRankings(lists));
    expect(lists).toEqual(copy);
  });

  it('counts an id repeated within a list at its best rank only', () => {
    expect(fuseRankings([['a', 'a', 'b']])).toEqual([
      { id: 'a', score: 1 / 61 },
      { id: 'b', score: 1 / 63 },
    ]);
  });

  it('weights lists, and a smaller k favours the top ranks more', () => {
    const lists = [['kw'], ['other', 'x', 'kw']];
    expect(ids(fuseRankings(lists, { weights: [1, 1] }))[0]).toBe('kw');
    expect(ids(fuseRankings(lists, { weights: [0.01, 1] }))[0]).toBe('other');
    expect(fuseRankings([['a']], { k: 1 })).toEqual([{ id: 'a', score: 0.5 }]);
    expect(fuseRankings([['a'], ['b']], { weights: [0, 1] })).toEqual([
      { id: 'b', score: 1 / 61 },
      { id: 'a', score: 0 },
    ]);
  });

  it('gives nothing for no lists, and refuses bad options', () => {
    expect(fuseRankings([])).toEqual([]);
    expect(() => fuseRankings([['a']], { k: 0 })).toThrow(RangeError);
    expect(() => fuseRankings([['a']], { weights: [1, 1] })).toThrow(/2 weights for 1 lists/);
    expect(() => fuseRankings([['a']], { weights: [-1] })).toThrow(RangeError);
  });
});
