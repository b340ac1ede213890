/** Matchers for days (昨天, last Friday, 2026-11-20) and for spans that stand alone (過去3小時, last week). */
import { isValidDate } from './calendar.ts';
import {
  EN_COUNT,
  EN_MONTH_ALT,
  EN_WEEKDAYS,
  EVENING,
  MORNING,
  AFTERNOON,
  NIGHT,
  ZH_NUM,
  ZH_WEEKDAY,
  bareNumberMayBeTime,
  makePart,
  monthNumber,
  parseCount,
  parseNumeral,
  sourceOf,
  type HourRange,
} from './lexicon.ts';
import type { DaySpec, Matcher, SpanSpec, SpanUnit, TokenFields } from './types.ts';

const sticky = (source: string) => new RegExp(source, 'y');
const alt = (words: Iterable<string>) => [...words].sort((a, b) => b.length - a.length).join('|');

const DAY_OFFSETS: Readonly<Record<string, number>> = {
  今天: 0, 今日: 0, 昨天: -1, 昨日: -1, 前天: -2, 大前天: -3, 明天: 1, 明日: 1, 後天: 2,
  today: 0, yesterday: -1, tomorrow: 1, 'the day before yesterday': -2, 'day before yesterday': -2,
  'the day after tomorrow': 2,
};

const DAY_WITH_PART: Readonly<Record<string, readonly [number, HourRange]>> = {
  今晚: [0, NIGHT], 今夜: [0, NIGHT], 昨晚: [-1, NIGHT], 昨夜: [-1, NIGHT], 前晚: [-2, NIGHT], 明晚: [1, NIGHT],
  今早: [0, MORNING], 今晨: [0, MORNING], 昨早: [-1, MORNING],
  tonight: [0, NIGHT], 'last night': [-1, NIGHT], 'the night before last': [-2, NIGHT], 'night before last': [-2, NIGHT],
  'this morning': [0, MORNING], 'this afternoon': [0, AFTERNOON], 'this evening': [0, EVENING],
};

const ZH_WEEK_PREFIX: Readonly<Record<string, number>> = { 上上: -2, 上: -1, 這: 0, 本: 0, 下: 1 };
const EN_WEEKDAY_ALT = EN_WEEKDAYS.join('|');

function date(year: number | undefined, month: number | undefined, day: number | undefined): TokenFields | undefined {
  if (month === undefined || day === undefined) return undefined;
  if (!isValidDate(year ?? 2000, month, day)) return undefined;
  const spec: DaySpec = year === undefined ? { kind: 'date', month, day } : { kind: 'date', year, month, day };
  return { day: spec };
}
const num = (s: string | undefined) => (s === undefined ? undefined : parseNumeral(s));

const UNITS: Readonly<Record<string, SpanUnit>> = {
  分鐘: 'minute', 分: 'minute', 小時: 'hour', 鐘頭: 'hour', 天: 'day', 日: 'day', 週: 'week', 星期: 'week',
  禮拜: 'week', 月: 'month', minute: 'minute', min: 'minute', hour: 'hour', hr: 'hour', h: 'hour', day: 'day',
  week: 'week', month: 'month',
};
const unitOf = (s: string | undefined): SpanUnit | undefined =>
  s === undefined ? undefined : (UNITS[s] ?? UNITS[s.replace(/s$/, '')]);

function span(spec: SpanSpec | undefined): TokenFields | undefined {
  return spec && { span: spec };
}

const ZH_UNIT = '分鐘|小時|鐘頭|天|日|週|星期|禮拜|月|分';
const EN_UNIT = 'minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?';

export const DAY_MATCHERS: readonly Matcher[] = [
  {
    re: sticky(`(?:on\\s+)?(${alt(Object.keys(DAY_OFFSETS))})`),
    build: (m) => ({ day: { kind: 'offset', days: DAY_OFFSETS[m[1] ?? ''] ?? 0 } }),
  },
  {
    re: sticky(`(${alt(Object.keys(DAY_WITH_PART))})`),
    build: (m, ctx) => {
      const [days, hours] = DAY_WITH_PART[m[1] ?? ''] ?? [0, NIGHT];
      return { day: { kind: 'offset', days }, part: makePart(sourceOf(m, ctx), hours) };
    },
  },
  {
    // 3天前, 三日前
    re: sticky(`(\\d{1,3}|${ZH_NUM})\\s*[天日]\\s*(?:之前|以前|前)`),
    build: (m) => {
      const n = num(m[1]);
      return n === undefined ? undefined : { day: { kind: 'offset', days: -n } };
    },
  },
  {
    re: sticky(`(${EN_COUNT})\\s+days?\\s+ago`),
    build: (m) => {
      const n = parseCount(m[1] ?? '');
      return n === undefined || !Number.isInteger(n) ? undefined : { day: { kind: 'offset', days: -n } };
    },
  },
  {
    // 上週五, 上个星期五, 這週三, 本週日, 禮拜天, 週五
    re: sticky('(上上|上|這|本|下)?個?\\s*(?:週|星期|禮拜)([一二三四五六日天])'),
    build: (m, ctx) => {
      const weekday = ZH_WEEKDAY[m[2] ?? ''];
      if (weekday === undefined) return undefined;
      const label = sourceOf(m, ctx);
      const prefix = m[1];
      if (prefix === undefined) return { day: { kind: 'weekday', weekday, rule: 'recent', weekOffset: 0, label } };
      return { day: { kind: 'weekday', weekday, rule: 'week', weekOffset: ZH_WEEK_PREFIX[prefix] ?? 0, label } };
    },
  },
  {
    re: sticky(`(?:on\\s+)?(?:(last|past|this|next)\\s+)?(${EN_WEEKDAY_ALT})`),
    build: (m, ctx) => {
      const weekday = EN_WEEKDAYS.indexOf((m[2] ?? '') as (typeof EN_WEEKDAYS)[number]);
      const label = sourceOf(m, ctx).replace(/^on\s+/i, '');
      const which = m[1];
      if (which === 'last' || which === 'past') return { day: { kind: 'weekday', weekday, rule: 'beforeToday', weekOffset: 0, label } };
      if (which === 'this' || which === 'next') {
        return { day: { kind: 'weekday', weekday, rule: 'week', weekOffset: which === 'next' ? 1 : 0, label } };
      }
      return { day: { kind: 'weekday', weekday, rule: 'recent', weekOffset: 0, label } };
    },
  },
  {
    // 2026-11-20, 2026/11/20, 2026-11-20T22:00
    re: sticky('(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})(?:t(\\d{1,2}):(\\d{2})(?::\\d{2}(?:\\.\\d+)?)?)?'),
    build: (m) => {
      const fields = date(num(m[1]), num(m[2]), num(m[3]));
      if (!fields || m[4] === undefined) return fields;
      const hour = Number(m[4]);
      const minute = Number(m[5]);
      if (hour > 23 || minute > 59) return undefined;
      return { ...fields, clock: { start: { hour, minute, fixed: true, label: `${m[4]}:${m[5]}` } } };
    },
  },
  {
    // 2026年11月20日, 十一月二十號, 11月20日
    re: sticky(`(?:(\\d{4}|[〇零一二三四五六七八九]{4})\\s*年\\s*)?(\\d{1,2}|${ZH_NUM})\\s*月\\s*(\\d{1,2}|${ZH_NUM})\\s*[日號]`),
    build: (m) => date(num(m[1]), num(m[2]), num(m[3])),
  },
  {
    // Nov 20, November 20th, 2026
    re: sticky(`(?:on\\s+)?(${EN_MONTH_ALT})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?`),
    build: (m, ctx) =>
      bareNumberMayBeTime(ctx, m.index, m.index + m[0].length) ? date(num(m[3]), monthNumber(m[1] ?? ''), num(m[2])) : undefined,
  },
  {
    // 20 November, the 20th of Nov 2026
    re: sticky(`(?:on\\s+)?(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${EN_MONTH_ALT})\\.?(?:,?\\s+(\\d{4}))?`),
    build: (m) => date(num(m[3]), monthNumber(m[2] ?? ''), num(m[1])),
  },
  {
    // 20號, 二十日 without a month; not 3日前 / 3日內 (counted days), nor a number naming a place
    // (5號門, 3號攝影機, 二號倉庫).
    re: sticky(`(\\d{1,2}|${ZH_NUM})\\s*[號号日](?!\\s*(?:前|後|后|內|内|以|之|來|来|起|間|间|左右|[門门樓楼房室車车機机倉仓口線线區区館馆廳厅位台臺櫃柜道路街巷店鏡镜攝摄桌床碼码]))`),
    build: (m) => monthDay(num(m[1])),
  },
  {
    // on the 20th, without a month: only where a time may follow, not "on the 3rd shelf".
    re: sticky(
      `(?:on\\s+)?the\\s+(\\d{1,2})(?:st|nd|rd|th)(?=\\s*(?:$|[,.?!]|(?:at|in|on|between|from|after|before|around|until|till|to|morning|afternoon|evening|night)(?![a-z])))`,
    ),
    build: (m) => monthDay(num(m[1])),
  },
];

function monthDay(day: number | undefined): TokenFields | undefined {
  return day !== undefined && Number.isInteger(day) && day >= 1 && day <= 31 ? { day: { kind: 'monthDay', day } } : undefined;
}

const ZH_CALENDAR: Readonly<Record<string, SpanSpec>> = {
  本週: { kind: 'calendar', unit: 'week', offset: 0 },
  這週: { kind: 'calendar', unit: 'week', offset: 0 },
  這一週: { kind: 'calendar', unit: 'week', offset: 0 },
  這星期: { kind: 'calendar', unit: 'week', offset: 0 },
  這個星期: { kind: 'calendar', unit: 'week', offset: 0 },
  本星期: { kind: 'calendar', unit: 'week', offset: 0 },
  這禮拜: { kind: 'calendar', unit: 'week', offset: 0 },
  這個禮拜: { kind: 'calendar', unit: 'week', offset: 0 },
  上上週: { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  上上個星期: { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  上上星期: { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  上上禮拜: { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  上上個禮拜: { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  上上個月: { kind: 'calendar', unit: 'month', offset: -2, counted: true },
  前年: { kind: 'calendar', unit: 'year', offset: -2, counted: true },
  上週: { kind: 'calendar', unit: 'week', offset: -1 },
  上一週: { kind: 'calendar', unit: 'week', offset: -1 },
  上星期: { kind: 'calendar', unit: 'week', offset: -1 },
  上個星期: { kind: 'calendar', unit: 'week', offset: -1 },
  上禮拜: { kind: 'calendar', unit: 'week', offset: -1 },
  上個禮拜: { kind: 'calendar', unit: 'week', offset: -1 },
  本月: { kind: 'calendar', unit: 'month', offset: 0 },
  這個月: { kind: 'calendar', unit: 'month', offset: 0 },
  這月: { kind: 'calendar', unit: 'month', offset: 0 },
  上個月: { kind: 'calendar', unit: 'month', offset: -1 },
  上月: { kind: 'calendar', unit: 'month', offset: -1 },
  今年: { kind: 'calendar', unit: 'year', offset: 0 },
  去年: { kind: 'calendar', unit: 'year', offset: -1 },
  週末: { kind: 'weekend', rule: 'recent', weekOffset: 0 },
  這週末: { kind: 'weekend', rule: 'week', weekOffset: 0 },
  這個週末: { kind: 'weekend', rule: 'week', weekOffset: 0 },
  本週末: { kind: 'weekend', rule: 'week', weekOffset: 0 },
  上週末: { kind: 'weekend', rule: 'week', weekOffset: -1 },
  上個週末: { kind: 'weekend', rule: 'week', weekOffset: -1 },
  剛才: { kind: 'justNow' },
  剛剛: { kind: 'justNow' },
  方才: { kind: 'justNow' },
  'this week': { kind: 'calendar', unit: 'week', offset: 0 },
  'this month': { kind: 'calendar', unit: 'month', offset: 0 },
  'this year': { kind: 'calendar', unit: 'year', offset: 0 },
  'last year': { kind: 'calendar', unit: 'year', offset: -1 },
  'the week before last': { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  'week before last': { kind: 'calendar', unit: 'week', offset: -2, counted: true },
  'the month before last': { kind: 'calendar', unit: 'month', offset: -2, counted: true },
  'month before last': { kind: 'calendar', unit: 'month', offset: -2, counted: true },
  'the year before last': { kind: 'calendar', unit: 'year', offset: -2, counted: true },
  'this weekend': { kind: 'weekend', rule: 'week', weekOffset: 0 },
  'last weekend': { kind: 'weekend', rule: 'week', weekOffset: -1 },
  'the weekend': { kind: 'weekend', rule: 'recent', weekOffset: 0 },
  'just now': { kind: 'justNow' },
  'a moment ago': { kind: 'justNow' },
  'moments ago': { kind: 'justNow' },
};

export const SPAN_MATCHERS: readonly Matcher[] = [
  { re: sticky(`(${alt(Object.keys(ZH_CALENDAR))})`), build: (m) => span(ZH_CALENDAR[m[1] ?? '']) },
  {
    // 過去3小時, 最近三天, 近一週內, 过去一个月
    re: sticky(`(?:過去|最近|近)(?:的)?\\s*(\\d{1,3}|${ZH_NUM}|半)\\s*個?\\s*(${ZH_UNIT})(?:內|以內|之內|裡)?`),
    build: (m) => rolling(parseCount(m[1] ?? ''), unitOf(m[2])),
  },
  {
    // 3小時內, 半小时以内; not 停留5分鐘以內 (how long someone stayed).
    re: sticky(`(?<!(?:停留|逗留|待了|呆了|待|呆|留了)\\s*)(\\d{1,3}|${ZH_NUM}|半)\\s*個?\\s*(分鐘|小時|鐘頭)\\s*(?:以內|之內|內)`),
    build: (m) => rolling(parseCount(m[1] ?? ''), unitOf(m[2])),
  },
  {
    // 一小時前, 半個小時前, 10分鐘前
    re: sticky(`(\\d{1,3}|${ZH_NUM}|半)\\s*個?\\s*(分鐘|小時|鐘頭)\\s*(?:之前|以前|前)`),
    build: (m) => ago(parseCount(m[1] ?? ''), unitOf(m[2])),
  },
  {
    // past 3 hours, in the last hour, the past 30 minutes, last 24h, last week (calendar), past week (rolling)
    re: sticky(`(?:(?:in|during|over|within)\\s+)?(the\\s+)?(past|last|previous)\\s+(?:(${EN_COUNT})\\s*)?(${EN_UNIT})(?![a-z])`),
    build: (m) => {
      const unit = unitOf(m[4]);
      if (m[3] === undefined && m[1] === undefined && m[2] !== 'past' && (unit === 'week' || unit === 'month')) {
        return span({ kind: 'calendar', unit, offset: -1 });
      }
      return rolling(m[3] === undefined ? 1 : parseCount(m[3]), unit);
    },
  },
  {
    re: sticky(`(${EN_COUNT})\\s*(minutes?|mins?|hours?|hrs?)\\s+ago`),
    build: (m) => ago(parseCount(m[1] ?? ''), unitOf(m[2])),
  },
  {
    // three weeks ago, a month ago, 2 years ago: the whole calendar unit that many back
    // Not the "a year ago" of "half a year ago", which is no whole calendar unit.
    re: sticky(`(?<!half\\s+)(${EN_COUNT})\\s+(weeks?|months?|years?)\\s+ago`),
    build: (m) => unitsBack(parseCount(m[1] ?? ''), m[2]?.replace(/s$/, '')),
  },
  {
    // 三週前, 兩個星期前, 3個月前, 兩年前
    re: sticky(`(\\d{1,3}|${ZH_NUM})\\s*個?\\s*(週|星期|禮拜|月|年)\\s*(?:之前|以前|前)`),
    build: (m) => unitsBack(parseCount(m[1] ?? ''), ZH_CALENDAR_UNITS[m[2] ?? '']),
  },
];

const ZH_CALENDAR_UNITS: Readonly<Record<string, 'week' | 'month' | 'year'>> = { 週: 'week', 星期: 'week', 禮拜: 'week', 月: 'month', 年: 'year' };

function unitsBack(amount: number | undefined, unit: string | undefined): TokenFields | undefined {
  if (amount === undefined || !Number.isInteger(amount) || amount <= 0) return undefined;
  if (unit !== 'week' && unit !== 'month' && unit !== 'year') return undefined;
  return span({ kind: 'calendar', unit, offset: -amount, counted: true });
}

function rolling(amount: number | undefined, unit: SpanUnit | undefined): TokenFields | undefined {
  if (amount === undefined || unit === undefined || amount <= 0) return undefined;
  return span({ kind: 'rolling', amount, unit });
}

function ago(amount: number | undefined, unit: SpanUnit | undefined): TokenFields | undefined {
  if (amount === undefined || amount <= 0 || (unit !== 'minute' && unit !== 'hour')) return undefined;
  return span({ kind: 'ago', amount, unit });
}
