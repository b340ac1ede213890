import { describe, expect, it } from 'vitest';
import { zonedTimeToEpochMs } from '../source-time.ts';
import { formatInstant, formatTimeRange } from './format-range.ts';

const TAIPEI = 'Asia/Taipei';
const PARIS = 'Europe/Paris';
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, tz = TAIPEI) =>
  zonedTimeToEpochMs({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, tz);

describe('formatTimeRange', () => {
  it.each([
    ['a whole day is its date', at(2026, 3, 20), at(2026, 3, 21), '2026-03-20'],
    ['whole days name their first and last day', at(2026, 3, 9), at(2026, 3, 16), '2026-03-09 – 2026-03-15'],
    ['a range within a day', at(2026, 3, 20, 21, 40), at(2026, 3, 20, 22, 40), '2026-03-20 21:40–22:40'],
    ['a range to the next midnight ends at 24:00', at(2026, 3, 20, 18), at(2026, 3, 21), '2026-03-20 18:00–24:00'],
    ['a range across midnight names both days', at(2026, 3, 18, 18), at(2026, 3, 19, 6), '2026-03-18 18:00 – 2026-03-19 06:00'],
    ['seconds where a bound has them', at(2026, 3, 20, 21, 40, 30), at(2026, 3, 20, 23), '2026-03-20 21:40:30–23:00:00'],
  ])('%s', (_, from, to, text) => {
    expect(formatTimeRange(from, to, TAIPEI)).toBe(text);
  });

  it('reads midnight on the clocks of the zone, also on a 23-hour day', () => {
    // 2026-03-29: Paris springs forward; the day is still one date.
    expect(formatTimeRange(at(2026, 3, 29, 0, 0, 0, PARIS), at(2026, 3, 30, 0, 0, 0, PARIS), PARIS)).toBe('2026-03-29');
    expect(formatTimeRange(at(2026, 3, 29, 0, 0, 0, PARIS), at(2026, 3, 30, 0, 0, 0, PARIS), TAIPEI)).toBe('2026-03-29 07:00 – 2026-03-30 06:00');
  });
});

describe('formatInstant', () => {
  it('gives the date and the clock, seconds only when there are some', () => {
    expect(formatInstant(at(2026, 3, 20, 22, 35), TAIPEI)).toBe('2026-03-20 22:35');
    expect(formatInstant(at(2026, 3, 20, 22, 35, 7), TAIPEI)).toBe('2026-03-20 22:35:07');
  });
});
