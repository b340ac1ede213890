/** Matchers for clock times and ranges (10點半, 22:00-23:00, between 10 and 11 pm), parts of day and markers. */
import {
  EN_PARTS,
  NIGHT,
  NUM,
  ZH_NUM,
  ZH_PARTS,
  ZH_PART_ALT,
  bareNumberMayBeTime,
  followedByEnd,
  makePart,
  parseNumeral,
  sourceOf,
} from './lexicon.ts';
import type { ClockPoint, Matcher, MatchContext, TokenFields } from './types.ts';

const MER = String.raw`(?:\s*(?:a\.m\.?|p\.m\.?|am|pm))`;
const COLON = String.raw`\d{1,2}:\d{2}(?::\d{2})?${MER}?`;
const ZH_SEC = String.raw`(?:\s*(?:半|\d{1,2}\s*秒|零?[一二三四五六七八九十]{1,3}\s*秒))?`;
const ZH_MIN = String.raw`(?:半|一刻|三刻|整|\d{1,2}\s*分${ZH_SEC}|零?[一二三四五六七八九十]{1,3}\s*分${ZH_SEC}|\d{2}(?!\d)|[一二三四五]?十[一二三四五六七八九]?)`;
const ZH_POINT = String.raw`${NUM}\s*[點時]鐘?(?:\s*${ZH_MIN})?`;
/** Hours written as words ("around nine", "at eleven pm"): read only where a bare number would be. */
const EN_HOUR_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const EN_HOUR_WORD = Object.keys(EN_HOUR_WORDS).sort((a, b) => b.length - a.length).join('|');
const EN_POINT = String.raw`noon|midnight|(?:\d{1,2}|(?:${EN_HOUR_WORD})(?![a-z]))(?:\s*o'?clock)?${MER}?`;
const POINT = `(?:${COLON}|${ZH_POINT}|${EN_POINT}|${ZH_NUM})`;
const CONNECT = '(?:to|and|until|till|through|thru|到|至|-|–|—|~)';
const END_DAY = '(?:今天|今日|隔天|第二天|次日|翌日|明天)';

type Marker = 'zh' | 'colon' | 'meridiem' | 'oclock' | 'word' | 'bare';
interface ParsedPoint {
  point: ClockPoint;
  marker: Marker;
  /** 一點 with nothing after it, which usually means "a little". */
  mayBeALittle: boolean;
}

const ZH_POINT_RE = new RegExp(String.raw`^(${NUM})\s*[點時](鐘)?(?:\s*(\S+))?$`);
const MINUTE_WORDS: Readonly<Record<string, number>> = { 半: 30, 一刻: 15, 三刻: 45, 整: 0 };

/** The minutes (and seconds) after 點: 半, 一刻, 40分, 四十分半 (40 min 30 s), 40分30秒. */
function parseZhMinute(text: string | undefined): { minute: number; second: number } | undefined {
  if (text === undefined) return { minute: 0, second: 0 };
  const word = MINUTE_WORDS[text];
  if (word !== undefined) return { minute: word, second: 0 };
  const m = /^(.+?)\s*分\s*(?:(半)|(.+?)\s*秒)?$/.exec(text) ?? /^(.+)$/.exec(text);
  const minute = parseNumeral((m?.[1] ?? '').replace(/^零/, ''));
  const second = m?.[2] !== undefined ? 30 : m?.[3] !== undefined ? parseNumeral(m[3].replace(/^零/, '')) : 0;
  return minute === undefined || second === undefined || second > 59 ? undefined : { minute, second };
}

function point(hour: number, minute: number, meridiem: string | undefined, explicit24: boolean, marker: Marker, second = 0): ParsedPoint | undefined {
  if (!Number.isInteger(hour) || hour > 24 || minute > 59 || second > 59 || (hour === 24 && minute + second > 0)) return undefined;
  const mer = meridiem === undefined ? undefined : meridiem.startsWith('a') ? 'am' : 'pm';
  if (mer && (hour < 1 || hour > 12)) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  const label = minute === 0 && second === 0 ? String(hour) : `${hour}:${two(minute)}${second ? `:${two(second)}` : ''}`;
  const p: ClockPoint = { hour, minute, fixed: !mer && (explicit24 || hour > 12 || hour === 0), label };
  if (second) p.second = second;
  if (mer) p.meridiem = mer;
  return { point: p, marker, mayBeALittle: false };
}

function parsePoint(raw: string | undefined): ParsedPoint | undefined {
  const s = (raw ?? '').trim();
  if (s === 'noon') return point(12, 0, undefined, true, 'word');
  if (s === 'midnight') return point(0, 0, undefined, true, 'word');
  let m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(a\.m\.?|p\.m\.?|am|pm)?$/.exec(s);
  if (m) return point(Number(m[1]), Number(m[2]), m[4], m[4] === undefined, m[4] ? 'meridiem' : 'colon', Number(m[3] ?? 0));
  m = new RegExp(String.raw`^(\d{1,2}|${EN_HOUR_WORD})(\s*o'?clock)?\s*(a\.m\.?|p\.m\.?|am|pm)?$`).exec(s);
  if (m) return point(EN_HOUR_WORDS[m[1] ?? ''] ?? Number(m[1]), 0, m[3], false, m[3] ? 'meridiem' : m[2] ? 'oclock' : 'bare');
  m = ZH_POINT_RE.exec(s);
  if (m) {
    const hour = parseNumeral(m[1] ?? '');
    const minute = parseZhMinute(m[3]);
    if (hour === undefined || minute === undefined) return undefined;
    const parsed = point(hour, minute.minute, undefined, false, 'zh', minute.second);
    return parsed && { ...parsed, mayBeALittle: m[1] === '一' && m[2] === undefined && m[3] === undefined };
  }
  const hour = parseNumeral(s);
  return hour === undefined ? undefined : point(hour, 0, undefined, false, 'bare');
}

const to24 = (p: ClockPoint, meridiem: 'am' | 'pm') => ((p.hour % 12) + (meridiem === 'pm' ? 12 : 0)) * 60 + p.minute;

/** A meridiem written once covers both ends (10-11pm), unless the start would then follow the end (11-1pm, 9-5pm). */
function shareMeridiem(start: ClockPoint, end: ClockPoint): ClockPoint {
  if (start.meridiem || !end.meridiem || start.hour < 1 || start.hour > 12) return start;
  const same = end.meridiem;
  const other = same === 'pm' ? 'am' : 'pm';
  return { ...start, fixed: false, meridiem: to24(start, same) > to24(end, same) ? other : same };
}

/** Whether bare numbers ("10 to 11", "at 3") read as times here, and whether they need another time word. */
function bareStrength(ctx: MatchContext, m: RegExpExecArray, standsAlone: boolean): { ok: boolean; weak: boolean } {
  const end = m.index + m[0].length;
  // With a preposition in front ("door between 10 and 11") the word before says nothing about the number.
  const prefixed = m[1] !== undefined;
  if (!bareNumberMayBeTime(ctx, m.index, end, !prefixed)) return { ok: false, weak: false };
  return { ok: true, weak: !standsAlone && !followedByEnd(ctx, end) };
}

const prefixFields = (prefix: string | undefined): TokenFields => ({
  ...(prefix === 'since' || prefix === 'after' || prefix === 'from' ? { since: true } : {}),
  ...(prefix === 'before' || prefix === 'until' || prefix === 'till' ? { until: true } : {}),
  ...(prefix === 'around' || prefix === 'about' ? { approx: true } : {}),
});

const sticky = (source: string) => new RegExp(source, 'y');

/** Minutes before or after an hour said in words: half past nine, a quarter to ten, ten to eleven. */
const EN_MINUTES_OFF: Readonly<Record<string, number>> = { half: 30, quarter: 15, 'a quarter': 15, five: 5, ten: 10, twenty: 20, 'twenty-five': 25 };
/** Minutes said after an hour word: nine thirty, ten forty-five. */
const EN_MINUTES_AFTER: Readonly<Record<string, number>> = {
  ten: 10, fifteen: 15, twenty: 20, 'twenty-five': 25, thirty: 30, 'thirty-five': 35, forty: 40, 'forty-five': 45, fifty: 50, 'fifty-five': 55,
};
/** The words as one alternation, longest first; "twenty-five" also as "twenty five". */
const alternation = (words: Readonly<Record<string, number>>) =>
  Object.keys(words)
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[- ]/, String.raw`[-\s]+`))
    .join('|');
const minutesSaid = (words: Readonly<Record<string, number>>, said: string | undefined) => words[(said ?? '').replace(/\s+/g, ' ').replace(/ (?=five)/, '-')];
/** "ten to eleven people", "five past ten minutes": a count or a duration, not a clock time. */
const NOT_A_COUNT = String.raw`(?!\s*(?:people|persons?|cars?|vehicles?|minutes?|mins?|seconds?|secs?|hours?|times|of)(?![a-z]))`;
const WORD_CLOCK_PREFIX = String.raw`(?:(at|since|after|around|about|before|until|till)\s+)?`;

/** The hour the minutes are counted from: 1-12 (whichever half of the day), noon or midnight. */
function namedHour(said: string | undefined): { hour: number; fixed: boolean } | undefined {
  if (said === 'noon') return { hour: 12, fixed: true };
  if (said === 'midnight') return { hour: 0, fixed: true };
  const hour = EN_HOUR_WORDS[said ?? ''] ?? Number(said);
  return Number.isInteger(hour) && hour >= 1 && hour <= 12 ? { hour, fixed: false } : undefined;
}

const wordClock = (prefix: string | undefined, hour: number, minute: number, meridiem: string | undefined, fixed: boolean, said: string): TokenFields | undefined => {
  const parsed = point(hour, minute, meridiem?.trim(), fixed, meridiem ? 'meridiem' : 'word');
  return parsed && { clock: { start: { ...parsed.point, label: said.trim() } }, ...prefixFields(prefix) };
};

/**
 * Clock times said in words, which the matchers of numbers would read as a range of two hours
 * ("ten to eleven") or not at all. "ten to eleven" with no word before it may mean 10 to 11 as
 * well as 10:50: it is read only after a word that makes it one time (at, around, since,
 * before...), else left for the question to report as unread (unread-time-words.ts).
 */
const EN_WORD_CLOCK_MATCHERS: readonly Matcher[] = [
  {
    re: sticky(
      String.raw`${WORD_CLOCK_PREFIX}((${alternation(EN_MINUTES_OFF)})\s+(past|after|to)\s+(${EN_HOUR_WORD}|\d{1,2}|noon|midnight)(?![a-z0-9])(${MER})?)${NOT_A_COUNT}`,
    ),
    build: (m) => {
      const [, prefix, said = '', minutes, way, hourSaid, meridiem] = m;
      const off = minutesSaid(EN_MINUTES_OFF, minutes);
      const named = namedHour(hourSaid);
      if (off === undefined || named === undefined) return undefined;
      if (way !== 'to') return wordClock(prefix, named.hour, off, meridiem, named.fixed, said);
      if (prefix === undefined && off !== 30 && off !== 15) return undefined;
      // Before the hour: a quarter to one is 12:45, ten to midnight 23:50.
      const hour = named.hour === 0 ? 23 : named.hour === 1 && !named.fixed ? 12 : named.hour - 1;
      return wordClock(prefix, hour, 60 - off, meridiem, named.fixed, said);
    },
  },
  {
    // "nine thirty" is a time after a word that makes it one (at nine thirty) or with a meridiem.
    re: sticky(String.raw`${WORD_CLOCK_PREFIX}((${EN_HOUR_WORD})\s+(${alternation(EN_MINUTES_AFTER)})(?![a-z])(${MER})?)${NOT_A_COUNT}`),
    build: (m) => {
      const [, prefix, said = '', hourSaid, minutes, meridiem] = m;
      if (prefix === undefined && meridiem === undefined) return undefined;
      const minute = minutesSaid(EN_MINUTES_AFTER, minutes);
      const hour = EN_HOUR_WORDS[hourSaid ?? ''];
      return minute === undefined || hour === undefined ? undefined : wordClock(prefix, hour, minute, meridiem, false, said);
    },
  },
];

export const CLOCK_MATCHERS: readonly Matcher[] = [
  ...EN_WORD_CLOCK_MATCHERS,
  {
    re: sticky(
      String.raw`(?:(between|from|since|after|around|about|at)\s+)?(${POINT})\s*(${CONNECT})\s*(?:(${END_DAY})\s*)?(?:(${ZH_PART_ALT})\s*)?(${POINT})`,
    ),
    build: (m, ctx) => {
      const [, prefix, rawStart, connector, endDay, endPart, rawEnd] = m;
      const a = parsePoint(rawStart);
      const b = parsePoint(rawEnd);
      if (!a || !b) return undefined;
      if (connector === 'and' && prefix !== 'between') return undefined;
      // "ten to eleven" is a clock time in words (EN_WORD_CLOCK_MATCHERS) unless a range is said.
      if (connector === 'to' && prefix !== 'from' && prefix !== 'between' && minutesSaid(EN_MINUTES_OFF, rawStart) !== undefined) return undefined;
      const end: ClockPoint = { ...b.point };
      if (endPart !== undefined) end.part = makePart(endPart, ZH_PARTS[endPart] ?? NIGHT);
      if (endDay !== undefined) end.nextDay = true;
      let weak = false;
      if (a.marker === 'bare' && b.marker === 'bare') {
        const chinese = /[^\x20-\x7e]/.test(`${rawStart}${connector}${rawEnd}`);
        const strength = bareStrength(ctx, m, !chinese && (prefix === 'between' || prefix === 'from'));
        if (!strength.ok) return undefined;
        weak = chinese || strength.weak;
      }
      const fields = prefixFields(prefix === 'from' ? undefined : prefix);
      return { clock: { start: shareMeridiem(a.point, end), end }, ...fields, weak };
    },
  },
  {
    re: sticky(String.raw`(?:(at|since|after|from|around|about|before|until|till)\s+)?(${POINT})`),
    build: (m, ctx) => {
      const [, prefix, raw] = m;
      const a = parsePoint(raw);
      if (!a) return undefined;
      let weak = a.mayBeALittle;
      if (a.marker === 'bare') {
        if (prefix === undefined || /[^\x20-\x7e]/.test(raw ?? '')) return undefined;
        const strength = bareStrength(ctx, m, false);
        if (!strength.ok) return undefined;
        weak = strength.weak;
      }
      return { clock: { start: a.point }, ...prefixFields(prefix), weak };
    },
  },
];

export const PART_MATCHERS: readonly Matcher[] = [
  { re: sticky(`(${ZH_PART_ALT})`), build: (m, ctx) => ({ part: makePart(sourceOf(m, ctx), ZH_PARTS[m[1] ?? ''] ?? NIGHT) }) },
  {
    re: sticky(String.raw`(?:((?:in|during)\s+the|at)\s+)?(morning|afternoon|evening|night|daytime)(?![a-z])`),
    build: (m, ctx) => ({ part: makePart(sourceOf(m, ctx), EN_PARTS[m[2] ?? ''] ?? NIGHT), weak: m[1] === undefined }),
  },
  {
    re: sticky(String.raw`(all\s+day|(?:the\s+)?whole\s+day|all\s+night|overnight)(?![a-z])`),
    build: (m, ctx) => ({ part: makePart(sourceOf(m, ctx), m[1]?.includes('day') ? [0, 24] : NIGHT) }),
  },
];

export const MARKER_MATCHERS: readonly Matcher[] = [
  { re: sticky('(?:左右|前後|大約|大概|約|approximately|approx\\.?|around|about|circa)'), build: () => ({ approx: true }) },
  {
    re: sticky('(?:以來|以後|之後|過後|開始|到現在|到目前為止|到目前|至今|迄今|since|until now|till now|up to now|so far)'),
    build: () => ({ since: true }),
  },
  // 前 alone only where it cannot be 前門 (front door), 前面, 前天 or 前後.
  { re: sticky('(?:以前|之前|前(?![門面天後方排座院]))'), build: () => ({ until: true }) },
];
