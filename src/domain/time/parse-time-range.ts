/**
 * Natural-language time ranges in Chinese (Traditional and Simplified) and English:
 * 「昨天晚上10點到11點」, 「上周五下午」, 「过去一小时」, "last night between 10 and 11", "since 9am".
 *
 * All calendar arithmetic happens in `context.timeZone`; `context.nowMs` is the only clock.
 * Ranges are [fromMs, toMs). Simplified characters are folded to Traditional first. A wall time
 * skipped by a DST change reads as the same time after the jump (02:30 → 03:30), a repeated one as
 * its first occurrence; ranges between wall times therefore last 23 or 25 hours on those days.
 *
 * Reading rules (deterministic; the user docs quote them):
 *
 * Days
 * - 今天/today, 昨天/yesterday, 前天/the day before yesterday, 大前天, 明天/tomorrow, N天前/N days ago:
 *   that whole calendar day, 00:00 to the next 00:00 (23 or 25 hours across a DST change).
 * - Weeks start on Monday. 這週五/本週五/this Friday: Friday of this week (may be in the future);
 *   上週五/上星期五/上禮拜五: Friday of the previous week; 下週五/next Friday: of the next week.
 *   A week's Sunday is its last day (上週日 is the day before this week's Monday), with a note,
 *   since many calendars print Sunday first.
 * - 週五/星期五/禮拜五, "Friday", "on Friday": the most recent Friday whose range has begun — today
 *   if today is Friday and the asked-for time has started (Friday 18:00 asked at 15:30 on a
 *   Friday means last week's), otherwise the one before.
 * - "last Friday": the most recent Friday strictly before today (from Saturday: yesterday).
 * - Dates without a year (11月20日, Nov 20, 20 November): the most recent such date not after today.
 *   ISO dates (2026-11-20, 2026/11/20, 2026-11-20T22:00) are read; 11/20 is not (month or day first?).
 * - 本週/這週/this week, 上週/last week, 本月/這個月/this month, 上個月/last month, 今年, 去年:
 *   the whole calendar week (Monday 00:00 to Monday 00:00), month or year, including any future part.
 * - 週末/the weekend: Saturday 00:00 to Monday 00:00 of the most recent weekend that has begun.
 *
 * Spans that end now
 * - 過去/最近/近 N 分鐘/小時/天/週/個月, N小時內, past/last N minutes/hours/days, in the last hour,
 *   the past week: rolling, from the same wall-clock time N units ago to now. But "last week" and
 *   "last month" without a number are calendar units (see above).
 * - 剛才/剛剛/just now: the last 15 minutes.
 * - N小時前/N分鐘前/"N hours ago"/"N minutes ago": a window centred on that instant, half of N wide
 *   on each side but at least ±5 and at most ±30 minutes (an hour ago: ±30 min; 半小時前: ±15;
 *   5 minutes ago: ±5). Never past now.
 * - since 9am, 9點以後/之後/以來/開始, 從昨天到現在, until now: from the start of the reading to now.
 * - before 9am, until 9am, 9點以前/之前/前: from the start of that day, or of the part of day
 *   (早上九點以前 is 06:00-09:00), to the time.
 *
 * Parts of day (hours; past 24 means the next morning)
 *   凌晨 00-06, 清晨 05-08, 早上/早晨/上午/morning 06-12, 中午 11-13, 下午/afternoon 12-18,
 *   傍晚 17-19, 晚上/evening 18-24, 半夜/深夜/午夜 22-02, 白天/daytime 06-18, 整天/全天/all day 00-24,
 *   night: 今晚/tonight, 昨晚/last night, 夜裡, "at night", "Friday night": 18:00 to 06:00 the next day.
 *   So 昨晚 and "last night" are 18:00 yesterday to 06:00 today, while 昨天晚上 is 18:00-24:00 yesterday.
 * - A part of day with a day (昨天下午, this morning, tonight) is that day's, even if it has not
 *   started yet; with no day (晚上, "in the morning") it is the most recent one that has begun.
 *
 * Clock times
 * - A single time (10點, at 10pm, 22:30, 2026-11-20T22:00) means the hour starting then;
 *   with 左右/around/about, 30 minutes either side.
 * - 22:30 and other colon times are 24-hour; 10點/"at 10" without am/pm or part of day is ambiguous:
 *   - with a day (昨天10點, yesterday between 10 and 11) it is read on the 24-hour clock, 10:00;
 *   - with no day both 10:00 and 22:00 on today and the previous days are candidates, and the latest
 *     one that has already begun wins (at 09:00, 10點到11點 is 22:00-23:00 yesterday; at 15:30, 3點
 *     is 15:00 today).
 * - A part of day moves the hour into it: 晚上10點 is 22:00, 下午3點 15:00, 中午12點 12:00,
 *   晚上12點 and 半夜12點 00:00 the next day, 昨晚2點 / last night at 2am 02:00 this morning,
 *   昨天凌晨2點 02:00 yesterday. An hour that fits nowhere is read as the nearest one, with a note.
 * - am/pm written once covers both ends (10-11pm is 22-23) unless the start would then follow the
 *   end (11-1pm is 11:00-13:00).
 * - The end of a range is the first reading after its start, so ranges cross midnight:
 *   晚上11點到凌晨1點 and 11pm-1am are 23:00-01:00 the next day; 22:00-02:00 likewise.
 * - Bare numbers are times only in a frame: "between 10 and 11" and "from 9 to 5" always; "10 to 11",
 *   "at 3" and 晚上10到11 when they end the sentence or sit next to another time word; never before a
 *   count noun (3 people, 2到3個人) or right after a label (camera 2, room 10-11). A lone number
 *   ("camera 2", "3 people") never is. 一點 alone is "a little", not 1 o'clock; 10點前門 is the front door.
 *
 * Ranges of days: a day, 到/至/to/until/through and a day alone (19號到21號, 從昨天到今天, "from
 * Monday to Wednesday") run from the first day's start to the end of the last; each day is read
 * as it would be alone, and a last day before the first reads as nothing.
 *
 * When several phrases occur, the one with most time words wins (the first among equals); `text`
 * is that phrase exactly as written, with a leading preposition (在, 從, on, at, in, from).
 * `notes` explains every reading that involved one of the choices above; it is empty otherwise.
 */
import { localNow } from './calendar.ts';
import { resolveFields } from './resolve.ts';
import { clusters, scan } from './tokenize.ts';
import { normalize } from './lexicon.ts';

export interface TimeRangeMatch {
  fromMs: number; // inclusive
  toMs: number; // exclusive
  /** The exact substring of the input that expressed the time (so the caller can remove it from the keyword query). */
  text: string;
  /** How an ambiguous phrase was read, for the UI ("10 to 11 read as 22:00-23:00 because of 'night'"); empty when unambiguous. */
  notes: string[];
}

export function parseTimeRange(input: string, context: { nowMs: number; timeZone: string }): TimeRangeMatch | undefined {
  const candidates = clusters(scan(normalize(input), input))
    .filter((c) => c.strong)
    .sort((a, b) => b.coreCount - a.coreCount || a.start - b.start);
  const best = candidates[0];
  if (!best) return undefined;
  const text = input.slice(best.start, best.end);
  const now = localNow(context.nowMs, context.timeZone);
  const { dayEnd, ...fields } = best.fields;
  const reading = resolveFields(fields, text, now);
  if (dayEnd === undefined) return { ...reading, text };
  // A range of whole days: from the first day's start to the last day's end, each day read as it
  // would be alone; a last day that comes out before the first is not a range (nothing is read).
  const last = resolveFields({ day: dayEnd }, text, now);
  if (last.toMs <= reading.fromMs) return undefined;
  const notes = [...new Set([...reading.notes, ...last.notes])];
  return { fromMs: reading.fromMs, toMs: last.toMs, text, notes };
}
