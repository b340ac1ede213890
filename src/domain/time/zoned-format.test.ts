import { describe, expect, it } from 'vitest';
import { formatLocalClock, formatLocalDate, localDateTime } from './zoned-format.ts';

describe('zoned formatting', () => {
  it('reads the wall clock of an instant in a zone, midnight as 00 not 24', () => {
    const instant = Date.parse('2026-03-19T16:00:05Z');
    expect(localDateTime(instant, 'Asia/Taipei')).toEqual({ year: 2026, month: 3, day: 20, hour: 0, minute: 0, second: 5 });
    expect(formatLocalDate(instant, 'Asia/Taipei')).toBe('2026-03-20');
    expect(formatLocalClock(instant, 'Asia/Taipei')).toBe('00:00');
    expect(formatLocalClock(instant, 'Asia/Taipei', { seconds: true })).toBe('00:00:05');
    expect(formatLocalDate(instant, 'America/New_York')).toBe('2026-03-19');
  });

  it('follows daylight saving: the same UTC hour reads differently across the change', () => {
    expect(formatLocalClock(Date.parse('2026-03-07T15:00:00Z'), 'America/New_York')).toBe('10:00');
    expect(formatLocalClock(Date.parse('2026-03-09T15:00:00Z'), 'America/New_York')).toBe('11:00');
  });

  it('pads years before 1000 and keeps each zone apart', () => {
    expect(formatLocalDate(Date.parse('0999-01-02T12:00:00Z'), 'UTC')).toBe('0999-01-02');
    const instant = Date.parse('2026-06-01T12:00:00Z');
    expect([formatLocalClock(instant, 'UTC'), formatLocalClock(instant, 'Asia/Tokyo'), formatLocalClock(instant, 'UTC')]).toEqual(['12:00', '21:00', '12:00']);
  });
});
