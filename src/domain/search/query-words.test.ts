import { describe, expect, it } from 'vitest';
import { preferLongerWords } from './query-words.ts';

describe('preferLongerWords', () => {
  it('drops one-character Chinese words next to longer words', () => {
    expect(preferLongerWords([['穿'], ['红色'], ['外套']])).toEqual([['红色'], ['外套']]);
    expect(preferLongerWords([['车'], ['white']])).toEqual([['white']]);
  });

  it('keeps them when nothing longer is asked', () => {
    expect(preferLongerWords([['车']])).toEqual([['车']]);
    expect(preferLongerWords([['白'], ['车']])).toEqual([['白'], ['车']]);
  });

  it('leaves Latin words and groups of alternatives alone', () => {
    expect(preferLongerWords([['a'], ['van']])).toEqual([['a'], ['van']]);
    expect(preferLongerWords([['后门', '后', '门'], ['人']])).toEqual([['后门', '后', '门']]);
  });
});
