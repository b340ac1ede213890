/**
 * A time range [fromMs, toMs) as a person says it, in the clocks of one zone. The one way Vigil
 * prints a range: in answers, in the notes on how a question was read, and in what footage is missing.
 *
 * - Whole days are dates only: "2026-03-20", "2026-03-09 – 2026-03-15" (the last day included),
 *   never "00:00–00:00".
 * - Within a day: "2026-03-20 21:40–22:40"; a range that ends at the next midnight ends at "24:00".
 * - Across midnight: "2026-03-18 18:00 – 2026-03-19 06:00".
 * - Seconds only where a bound has them ("21:40:30–23:00").
 */
import { localDateTime, type LocalDateTime } from './zoned-format.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const date = (t: LocalDateTime) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
const atMidnight = (t: LocalDateTime) => t.hour === 0 && t.minute === 0 && t.second === 0;

export function formatTimeRange(fromMs: number, toMs: number, timeZone: string): string {
  const from = localDateTime(fromMs, timeZone);
  const to = localDateTime(toMs, timeZone);
  // The last day the range covers: the day of its last millisecond.
  const lastDay = localDateTime(Math.max(fromMs, toMs - 1), timeZone);
  if (atMidnight(from) && atMidnight(to) && toMs > fromMs) {
    return date(from) === date(lastDay) ? date(from) : `${date(from)} – ${date(lastDay)}`;
  }
  const seconds = from.second !== 0 || to.second !== 0;
  const clock = (t: LocalDateTime, endOfDay = false) =>
    `${endOfDay ? '24' : pad(t.hour)}:${pad(t.minute)}${seconds ? `:${pad(t.second)}` : ''}`;
  if (date(from) === date(lastDay)) {
    // Ending at the next midnight: "18:00–24:00", on the day it covers.
    return `${date(from)} ${clock(from)}–${clock(to, atMidnight(to) && date(to) !== date(from))}`;
  }
  return `${date(from)} ${clock(from)} – ${date(to)} ${clock(to)}`;
}

/** One instant as "2026-03-20 22:35" (seconds when it has them). */
export function formatInstant(ms: number, timeZone: string): string {
  const t = localDateTime(ms, timeZone);
  return `${date(t)} ${pad(t.hour)}:${pad(t.minute)}${t.second !== 0 ? `:${pad(t.second)}` : ''}`;
}
