/** Vocabulary shared by the time-phrase matchers: character folding, numerals, parts of day, names. */
import type { MatchContext, PartOfDay } from './types.ts';

/** Only the characters the matchers look at; every entry is one UTF-16 unit to one. */
const TO_TRADITIONAL: Readonly<Record<string, string>> = {
  点: '點', 时: '時', 钟: '鐘', 头: '頭', 两: '兩', 过: '過', 这: '這', 个: '個', 礼: '禮', 刚: '剛',
  后: '後', 从: '從', 现: '現', 内: '內', 间: '間', 号: '號', 周: '週', 来: '來', 开: '開', 里: '裡',
  于: '於', 为: '為', 际: '際',
};

/**
 * Folds Simplified to Traditional, ASCII to lower case and full-width digits and punctuation to
 * ASCII, one code unit for one, so an index into the result is an index into the input.
 */
export function normalize(input: string): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    const ch = input.charAt(i);
    if (code >= 0x41 && code <= 0x5a) out += String.fromCharCode(code + 32);
    else if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xfee0);
    else if (ch === '：') out += ':';
    else if (ch === '－') out += '-';
    else if (ch === '～' || ch === '〜') out += '~';
    else if (ch === '\u3000') out += ' ';
    else out += TO_TRADITIONAL[ch] ?? ch;
  }
  return out;
}

const ZH_DIGIT: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
export const ZH_NUMERAL_CHARS = '零〇一二三四五六七八九十兩';
/** A Chinese numeral up to 99 (十, 十一, 二十三, 兩). */
export const ZH_NUM = `[${ZH_NUMERAL_CHARS}]{1,3}`;
/** An hour or a small count written with digits or Chinese numerals. */
export const NUM = String.raw`(?:\d{1,2}|${ZH_NUM})`;

/** ASCII digits, Chinese numerals below 100 or digit-by-digit (二〇二六). */
export function parseNumeral(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const ten = text.indexOf('十');
  if (ten === -1) {
    if (text.length === 0) return undefined;
    let n = 0;
    for (const ch of text) {
      const d = ZH_DIGIT[ch];
      if (d === undefined) return undefined;
      n = n * 10 + d;
    }
    return n;
  }
  const head = text.slice(0, ten);
  const tail = text.slice(ten + 1).replace(/^零/, '');
  const tens = head === '' ? 1 : head.length === 1 ? ZH_DIGIT[head] : undefined;
  const ones = tail === '' ? 0 : tail.length === 1 ? ZH_DIGIT[tail] : undefined;
  return tens === undefined || ones === undefined ? undefined : tens * 10 + ones;
}

const EN_NUMBERS: Readonly<Record<string, number>> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, 'twenty-four': 24, thirty: 30, forty: 40,
  'forty-five': 45, fifty: 50, sixty: 60, ninety: 90, 'a few': 3, few: 3, several: 3, 'a couple of': 2, 'couple of': 2,
};
const byLength = (words: Iterable<string>) => [...words].sort((a, b) => b.length - a.length);
export const EN_COUNT = `(?:\\d{1,3}|half(?:\\s+an?)?|${byLength(Object.keys(EN_NUMBERS)).join('|')})`;

/** A count in a span phrase: digits, Chinese numerals, English words, or half (半, "half an"). */
export function parseCount(text: string): number | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '半' || t.startsWith('half')) return 0.5;
  return EN_NUMBERS[t] ?? parseNumeral(t);
}

export type HourRange = readonly [startHour: number, endHour: number];
export const NIGHT: HourRange = [18, 30];
export const MORNING: HourRange = [6, 12];
export const AFTERNOON: HourRange = [12, 18];
export const EVENING: HourRange = [18, 24];

/** Hours of each part of day; an end past 24 runs into the next morning. */
export const ZH_PARTS: Readonly<Record<string, HourRange>> = {
  凌晨: [0, 6], 清晨: [5, 8], 早上: MORNING, 早晨: MORNING, 上午: MORNING, 中午: [11, 13],
  下午: AFTERNOON, 傍晚: [17, 19], 晚上: EVENING, 夜晚: NIGHT, 夜裡: NIGHT,
  半夜: [22, 26], 深夜: [22, 26], 午夜: [22, 26], 整天: [0, 24], 一整天: [0, 24], 全天: [0, 24], 白天: [6, 18],
};
export const ZH_PART_ALT = byLength(Object.keys(ZH_PARTS)).join('|');

export const EN_PARTS: Readonly<Record<string, HourRange>> = {
  morning: MORNING, afternoon: AFTERNOON, evening: EVENING, night: NIGHT, daytime: [6, 18], day: [0, 24],
};

export function makePart(label: string, [startHour, endHour]: HourRange): PartOfDay {
  return { label, startMin: startHour * 60, endMin: endHour * 60 };
}

/** 0 = Sunday, as Date#getUTCDay. */
export const ZH_WEEKDAY: Readonly<Record<string, number>> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 0, 天: 0 };
export const EN_WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

const EN_MONTH_NAMES: Readonly<Record<string, number>> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
};
export const EN_MONTH_ALT = byLength(Object.keys(EN_MONTH_NAMES)).join('|');
export const monthNumber = (name: string): number | undefined => EN_MONTH_NAMES[name];

/** Words that may follow a bare number that is a time ("between 10 and 11 last night"), not a count. */
const FOLLOW_OK = new Set(
  ('am pm a.m. p.m. yesterday today tonight tomorrow last this next on at in and or the did does do was were is ' +
    'are has have had any anyone anybody someone somebody anything something who what when where which ' +
    "o'clock oclock between from to until till since around about morning afternoon evening night noon midnight")
    .split(' '),
);
/** Chinese measure words and units after which a number is a count, not an hour (2到3個人). */
const ZH_COUNTED = /^\s*[個人位台臺輛部隻次號樓層名件支分秒小天日週月年歲公米元塊]/;
const PUNCTUATION_OR_END = /^\s*(?:$|[?？!！.。,，;；:)）])/;
const COUNTER_BEFORE = /(?:camera|cam|channel|ch|zone|room|door|gate|no\.?|number|#|id|track|lane|floor|aisle|page)\s*$/;

/** Whether a bare number ending at `end` reads as a time rather than a count or a label. */
export function bareNumberMayBeTime(ctx: MatchContext, start: number, end: number, checkBefore = true): boolean {
  const after = ctx.text.slice(end);
  if (ZH_COUNTED.test(after)) return false;
  if (checkBefore && COUNTER_BEFORE.test(ctx.text.slice(0, start))) return false;
  const word = /^\s*([a-z][a-z'.]*)/.exec(after)?.[1];
  return word === undefined || FOLLOW_OK.has(word.replace(/\.$/, '')) || FOLLOW_OK.has(word);
}

export function followedByEnd(ctx: MatchContext, end: number): boolean {
  return PUNCTUATION_OR_END.test(ctx.text.slice(end));
}

/** The original spelling of a match, for notes. */
export function sourceOf(m: RegExpExecArray, ctx: MatchContext): string {
  return ctx.source.slice(m.index, m.index + m[0].length);
}
