/** Civil-date arithmetic in an IANA zone: dates are plain y/m/d, instants come from zonedTimeToEpochMs. */
import { zonedTimeToEpochMs } from '../source-time.ts';
import { localDateTime } from './zoned-format.ts';

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalNow {
  ms: number;
  timeZone: string;
  date: CivilDate;
  minuteOfDay: number;
  second: number;
}

export const DAY_MINUTES = 1440;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export function localNow(nowMs: number, timeZone: string): LocalNow {
  const p = localDateTime(nowMs, timeZone);
  return {
    ms: nowMs,
    timeZone,
    date: { year: p.year, month: p.month, day: p.day },
    minuteOfDay: p.hour * 60 + p.minute,
    second: p.second,
  };
}

export function addDays(d: CivilDate, days: number): CivilDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Same day of month `months` later, clamped to the month's last day (Mar 31 - 1 month = Feb 28). */
export function addMonths(d: CivilDate, months: number): CivilDate {
  const first = new Date(Date.UTC(d.year, d.month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return { year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: Math.min(d.day, lastDay) };
}

/** 0 = Sunday. */
export function dayOfWeek(d: CivilDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

/** Weeks start on Monday (ISO 8601, and the calendars of Taiwan and China). */
export function mondayOf(d: CivilDate): CivilDate {
  return addDays(d, -((dayOfWeek(d) + 6) % 7));
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** The instant the zone's clocks show `minuteOfDay` minutes after midnight of `d` (may run past 24:00). */
export function wallToMs(d: CivilDate, minuteOfDay: number, timeZone: string, second = 0): number {
  const days = Math.floor(minuteOfDay / DAY_MINUTES);
  const rest = minuteOfDay - days * DAY_MINUTES;
  const date = addDays(d, days);
  return zonedTimeToEpochMs({ ...date, hour: Math.floor(rest / 60), minute: rest % 60, second }, timeZone);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "21:40", or "21:40:30" for a minute with a fraction (seconds). */
export function formatMinutes(minuteOfDay: number): string {
  const totalSeconds = Math.round((((minuteOfDay % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES) * 60);
  const m = Math.floor(totalSeconds / 60);
  const second = totalSeconds % 60;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}${second ? `:${pad(second)}` : ''}`;
}
