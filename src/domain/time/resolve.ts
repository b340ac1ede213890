/** Turns the merged tokens of one phrase into an instant range, applying the rules in parse-time-range.ts. */
import {
  DAY_MINUTES,
  HOUR_MS,
  MINUTE_MS,
  addDays,
  addMonths,
  compareDates,
  dayOfWeek,
  formatMinutes,
  isValidDate,
  mondayOf,
  wallToMs,
  type CivilDate,
  type LocalNow,
} from './calendar.ts';
import { formatTimeRange as formatRange } from './format-range.ts';
import type { ClockPoint, DaySpec, PartOfDay, SpanSpec, TokenFields } from './types.ts';

export interface Reading {
  fromMs: number;
  toMs: number;
  notes: string[];
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const JUST_NOW_MINUTES = 15;
/** "N ago" is a window around that instant: half as wide as N on each side, between ±5 and ±30 minutes. */
const AGO_MIN_HALF_MS = 5 * MINUTE_MS;
const AGO_MAX_HALF_MS = 30 * MINUTE_MS;

interface DatePlan {
  dates: CivilDate[];
  /** Choose the latest candidate that has begun, rather than the only one. */
  latestStarted: boolean;
  dayGiven: boolean;
  reasons: string[];
}

const fixed = (date: CivilDate, reasons: string[] = []): DatePlan => ({ dates: [date], latestStarted: false, dayGiven: true, reasons });

function planDates(day: DaySpec | undefined, today: CivilDate): DatePlan {
  if (!day) {
    const dates = [today, addDays(today, -1), addDays(today, -2)];
    return { dates, latestStarted: true, dayGiven: false, reasons: ['no day given, so the most recent one that has begun'] };
  }
  if (day.kind === 'offset') return fixed(addDays(today, day.days));
  if (day.kind === 'date') {
    if (day.year !== undefined) return fixed({ year: day.year, month: day.month, day: day.day });
    for (let year = today.year; year > today.year - 8; year--) {
      const date = { year, month: day.month, day: day.day };
      if (isValidDate(year, day.month, day.day) && compareDates(date, today) <= 0) {
        return fixed(date, year === today.year ? [] : ['no year given, so the most recent such date']);
      }
    }
    return fixed({ year: today.year, month: day.month, day: day.day });
  }
  if (day.kind === 'monthDay') {
    // This month's if it has begun, else the latest earlier month that has such a day (no 31 June).
    for (let back = 0; back < 12; back++) {
      const month0 = today.month - 1 - back;
      const year = today.year + Math.floor(month0 / 12);
      const month = (((month0 % 12) + 12) % 12) + 1;
      const date = { year, month, day: day.day };
      if (isValidDate(year, month, day.day) && compareDates(date, today) <= 0) return fixed(date, ['no month given, so the most recent such day of the month']);
    }
    return fixed({ year: today.year, month: today.month, day: Math.min(day.day, 28) });
  }
  const name = WEEKDAY_NAMES[day.weekday] ?? '';
  if (day.rule === 'week') {
    const date = addDays(mondayOf(today), 7 * day.weekOffset + ((day.weekday + 6) % 7));
    // Many calendars (Taiwan's among them) print Sunday first; say which week a Sunday was taken from.
    return fixed(date, day.weekday === 0 ? [`weeks start on Monday, so "${day.label}" is the Sunday that ends that week`] : []);
  }
  const back = (dayOfWeek(today) - day.weekday + 7) % 7;
  if (day.rule === 'beforeToday') {
    return fixed(addDays(today, -(back === 0 ? 7 : back)), [`"${day.label}" taken as the most recent ${name} before today`]);
  }
  const recent = addDays(today, -back);
  return {
    dates: [recent, addDays(recent, -7)],
    latestStarted: true,
    dayGiven: true,
    reasons: [`"${day.label}" taken as the most recent ${name} that has begun`],
  };
}

/** Minutes past the hour, with the seconds as a fraction: minute readings carry seconds through. */
const minutesPast = (p: ClockPoint) => p.minute + (p.second ?? 0) / 60;

/** The instant of a wall-clock reading in minutes that may have a fraction (seconds). */
function wallMinutesToMs(date: CivilDate, minutes: number, timeZone: string): number {
  const whole = Math.floor(minutes);
  return wallToMs(date, whole, timeZone) + Math.round((minutes - whole) * MINUTE_MS);
}

/** Minutes after midnight a point may mean: one reading with am/pm or past 12, else both halves of the day. */
function baseMinutes(p: ClockPoint): number[] {
  if (p.meridiem) return [((p.hour % 12) + (p.meridiem === 'pm' ? 12 : 0)) * 60 + minutesPast(p)];
  if (p.hour > 12) return [p.hour * 60 + minutesPast(p)];
  return [(p.hour % 12) * 60 + minutesPast(p), ((p.hour % 12) + 12) * 60 + minutesPast(p)];
}

/** The reading of a point that falls inside a part of day (晚上10點 is 22:00, 昨晚2點 the next 02:00). */
function fitToPart(p: ClockPoint, part: PartOfDay, reasons: string[]): number {
  const options = baseMinutes(p)
    .flatMap((m) => [m, m + DAY_MINUTES])
    .sort((a, b) => a - b);
  const distance = (m: number) => Math.max(part.startMin - m, m - part.endMin, 0);
  const fit = options.find((m) => distance(m) === 0);
  const chosen = fit ?? options.reduce((best, m) => (distance(m) < distance(best) ? m : best));
  const literal = p.hour * 60 + minutesPast(p);
  const when = `${formatMinutes(chosen)}${chosen >= DAY_MINUTES ? ' the next day' : ''}`;
  if (fit === undefined) reasons.push(`${p.label} is outside "${part.label}", read as ${when}`);
  else if (chosen >= DAY_MINUTES || (!p.meridiem && chosen !== literal)) reasons.push(`${p.label} read as ${when} because of "${part.label}"`);
  return chosen;
}

function startMinutes(p: ClockPoint, sharedPart: PartOfDay | undefined, dayGiven: boolean, reasons: string[]): number[] {
  const part = p.part ?? sharedPart;
  if (part) return [fitToPart(p, part, reasons)];
  const literal = p.hour * 60 + minutesPast(p);
  if (p.meridiem) return baseMinutes(p);
  if (p.fixed) return [literal];
  if (dayGiven) {
    reasons.push(`${p.label} read on the 24-hour clock as ${formatMinutes(literal)} (say pm or 晚上 for the evening)`);
    return [literal];
  }
  const both = baseMinutes(p);
  reasons.push(`${p.label} has no am/pm or part of day, so ${both.map(formatMinutes).join(' and ')} were both considered`);
  return both;
}

/** The end of a range: the first reading after the start (10點到1點 ends at 13:00, 22:00-02:00 the next day). */
function endMinute(p: ClockPoint, start: number, sharedPart: PartOfDay | undefined): number {
  let end: number;
  let step = DAY_MINUTES;
  if (p.part) end = fitToPart(p, p.part, []);
  else if (p.meridiem || p.hour > 12 || (p.fixed && !sharedPart)) end = baseMinutes(p)[0] ?? 0;
  else {
    end = (p.hour % 12) * 60 + minutesPast(p);
    step = DAY_MINUTES / 2;
  }
  while (end <= start || (p.nextDay && end < DAY_MINUTES)) end += step;
  return end;
}

/** Where a reading sits on its day: a wall-clock range, or a window of fixed length around a point. */
type Shape = { startMin: number; endMin: number } | { startMin: number; beforeMs: number; afterMs: number };

function shapes(fields: TokenFields, dayGiven: boolean, reasons: string[]): Shape[] {
  const { clock, part } = fields;
  if (!clock) {
    if (!part) return [{ startMin: 0, endMin: DAY_MINUTES }];
    if (part.endMin > DAY_MINUTES) {
      reasons.push(`"${part.label}" runs from ${formatMinutes(part.startMin)} to ${formatMinutes(part.endMin)} the next day`);
    }
    return [{ startMin: part.startMin, endMin: part.endMin }];
  }
  return startMinutes(clock.start, part, dayGiven, reasons).map((startMin): Shape => {
    if (clock.end) return { startMin, endMin: endMinute(clock.end, startMin, part) };
    if (fields.until) return { startMin: Math.min(part?.startMin ?? 0, startMin), endMin: startMin };
    if (fields.approx) return { startMin, beforeMs: 30 * MINUTE_MS, afterMs: 30 * MINUTE_MS };
    return { startMin, beforeMs: 0, afterMs: HOUR_MS };
  });
}

export function resolveFields(fields: TokenFields, text: string, now: LocalNow): Reading {
  if (fields.span) return resolveSpan(fields.span, text, now);
  const plan = planDates(fields.day, now.date);
  const reasons = [...plan.reasons];
  const dayShapes = shapes(fields, plan.dayGiven, reasons);
  const candidates = plan.dates.flatMap((date) =>
    dayShapes.map((shape) => {
      const startMs = wallMinutesToMs(date, shape.startMin, now.timeZone);
      return 'endMin' in shape
        ? { startMs, fromMs: startMs, toMs: wallMinutesToMs(date, shape.endMin, now.timeZone) }
        : { startMs, fromMs: startMs - shape.beforeMs, toMs: startMs + shape.afterMs };
    }),
  );
  const begun = candidates.filter((c) => c.startMs <= now.ms);
  const pool = plan.latestStarted && begun.length > 0 ? begun : candidates;
  const pick = plan.latestStarted && begun.length > 0 ? Math.max : Math.min;
  const best = pool.find((c) => c.startMs === pick(...pool.map((x) => x.startMs)));
  const fromMs = best?.fromMs ?? now.ms;
  const toMs = fields.since ? Math.max(now.ms, fromMs) : (best?.toMs ?? now.ms);
  const notes = reasons.length > 0 ? [`"${text}" read as ${formatRange(fromMs, toMs, now.timeZone)} (${reasons.join('; ')})`] : [];
  return { fromMs, toMs, notes };
}

const UNIT_MS = { minute: MINUTE_MS, hour: HOUR_MS, day: 24 * HOUR_MS, week: 7 * 24 * HOUR_MS, month: 30 * 24 * HOUR_MS } as const;

function resolveSpan(span: SpanSpec, text: string, now: LocalNow): Reading {
  const tz = now.timeZone;
  const today = now.date;
  const midnight = (d: CivilDate) => wallToMs(d, 0, tz);
  /** Same wall-clock time on another day, so "past 3 days" spans 3 calendar days across a DST change. */
  const sameTimeOn = (d: CivilDate) => wallToMs(d, now.minuteOfDay, tz, now.second) + (now.ms % 1000);
  const note = (fromMs: number, toMs: number, why: string) => [`"${text}" read as ${formatRange(fromMs, toMs, tz)} (${why})`];
  const calendarRange = (unit: 'week' | 'month' | 'year', offset: number) => {
    if (unit === 'week') {
      const monday = addDays(mondayOf(today), 7 * offset);
      return { fromMs: midnight(monday), toMs: midnight(addDays(monday, 7)) };
    }
    if (unit === 'month') {
      const first = addMonths({ year: today.year, month: today.month, day: 1 }, offset);
      return { fromMs: midnight(first), toMs: midnight(addMonths(first, 1)) };
    }
    const year = today.year + offset;
    return { fromMs: midnight({ year, month: 1, day: 1 }), toMs: midnight({ year: year + 1, month: 1, day: 1 }) };
  };
  switch (span.kind) {
    case 'rolling': {
      const { amount, unit } = span;
      let fromMs = now.ms - amount * UNIT_MS[unit];
      if (Number.isInteger(amount) && (unit === 'day' || unit === 'week')) fromMs = sameTimeOn(addDays(today, -amount * (unit === 'week' ? 7 : 1)));
      if (Number.isInteger(amount) && unit === 'month') fromMs = sameTimeOn(addMonths(today, -amount));
      return { fromMs, toMs: now.ms, notes: [] };
    }
    case 'ago': {
      const centre = now.ms - span.amount * UNIT_MS[span.unit];
      const half = Math.min(Math.max((span.amount * UNIT_MS[span.unit]) / 2, AGO_MIN_HALF_MS), AGO_MAX_HALF_MS);
      const fromMs = centre - half;
      const toMs = Math.min(centre + half, now.ms);
      return { fromMs, toMs, notes: note(fromMs, toMs, `a window of ±${half / MINUTE_MS} minutes around that time`) };
    }
    case 'calendar': {
      const range = calendarRange(span.unit, span.offset);
      const back = -span.offset;
      const why = `the whole calendar ${span.unit}${span.unit === 'week' ? ' (Monday to Sunday)' : ''} ${back} ${span.unit}${back === 1 ? '' : 's'} before this one`;
      return { ...range, notes: span.counted ? note(range.fromMs, range.toMs, why) : [] };
    }
    case 'weekend': {
      const saturday =
        span.rule === 'recent' ? addDays(today, -((dayOfWeek(today) + 1) % 7)) : addDays(mondayOf(today), 5 + 7 * span.weekOffset);
      return { fromMs: midnight(saturday), toMs: midnight(addDays(saturday, 2)), notes: [] };
    }
    case 'justNow': {
      const fromMs = now.ms - JUST_NOW_MINUTES * MINUTE_MS;
      return { fromMs, toMs: now.ms, notes: note(fromMs, now.ms, `the last ${JUST_NOW_MINUTES} minutes`) };
    }
  }
}
