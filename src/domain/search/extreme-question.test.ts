import { describe, expect, it } from 'vitest';
import { pickExtreme, readExtreme } from './extreme-question.ts';

describe('readExtreme', () => {
  it.each([
    ['who was the earliest to come in', 'earliest', 'the earliest'],
    ['the first car', 'earliest', 'the first'],
    ['the last person to leave', 'latest', 'the last'],
    ['who stayed the longest', 'longest', 'stayed the longest'],
    ['the shortest stay', 'shortest', 'the shortest stay'],
    ['最晚进来的人', 'latest', '最晚'],
    ['第一个越线的人', 'earliest', '第一个'],
    ['停留最久的人', 'longest', '最久'],
  ] as const)('%j asks for the %s', (text, extreme, read) => {
    expect(readExtreme(text)).toEqual({ extreme, text: read });
  });

  it.each(['at least 2 minutes', 'who came in', '有人进来吗', 'the first floor', 'the last 5 people', 'in the last 90 seconds'])('%j asks for no end', (text) => {
    expect(readExtreme(text)).toBeUndefined();
  });
});

describe('pickExtreme', () => {
  const ev = (id: string, startMs: number, stays: number[]) => ({ id, startMs, endMs: startMs + 1000, actors: stays.map((s, i) => ({ trackId: `p${i}`, label: 'person', family: 'person' as const, staySeconds: s })) });
  const events = [ev('b', 20, [40, 90]), ev('a', 10, [30]), ev('c', 30, [5]), ev('d', 10, [200])];

  it("picks by start time, ties to the smaller id, and by anyone's own stay", () => {
    expect(pickExtreme(events, 'earliest')?.id).toBe('a');
    expect(pickExtreme(events, 'latest')?.id).toBe('c');
    expect(pickExtreme(events, 'longest')?.id).toBe('d');
    expect(pickExtreme(events, 'shortest')?.id).toBe('c');
    expect(pickExtreme([], 'earliest')).toBeUndefined();
  });
});
