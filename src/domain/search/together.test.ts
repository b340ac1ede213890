import { describe, expect, it } from 'vitest';
import { readTogether } from './together.ts';

describe('readTogether', () => {
  it.each([
    ['were several people there together', 2, ['together', 'several']],
    ['有人一起徘徊吗', 2, ['一起']],
    ['三个人一起进来', 3, ['一起']],
    ['a group of 3 at the gate', 3, ['a group of 3']],
    ['more than one person loitering', 2, ['more than one person']],
  ] as const)('%j: at least %d', (text, minActors, read) => {
    expect(readTogether(text)).toEqual({ minActors, read });
  });

  it.each(['3 people', '两个人', 'who came in', 'person loitering'])('%j does not ask for people together', (text) => {
    expect(readTogether(text)).toBeUndefined();
  });
});
