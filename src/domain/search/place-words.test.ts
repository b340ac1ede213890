import { describe, expect, it } from 'vitest';
import { placeWordsIn } from './place-words.ts';

describe('placeWordsIn', () => {
  it.each([
    ['anyone at the back door', ['back door']],
    ['loading dock line', ['loading dock']],
    ['who came through the gates', ['gates']],
    ['有人在后门吗', ['后门']],
    ['停车场和大厅', ['停车场', '大厅']],
  ])('%j names %j', (text, places) => {
    expect(placeWordsIn(text)).toEqual(places);
  });

  it.each(['red jacket', 'person loitering', 'white van', '穿红色外套的人', 'doorbell', 'a lot of people', 'did someone lift the barrier'])('%j names no place', (text) => {
    expect(placeWordsIn(text)).toEqual([]);
  });
});
