import { describe, expect, it } from 'vitest';
import {
  isValidTimeZone,
  parseTimestampFromFileName,
  resolveStartTime,
  timeZoneOffsetMs,
  zonedTimeToEpochMs,
} from './source-time.ts';
import type { LocalDateTime } from './time/zoned-format.ts';

const local = (year: number, month: number, day: number, hour: number, minute: number, second: number): LocalDateTime => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});

const HOUR = 3_600_000;
const at2205 = local(2024, 5, 1, 22, 5, 0);

describe('parseTimestampFromFileName', () => {
  it.each([
    ['cam_2024-05-01_22-05-00.mp4'],
    ['2024-05-01T22:05:00.mp4'],
    ['front 2024-05-01 22.05.00.mkv'],
    ['20240501_220500.mkv'],
    ['20240501-220500.mp4'],
    ['20240501220500.mp4'],
    ['back-20240501T220500.mp4'],
    ['/recordings/driveway/back-20240501T220500.mp4'],
  ])('reads 2024-05-01 22:05:00 from %s', (name) => {
    expect(parseTimestampFromFileName(name)).toEqual(at2205);
  });

  it('reads every field, not just a fixed date', () => {
    expect(parseTimestampFromFileName('porch_1999-12-31_23-59-58.mp4')).toEqual(local(1999, 12, 31, 23, 59, 58));
    expect(parseTimestampFromFileName('20240229_000001.mp4')).toEqual(local(2024, 2, 29, 0, 0, 1));
  });

  it.each([
    ['2024-02-30_22-05-00.mp4', 'February 30th'],
    ['20240230_220500.mp4', 'February 30th, compact'],
    ['20230229_220500.mp4', 'February 29th of a non-leap year'],
    ['2024-05-01_25-05-00.mp4', 'hour 25'],
    ['20240501_250500.mp4', 'hour 25, compact'],
    ['2024-05-01_22-60-00.mp4', 'minute 60'],
    ['2024-05-01_22-05-60.mp4', 'second 60'],
    ['2024-13-01_22-05-00.mp4', 'month 13'],
    ['2024-00-01_22-05-00.mp4', 'month 0'],
    ['2024-05-00_22-05-00.mp4', 'day 0'],
    ['1969-12-31_23-59-59.mp4', 'a year before 1970'],
  ])('rejects %s (%s)', (name) => {
    expect(parseTimestampFromFileName(name)).toBeUndefined();
  });

  it.each([['clip.mp4'], ['camera-7.mkv'], [''], ['2024-05-01.mp4'], ['22-05-00.mp4'], ['20240501.mp4']])(
    'finds nothing in %j',
    (name) => {
      expect(parseTimestampFromFileName(name)).toBeUndefined();
    },
  );

  it.each([
    ['120240501220500.mp4', '15 digits'],
    ['202405012205001.mp4', '15 digits, extra at the end'],
    ['id9920240501_220500.mp4', 'date glued to more digits'],
    ['20240501_2205001.mp4', 'time glued to more digits'],
    ['12024-05-01_22-05-00.mp4', 'separated form preceded by a digit'],
    ['2024-05-01_22-05-001.mp4', 'separated form followed by a digit'],
  ])('does not match digits inside a longer run: %s (%s)', (name) => {
    expect(parseTimestampFromFileName(name)).toBeUndefined();
  });
});

describe('timeZoneOffsetMs', () => {
  it('is 0 for UTC', () => {
    expect(timeZoneOffsetMs(Date.UTC(2024, 4, 1, 12), 'UTC')).toBe(0);
  });

  it('is +8 h for Asia/Taipei all year', () => {
    expect(timeZoneOffsetMs(Date.UTC(2024, 0, 15, 12), 'Asia/Taipei')).toBe(8 * HOUR);
    expect(timeZoneOffsetMs(Date.UTC(2024, 6, 15, 12), 'Asia/Taipei')).toBe(8 * HOUR);
  });

  it('follows DST for Europe/Paris and America/New_York', () => {
    expect(timeZoneOffsetMs(Date.UTC(2024, 0, 15, 12), 'Europe/Paris')).toBe(1 * HOUR);
    expect(timeZoneOffsetMs(Date.UTC(2024, 6, 15, 12), 'Europe/Paris')).toBe(2 * HOUR);
    expect(timeZoneOffsetMs(Date.UTC(2024, 0, 15, 12), 'America/New_York')).toBe(-5 * HOUR);
    expect(timeZoneOffsetMs(Date.UTC(2024, 6, 15, 12), 'America/New_York')).toBe(-4 * HOUR);
  });

  it('changes exactly at the transition instant (Paris, 2024-03-31 01:00 UTC)', () => {
    expect(timeZoneOffsetMs(Date.UTC(2024, 2, 31, 0, 59, 59), 'Europe/Paris')).toBe(1 * HOUR);
    expect(timeZoneOffsetMs(Date.UTC(2024, 2, 31, 1, 0, 0), 'Europe/Paris')).toBe(2 * HOUR);
  });

  it('ignores sub-second parts of the instant', () => {
    expect(timeZoneOffsetMs(Date.UTC(2024, 0, 15, 12) + 999, 'Asia/Taipei')).toBe(8 * HOUR);
  });

  it('handles local midnight (h23, never hour 24)', () => {
    expect(timeZoneOffsetMs(Date.UTC(2024, 4, 1, 16), 'Asia/Taipei')).toBe(8 * HOUR);
  });
});

describe('zonedTimeToEpochMs', () => {
  it('treats the local time as UTC in UTC', () => {
    expect(zonedTimeToEpochMs(at2205, 'UTC')).toBe(Date.UTC(2024, 4, 1, 22, 5, 0));
  });

  it('subtracts 8 h in Asia/Taipei', () => {
    expect(zonedTimeToEpochMs(at2205, 'Asia/Taipei')).toBe(Date.UTC(2024, 4, 1, 14, 5, 0));
    // Across midnight: 02:30 local on 1 January is 18:30 UTC on 31 December.
    expect(zonedTimeToEpochMs(local(2024, 1, 1, 2, 30, 0), 'Asia/Taipei')).toBe(Date.UTC(2023, 11, 31, 18, 30, 0));
  });

  it('subtracts 1 h in Europe/Paris in winter', () => {
    expect(zonedTimeToEpochMs(local(2024, 1, 15, 12, 0, 0), 'Europe/Paris')).toBe(Date.UTC(2024, 0, 15, 11, 0, 0));
  });

  it('subtracts 2 h in Europe/Paris in summer', () => {
    expect(zonedTimeToEpochMs(local(2024, 7, 15, 12, 0, 0), 'Europe/Paris')).toBe(Date.UTC(2024, 6, 15, 10, 0, 0));
  });

  it('adds 5 h in America/New_York in winter and 4 h in summer', () => {
    expect(zonedTimeToEpochMs(local(2024, 1, 15, 12, 0, 0), 'America/New_York')).toBe(Date.UTC(2024, 0, 15, 17, 0, 0));
    expect(zonedTimeToEpochMs(local(2024, 7, 15, 12, 0, 0), 'America/New_York')).toBe(Date.UTC(2024, 6, 15, 16, 0, 0));
  });

  it('handles the hour just after the spring-forward gap (Paris 2024-03-31 03:30 CEST)', () => {
    expect(zonedTimeToEpochMs(local(2024, 3, 31, 3, 30, 0), 'Europe/Paris')).toBe(Date.UTC(2024, 2, 31, 1, 30, 0));
  });

  it('picks the earlier instant of a repeated hour west of Greenwich (New York 2024-11-03 01:30)', () => {
    // 01:30 EDT (05:30 UTC) and 01:30 EST (06:30 UTC) both exist.
    expect(zonedTimeToEpochMs(local(2024, 11, 3, 1, 30, 0), 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 5, 30, 0));
  });

  it('handles the hour just before the spring-forward gap (Paris 2024-03-31 01:30 CET)', () => {
    expect(zonedTimeToEpochMs(local(2024, 3, 31, 1, 30, 0), 'Europe/Paris')).toBe(Date.UTC(2024, 2, 31, 0, 30, 0));
  });

  it('handles the hour just after the fall-back overlap (New York 2024-11-03 02:30 EST)', () => {
    expect(zonedTimeToEpochMs(local(2024, 11, 3, 2, 30, 0), 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 7, 30, 0));
  });

  it('reads a skipped hour with the offset before the jump (New York 2024-03-10 02:30 -> 03:30 EDT)', () => {
    expect(zonedTimeToEpochMs(local(2024, 3, 10, 2, 30, 0), 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 7, 30, 0));
  });

  it('picks the earlier instant of a repeated hour east of Greenwich (Paris 2024-10-27 02:30)', () => {
    expect(zonedTimeToEpochMs(local(2024, 10, 27, 2, 30, 0), 'Europe/Paris')).toBe(Date.UTC(2024, 9, 27, 0, 30, 0));
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and UTC, rejects made-up names', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Asia/Taipei')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('resolveStartTime', () => {
  const nowMs = Date.UTC(2024, 5, 1, 12, 0, 0);
  const configuredStartMs = Date.UTC(2024, 0, 1, 0, 0, 0);
  const mtimeMs = Date.UTC(2024, 4, 2, 8, 0, 0);
  const fileName = 'cam_2024-05-01_22-05-00.mp4';

  it('uses the wall clock for a stream, whatever else is known', () => {
    expect(
      resolveStartTime({ kind: 'stream', configuredStartMs, fileName, mtimeMs, durationSeconds: 60, timeZone: 'UTC', nowMs }),
    ).toEqual({ startMs: nowMs, source: 'wall_clock' });
  });

  it('prefers the configured start over the file name and mtime', () => {
    expect(
      resolveStartTime({ kind: 'file', configuredStartMs, fileName, mtimeMs, durationSeconds: 60, timeZone: 'UTC', nowMs }),
    ).toEqual({ startMs: configuredStartMs, source: 'config' });
  });

  it('treats a configured start of 0 (the epoch) as configured', () => {
    expect(resolveStartTime({ kind: 'file', configuredStartMs: 0, fileName, timeZone: 'UTC', nowMs })).toEqual({
      startMs: 0,
      source: 'config',
    });
  });

  it('prefers the file name over the mtime, read in the camera time zone', () => {
    expect(resolveStartTime({ kind: 'file', fileName, mtimeMs, durationSeconds: 60, timeZone: 'Asia/Taipei', nowMs })).toEqual({
      startMs: Date.UTC(2024, 4, 1, 14, 5, 0),
      source: 'file_name',
    });
    expect(resolveStartTime({ kind: 'file', fileName, mtimeMs, timeZone: 'UTC', nowMs })).toEqual({
      startMs: Date.UTC(2024, 4, 1, 22, 5, 0),
      source: 'file_name',
    });
  });

  it('falls back to mtime minus the duration when the name has no valid timestamp', () => {
    expect(
      resolveStartTime({ kind: 'file', fileName: 'clip.mp4', mtimeMs, durationSeconds: 79.5, timeZone: 'UTC', nowMs }),
    ).toEqual({ startMs: mtimeMs - 79_500, source: 'file_mtime' });
    expect(
      resolveStartTime({ kind: 'file', fileName: '2024-02-30_22-05-00.mp4', mtimeMs, durationSeconds: 10, timeZone: 'UTC', nowMs }),
    ).toEqual({ startMs: mtimeMs - 10_000, source: 'file_mtime' });
  });

  it('rounds mtime minus duration to whole milliseconds', () => {
    expect(
      resolveStartTime({ kind: 'file', fileName: 'clip.mp4', mtimeMs: 1000.4, durationSeconds: 0.0001, timeZone: 'UTC', nowMs }),
    ).toEqual({ startMs: 1000, source: 'file_mtime' });
  });

  it('uses the mtime itself when the duration is unknown', () => {
    expect(resolveStartTime({ kind: 'file', mtimeMs, timeZone: 'UTC', nowMs })).toEqual({ startMs: mtimeMs, source: 'file_mtime' });
  });

  it('falls back to the wall clock when nothing is known', () => {
    expect(resolveStartTime({ kind: 'file', timeZone: 'UTC', nowMs })).toEqual({ startMs: nowMs, source: 'wall_clock' });
    expect(resolveStartTime({ kind: 'file', fileName: 'clip.mp4', durationSeconds: 30, timeZone: 'UTC', nowMs })).toEqual({
      startMs: nowMs,
      source: 'wall_clock',
    });
  });
});
