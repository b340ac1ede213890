/**
 * How long someone stayed, as a question says it: "longer than 45 seconds", "for under a minute",
 * "2 minutes or more", 「超過兩分鐘」, 「不到3秒」, 「一分半以上」. Read from normalized text (lower
 * case, Simplified Chinese). The comparison is on each person's own stay (EventActor.staySeconds).
 */
export type StayComparison = 'gt' | 'gte' | 'lt' | 'lte';

export interface StayDuration {
  op: StayComparison;
  seconds: number;
  /** The words read, as they appear in the text. */
  text: string;
}

const EN_NUMBERS: Readonly<Record<string, number>> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, fifteen: 15,
  twenty: 20, thirty: 30, forty: 40, 'forty-five': 45, fifty: 50, sixty: 60, ninety: 90, 'half a': 0.5, 'half an': 0.5,
};
const ZH_DIGITS: Readonly<Record<string, number>> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 十, 四十五, 两, 一百二十 (up to 999). */
function zhNumber(text: string): number | undefined {
  let total = 0;
  let digit: number | undefined;
  for (const ch of text) {
    if (ch in ZH_DIGITS) digit = ZH_DIGITS[ch];
    else if (ch === '十') {
      total += (digit ?? 1) * 10;
      digit = undefined;
    } else if (ch === '百') {
      total += (digit ?? 1) * 100;
      digit = undefined;
    } else return undefined;
  }
  return total + (digit ?? 0);
}

function amount(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t);
  if (t in EN_NUMBERS) return EN_NUMBERS[t];
  if (t === '半') return 0.5;
  return zhNumber(t);
}

const UNIT_SECONDS: ReadonlyArray<[RegExp, number]> = [
  [/^(?:s|secs?|seconds?|秒|秒钟)$/, 1],
  [/^(?:m|mins?|minutes?|分|分钟)$/, 60],
  [/^(?:h|hrs?|hours?|小时|个小时|钟头|个钟头)$/, 3600],
];
const unitSeconds = (unit: string) => UNIT_SECONDS.find(([re]) => re.test(unit.trim()))?.[1];

const EN_NUM = String.raw`(\d+(?:\.\d+)?|half an?|forty-five|an?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty|sixty|ninety)`;
const EN_UNIT = String.raw`(secs?|seconds?|s|mins?|minutes?|m|hrs?|hours?|h)`;
// 半分钟 (half a minute), 半个小时: 半 alone is a number too.
const ZH_NUM = String.raw`(\d+(?:\.\d+)?|[零一二两三四五六七八九十百]+|半(?=\s*个?(?:小时|钟头|分钟|分|秒)))`;
// 一分半 (a minute and a half), 1分30秒, 两分钟, 三十秒, 一个小时
const ZH_SPAN = String.raw`${ZH_NUM}\s*(个小时|小时|个钟头|钟头|分钟|分|秒钟|秒)(?:\s*(半钟?|(?:\d+|[零一二两三四五六七八九十]+)\s*秒钟?))?`;

const EN_BEFORE: ReadonlyArray<[string, StayComparison]> = [
  ['longer than', 'gt'], ['more than', 'gt'], ['over', 'gt'], ['above', 'gt'], ['greater than', 'gt'], ['exceeding', 'gt'],
  ['at least', 'gte'], ['no less than', 'gte'], ['not less than', 'gte'],
  ['less than', 'lt'], ['shorter than', 'lt'], ['under', 'lt'], ['below', 'lt'], ['fewer than', 'lt'],
  ['at most', 'lte'], ['no more than', 'lte'], ['not more than', 'lte'], ['up to', 'lte'], ['within', 'lte'],
];
const EN_AFTER: ReadonlyArray<[string, StayComparison]> = [
  ['or more', 'gte'], ['or longer', 'gte'], ['or over', 'gte'], ['plus', 'gte'], ['or less', 'lte'], ['or under', 'lte'], ['or shorter', 'lte'],
];
const ZH_BEFORE: ReadonlyArray<[string, StayComparison]> = [
  ['超过', 'gt'], ['多于', 'gt'], ['大于', 'gt'], ['长于', 'gt'], ['超出', 'gt'], ['多过', 'gt'],
  ['至少', 'gte'], ['起码', 'gte'], ['不少于', 'gte'], ['不低于', 'gte'],
  ['不到', 'lt'], ['少于', 'lt'], ['小于', 'lt'], ['短于', 'lt'], ['未满', 'lt'], ['不足', 'lt'], ['没到', 'lt'],
  ['不超过', 'lte'], ['最多', 'lte'], ['顶多', 'lte'],
];
const ZH_AFTER: ReadonlyArray<[string, StayComparison]> = [
  ['或以上', 'gte'], ['以上', 'gte'], ['多', 'gt'], ['以内', 'lte'], ['之内', 'lte'], ['内', 'lte'], ['以下', 'lte'],
];
const alt = (words: ReadonlyArray<[string, StayComparison]>) => words.map(([w]) => w).sort((a, b) => b.length - a.length).join('|');
const lookup = (words: ReadonlyArray<[string, StayComparison]>, w: string) => words.find(([x]) => x === w)?.[1];

/** "stayed" before a duration says only what the duration says: read with it, not searched for as a word. */
const EN_STAY_VERB = String.raw`(?:(?:stay|stays|stayed|staying|remain|remained|remaining|wait|waited|waiting)\s+)?`;
const EN_PREFIXED = new RegExp(String.raw`${EN_STAY_VERB}(?:for\s+)?(${alt(EN_BEFORE)})\s+${EN_NUM}\s*${EN_UNIT}(?![a-z])`);
const EN_SUFFIXED = new RegExp(String.raw`${EN_STAY_VERB}(?:for\s+)?${EN_NUM}(?:\s*${EN_UNIT}\s*(${alt(EN_AFTER)}|\+)|(\+)\s*${EN_UNIT})(?![a-z])`);
/** 停留 / 待了 before a duration, likewise: 「在倉庫停留不到30秒」 asks about stays in any zone, not about loitering. */
const ZH_STAY_VERB = '(?:(?:停留|逗留|待了|呆了|待|呆|留了)\\s*)?';
const ZH_PREFIXED = new RegExp(`${ZH_STAY_VERB}(${alt(ZH_BEFORE)})\\s*${ZH_SPAN}`);
const ZH_SUFFIXED = new RegExp(`${ZH_STAY_VERB}${ZH_SPAN}\\s*(${alt(ZH_AFTER)})`);

function zhSeconds(num: string, unit: string, extra: string | undefined): number | undefined {
  const n = amount(num);
  const per = unitSeconds(unit);
  if (n === undefined || per === undefined) return undefined;
  let seconds = n * per;
  if (extra?.startsWith('半')) seconds += per / 2;
  else if (extra !== undefined) {
    const s = amount(extra.replace(/\s*秒钟?$/, ''));
    if (s === undefined) return undefined;
    seconds += s;
  }
  return seconds;
}

/** The first stay duration the text asks about, if any. */
export function readStayDuration(text: string): StayDuration | undefined {
  let m = EN_PREFIXED.exec(text);
  if (m) {
    const n = amount(m[2] ?? '');
    const per = unitSeconds(m[3] ?? '');
    const op = lookup(EN_BEFORE, m[1] ?? '');
    if (n !== undefined && per !== undefined && op) return { op, seconds: n * per, text: m[0] };
  }
  m = EN_SUFFIXED.exec(text);
  if (m) {
    const n = amount(m[1] ?? '');
    const per = unitSeconds(m[2] ?? m[5] ?? '');
    const op = m[3] === '+' || m[4] === '+' ? 'gte' : lookup(EN_AFTER, m[3] ?? '');
    if (n !== undefined && per !== undefined && op) return { op, seconds: n * per, text: m[0] };
  }
  m = ZH_PREFIXED.exec(text);
  if (m) {
    const seconds = zhSeconds(m[2] ?? '', m[3] ?? '', m[4]);
    const op = lookup(ZH_BEFORE, m[1] ?? '');
    if (seconds !== undefined && op) return { op, seconds, text: m[0] };
  }
  m = ZH_SUFFIXED.exec(text);
  if (m) {
    const seconds = zhSeconds(m[1] ?? '', m[2] ?? '', m[3]);
    const op = lookup(ZH_AFTER, m[4] ?? '');
    if (seconds !== undefined && op) return { op, seconds, text: m[0] };
  }
  return undefined;
}

/** Whether a stay of `seconds` is what the question asked for. */
export function staySatisfies(seconds: number, stay: Pick<StayDuration, 'op' | 'seconds'>): boolean {
  switch (stay.op) {
    case 'gt':
      return seconds > stay.seconds;
    case 'gte':
      return seconds >= stay.seconds;
    case 'lt':
      return seconds < stay.seconds;
    case 'lte':
      return seconds <= stay.seconds;
  }
}
