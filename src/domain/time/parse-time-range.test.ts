import { describe, expect, it } from 'vitest';
import { zonedTimeToEpochMs } from '../source-time.ts';
import { parseTimeRange } from './parse-time-range.ts';

const TAIPEI = 'Asia/Taipei';
const PARIS = 'Europe/Paris';
const HOUR = 3_600_000;

/** "2026-11-20 22:00" on the clocks of `timeZone`, as epoch ms (a repeated hour reads as its first occurrence). */
function at(local: string, timeZone = TAIPEI): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new Error(`bad local time ${local}`);
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return zonedTimeToEpochMs({ year, month, day, hour, minute, second: 0 }, timeZone);
}

function wall(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(ms);
}

/** Saturday 2026-11-21 15:30 in Taipei. */
const NOW = at('2026-11-21 15:30');

/** The match as local wall-clock strings, so a failure reads like the table. */
function parseLocal(input: string, now = NOW, timeZone = TAIPEI) {
  const r = parseTimeRange(input, { nowMs: now, timeZone });
  return r && { from: wall(r.fromMs, timeZone), to: wall(r.toMs, timeZone), text: r.text, notes: r.notes, raw: r };
}

// [phrase, from, to, text when it differs from the phrase]
const TAIPEI_TABLE: ReadonlyArray<readonly [string, string, string, string?]> = [
  // Chinese days
  ['今天', '2026-11-21 00:00', '2026-11-22 00:00'],
  ['今日有人按門鈴嗎', '2026-11-21 00:00', '2026-11-22 00:00', '今日'],
  ['昨天', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['昨日', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['前天', '2026-11-19 00:00', '2026-11-20 00:00'],
  ['大前天', '2026-11-18 00:00', '2026-11-19 00:00'],
  ['明天', '2026-11-22 00:00', '2026-11-23 00:00'],
  ['上週五', '2026-11-13 00:00', '2026-11-14 00:00'],
  ['上周五', '2026-11-13 00:00', '2026-11-14 00:00'],
  ['上星期五', '2026-11-13 00:00', '2026-11-14 00:00'],
  ['上禮拜五', '2026-11-13 00:00', '2026-11-14 00:00'],
  ['這週三', '2026-11-18 00:00', '2026-11-19 00:00'],
  ['本週日', '2026-11-22 00:00', '2026-11-23 00:00'],
  ['週五', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['星期六', '2026-11-21 00:00', '2026-11-22 00:00'],
  ['星期六晚上', '2026-11-14 18:00', '2026-11-15 00:00'],
  ['禮拜天', '2026-11-15 00:00', '2026-11-16 00:00'],
  ['本週', '2026-11-16 00:00', '2026-11-23 00:00'],
  ['這週', '2026-11-16 00:00', '2026-11-23 00:00'],
  ['上週', '2026-11-09 00:00', '2026-11-16 00:00'],
  ['上個月', '2026-10-01 00:00', '2026-11-01 00:00'],
  ['這個月', '2026-11-01 00:00', '2026-12-01 00:00'],
  ['3天前', '2026-11-18 00:00', '2026-11-19 00:00'],
  ['過去2小時', '2026-11-21 13:30', '2026-11-21 15:30'],
  ['最近3小時有誰來過', '2026-11-21 12:30', '2026-11-21 15:30', '最近3小時'],
  ['過去30分鐘', '2026-11-21 15:00', '2026-11-21 15:30'],
  ['最近三天', '2026-11-18 15:30', '2026-11-21 15:30'],
  ['剛才有人經過嗎', '2026-11-21 15:15', '2026-11-21 15:30', '剛才'],
  ['一小時前', '2026-11-21 14:00', '2026-11-21 15:00'],
  // Chinese parts of day
  ['凌晨', '2026-11-21 00:00', '2026-11-21 06:00'],
  ['早上', '2026-11-21 06:00', '2026-11-21 12:00'],
  ['中午', '2026-11-21 11:00', '2026-11-21 13:00'],
  ['下午', '2026-11-21 12:00', '2026-11-21 18:00'],
  ['傍晚', '2026-11-20 17:00', '2026-11-20 19:00'],
  ['晚上', '2026-11-20 18:00', '2026-11-21 00:00'],
  ['半夜', '2026-11-20 22:00', '2026-11-21 02:00'],
  ['今晚', '2026-11-21 18:00', '2026-11-22 06:00'],
  ['昨晚', '2026-11-20 18:00', '2026-11-21 06:00'],
  ['昨天晚上', '2026-11-20 18:00', '2026-11-21 00:00'],
  ['前天下午', '2026-11-19 12:00', '2026-11-19 18:00'],
  ['昨天整天', '2026-11-20 00:00', '2026-11-21 00:00'],
  // Chinese clock times
  ['10點', '2026-11-21 10:00', '2026-11-21 11:00'],
  ['十點半', '2026-11-21 10:30', '2026-11-21 11:30'],
  ['10點30分', '2026-11-21 10:30', '2026-11-21 11:30'],
  ['下午三點一刻', '2026-11-21 15:15', '2026-11-21 16:15'],
  ['兩點', '2026-11-21 14:00', '2026-11-21 15:00'],
  ['22:30', '2026-11-20 22:30', '2026-11-20 23:30'],
  ['10點到11點', '2026-11-21 10:00', '2026-11-21 11:00'],
  ['10點至11點', '2026-11-21 10:00', '2026-11-21 11:00'],
  ['10點-11點', '2026-11-21 10:00', '2026-11-21 11:00'],
  ['晚上10點到11點', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['凌晨2點', '2026-11-21 02:00', '2026-11-21 03:00'],
  ['昨天晚上10點到11點後門有沒有人徘徊？', '2026-11-20 22:00', '2026-11-20 23:00', '昨天晚上10點到11點'],
  ['晚上11點到凌晨1點', '2026-11-20 23:00', '2026-11-21 01:00'],
  ['昨天晚上10點到今天早上6點', '2026-11-20 22:00', '2026-11-21 06:00'],
  ['昨晚2點', '2026-11-21 02:00', '2026-11-21 03:00'],
  ['昨天凌晨2點', '2026-11-20 02:00', '2026-11-20 03:00'],
  ['晚上12點', '2026-11-21 00:00', '2026-11-21 01:00'],
  ['上週五下午3點左右有車停在門口嗎', '2026-11-13 14:30', '2026-11-13 15:30', '上週五下午3點左右'],
  ['10點以後後門有人嗎', '2026-11-21 10:00', '2026-11-21 15:30', '10點以後'],
  ['有沒有人在2026年11月20日晚上出現', '2026-11-20 18:00', '2026-11-21 00:00', '在2026年11月20日晚上'],
  ['十一月二十號', '2026-11-20 00:00', '2026-11-21 00:00'],
  // Simplified
  ['昨天晚上10点到11点后门有没有人徘徊？', '2026-11-20 22:00', '2026-11-20 23:00', '昨天晚上10点到11点'],
  ['上周五', '2026-11-13 00:00', '2026-11-14 00:00'],
  ['过去一小时', '2026-11-21 14:30', '2026-11-21 15:30'],
  ['两点', '2026-11-21 14:00', '2026-11-21 15:00'],
  ['上礼拜五下午', '2026-11-13 12:00', '2026-11-13 18:00'],
  ['从昨天晚上十点到现在', '2026-11-20 22:00', '2026-11-21 15:30'],
  ['这个月', '2026-11-01 00:00', '2026-12-01 00:00'],
  // English
  ['today', '2026-11-21 00:00', '2026-11-22 00:00'],
  ['yesterday', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['the day before yesterday', '2026-11-19 00:00', '2026-11-20 00:00'],
  ['tonight', '2026-11-21 18:00', '2026-11-22 06:00'],
  ['last night', '2026-11-20 18:00', '2026-11-21 06:00'],
  ['this morning', '2026-11-21 06:00', '2026-11-21 12:00'],
  ['this afternoon', '2026-11-21 12:00', '2026-11-21 18:00'],
  ['this evening', '2026-11-21 18:00', '2026-11-22 00:00'],
  ['yesterday morning', '2026-11-20 06:00', '2026-11-20 12:00'],
  ['last Friday', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['any trucks last Friday morning?', '2026-11-20 06:00', '2026-11-20 12:00', 'last Friday morning'],
  ['who came on Friday', '2026-11-20 00:00', '2026-11-21 00:00', 'on Friday'],
  ['this week', '2026-11-16 00:00', '2026-11-23 00:00'],
  ['last week', '2026-11-09 00:00', '2026-11-16 00:00'],
  ['this month', '2026-11-01 00:00', '2026-12-01 00:00'],
  ['last month', '2026-10-01 00:00', '2026-11-01 00:00'],
  ['past 3 hours', '2026-11-21 12:30', '2026-11-21 15:30'],
  ['past 30 minutes', '2026-11-21 15:00', '2026-11-21 15:30'],
  ['last 2 days', '2026-11-19 15:30', '2026-11-21 15:30'],
  ['anything in the last hour?', '2026-11-21 14:30', '2026-11-21 15:30', 'in the last hour'],
  ['an hour ago', '2026-11-21 14:00', '2026-11-21 15:00'],
  ['since 9am', '2026-11-21 09:00', '2026-11-21 15:30'],
  ['since 9:30', '2026-11-21 09:30', '2026-11-21 15:30'],
  ['between 10 and 11 pm', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['from 10pm to 11pm', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['10-11pm', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['11-1pm', '2026-11-21 11:00', '2026-11-21 13:00'],
  ['11pm to 1am', '2026-11-20 23:00', '2026-11-21 01:00'],
  ['at 10pm', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['22:00-23:00', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['2026-11-20', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['2026-11-20T22:00', '2026-11-20 22:00', '2026-11-20 23:00'],
  ['Nov 20', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['20 November', '2026-11-20 00:00', '2026-11-21 00:00'],
  ['Dec 25', '2025-12-25 00:00', '2025-12-26 00:00'],
  [
    'did anyone loiter at the back door last night between 10 and 11?',
    '2026-11-20 22:00',
    '2026-11-20 23:00',
    'last night between 10 and 11',
  ],
  ['show me the car yesterday at 10pm near camera 2', '2026-11-20 22:00', '2026-11-20 23:00', 'yesterday at 10pm'],
  ['yesterday between 10 and 11', '2026-11-20 10:00', '2026-11-20 11:00'],
  ['last night at 2am', '2026-11-21 02:00', '2026-11-21 03:00'],
  ['around 10pm', '2026-11-20 21:30', '2026-11-20 22:30'],
  ['what happened at 3?', '2026-11-21 15:00', '2026-11-21 16:00', 'at 3'],
  ['anyone at the back door between 10 and 11', '2026-11-21 10:00', '2026-11-21 11:00', 'between 10 and 11'],
  ['before 9am', '2026-11-21 00:00', '2026-11-21 09:00'],
  ['早上九點以前', '2026-11-21 06:00', '2026-11-21 09:00'],
  ['晚上10點以前門口有車嗎', '2026-11-20 18:00', '2026-11-20 22:00', '晚上10點以前'],
  ['10點前門有人嗎', '2026-11-21 10:00', '2026-11-21 11:00', '10點'],
  // Mixed languages
  ['昨天 10pm-11pm 有人嗎', '2026-11-20 22:00', '2026-11-20 23:00', '昨天 10pm-11pm'],
  // Weeks, months and years counted back: the whole calendar unit (weeks from Monday)
  ['three weeks ago', '2026-10-26 00:00', '2026-11-02 00:00'],
  ['anyone at the gate 2 weeks ago?', '2026-11-02 00:00', '2026-11-09 00:00', '2 weeks ago'],
  ['the week before last', '2026-11-02 00:00', '2026-11-09 00:00'],
  ['a month ago', '2026-10-01 00:00', '2026-11-01 00:00'],
  ['the month before last', '2026-09-01 00:00', '2026-10-01 00:00'],
  ['2 years ago', '2024-01-01 00:00', '2025-01-01 00:00'],
  ['三週前', '2026-10-26 00:00', '2026-11-02 00:00'],
  ['兩個星期前有人嗎', '2026-11-02 00:00', '2026-11-09 00:00', '兩個星期前'],
  ['上上週', '2026-11-02 00:00', '2026-11-09 00:00'],
  ['上上周有车吗', '2026-11-02 00:00', '2026-11-09 00:00', '上上周'],
  ['上上個禮拜', '2026-11-02 00:00', '2026-11-09 00:00'],
  ['上上個月', '2026-09-01 00:00', '2026-10-01 00:00'],
  ['3個月前', '2026-08-01 00:00', '2026-09-01 00:00'],
  ['前年', '2024-01-01 00:00', '2025-01-01 00:00'],
  // Night before last, hours in words
  ['night before last at 11pm', '2026-11-19 23:00', '2026-11-20 00:00'],
  ['around nine', '2026-11-21 08:30', '2026-11-21 09:30'],
  ['anyone around nine last night?', '2026-11-20 20:30', '2026-11-20 21:30', 'around nine last night'],
  ['between ten and eleven last night', '2026-11-20 22:00', '2026-11-20 23:00'],
  // Clock times in words: minutes past and to the hour
  ['at half past nine last night', '2026-11-20 21:30', '2026-11-20 22:30'],
  ['anyone around a quarter to ten last night?', '2026-11-20 21:15', '2026-11-20 22:15', 'around a quarter to ten last night'],
  ['at ten to eleven last night', '2026-11-20 22:50', '2026-11-20 23:50'],
  ['since twenty past two', '2026-11-21 14:20', '2026-11-21 15:30'],
  ['until a quarter past eight this morning', '2026-11-21 06:00', '2026-11-21 08:15'],
  ['at nine thirty pm yesterday', '2026-11-20 21:30', '2026-11-20 22:30'],
  ['at ten to midnight yesterday', '2026-11-20 23:50', '2026-11-21 00:50'],
  ['from ten to eleven last night', '2026-11-20 22:00', '2026-11-20 23:00'],
];

describe('parseTimeRange in Asia/Taipei, now Saturday 2026-11-21 15:30', () => {
  it('has a table of at least 40 phrases', () => {
    expect(TAIPEI_TABLE.length).toBeGreaterThanOrEqual(40);
  });

  const rows = TAIPEI_TABLE.map(([phrase, from, to, text]) => ({ phrase, from, to, text: text ?? phrase }));
  it.each(rows)('$phrase → [$from, $to)', ({ phrase, from, to, text }) => {
    const r = parseLocal(phrase);
    expect(r && { from: r.from, to: r.to, text: r.text }).toEqual({ from, to, text });
  });
});

describe('ambiguity rules', () => {
  it('reads a bare range as the latest that has begun: at 09:00, 10點到11點 is last night', () => {
    const r = parseLocal('10點到11點', at('2026-11-21 09:00'));
    expect([r?.from, r?.to]).toEqual(['2026-11-20 22:00', '2026-11-20 23:00']);
    expect(r?.notes[0]).toContain('10:00 and 22:00 were both considered');
  });

  it('reads a range in progress as today: at 15:30, 3點到4點 is 15:00-16:00', () => {
    const r = parseLocal('3點到4點');
    expect([r?.from, r?.to]).toEqual(['2026-11-21 15:00', '2026-11-21 16:00']);
  });

  it('explains a part of day that moved the hours', () => {
    expect(parseLocal('did anyone loiter last night between 10 and 11?')?.notes).toEqual([
      '"last night between 10 and 11" read as 2026-11-20 22:00–23:00 (10 read as 22:00 because of "last night")',
    ]);
  });

  it('keeps notes empty when nothing was chosen', () => {
    for (const phrase of ['昨天', '上週五', '昨天凌晨2點', 'past 3 hours', '2026-11-20T22:00', 'yesterday at 10pm']) {
      expect(parseLocal(phrase)?.notes, phrase).toEqual([]);
    }
  });

  it('notes the reading of last Friday, weekdays alone, and Sunday of a week', () => {
    expect(parseLocal('last Friday')?.notes[0]).toContain('most recent Friday before today');
    expect(parseLocal('週五')?.notes[0]).toContain('most recent Friday that has begun');
    expect(parseLocal('上週日')?.notes[0]).toContain('weeks start on Monday');
  });

  it('takes today for a weekday once its range has begun, else the week before', () => {
    expect(parseLocal('週六下午')?.from).toBe('2026-11-21 12:00');
    expect(parseLocal('週六晚上')?.from).toBe('2026-11-14 18:00');
  });

  it('keeps an explicit today even when it has not started', () => {
    expect(parseLocal('今天晚上')?.from).toBe('2026-11-21 18:00');
  });

  it('reads Simplified exactly like Traditional', () => {
    const pairs = [
      ['昨天晚上十點到十一點', '昨天晚上十点到十一点'],
      ['上週五', '上周五'],
      ['過去一小時', '过去一小时'],
      ['兩點半', '两点半'],
      ['這個禮拜', '这个礼拜'],
    ] as const;
    for (const [traditional, simplified] of pairs) {
      expect(parseLocal(simplified)?.raw.fromMs).toBe(parseLocal(traditional)?.raw.fromMs);
      expect(parseLocal(simplified)?.raw.toMs).toBe(parseLocal(traditional)?.raw.toMs);
    }
  });
});

describe('a day of the month without its month', () => {
  it.each([
    ['20號早上有人進來嗎', '2026-11-20 06:00', '2026-11-20 12:00', '20號早上'],
    ['20号晚上', '2026-11-20 18:00', '2026-11-21 00:00', '20号晚上'],
    ['how many times was the storeroom entered on the 20th', '2026-11-20 00:00', '2026-11-21 00:00', 'on the 20th'],
    ['on the 21st at 9am', '2026-11-21 09:00', '2026-11-21 10:00', 'on the 21st at 9am'],
    // Not begun yet this month: last month's; October has a 31st, so it is that one.
    ['25號', '2026-10-25 00:00', '2026-10-26 00:00', '25號'],
    ['31號', '2026-10-31 00:00', '2026-11-01 00:00', '31號'],
  ] as const)('%s', (phrase, from, to, text) => {
    const r = parseLocal(phrase);
    expect(r).toMatchObject({ from, to, text });
    expect(r?.notes.join(' ')).toContain('no month given, so the most recent such day of the month');
  });
});

describe('a place word before a count of weeks', () => {
  it('reads 樓上上週 as upstairs, last week (not the week before last)', () => {
    expect(parseLocal('樓上上週有人嗎')).toMatchObject({ from: '2026-11-09 00:00', to: '2026-11-16 00:00', text: '上週' });
    expect(parseLocal('上上週有人嗎')).toMatchObject({ from: '2026-11-02 00:00', to: '2026-11-09 00:00' });
  });
});

describe('ranges of days', () => {
  it.each([
    ['19號到21號有人嗎', '2026-11-19 00:00', '2026-11-22 00:00', '19號到21號'],
    ['從昨天到今天', '2026-11-20 00:00', '2026-11-22 00:00', '從昨天到今天'],
    ['11月19日至11月20日', '2026-11-19 00:00', '2026-11-21 00:00', '11月19日至11月20日'],
    ['from Wednesday to Friday', '2026-11-18 00:00', '2026-11-21 00:00', 'from Wednesday to Friday'],
    ['anyone from monday until wednesday?', '2026-11-16 00:00', '2026-11-19 00:00', 'from monday until wednesday'],
  ] as const)('%s', (phrase, from, to, text) => {
    expect(parseLocal(phrase)).toMatchObject({ from, to, text });
  });

  it('reads nothing when the last day comes before the first, and leaves ranges of hours alone', () => {
    expect(parseLocal('21號到19號')).toBeUndefined();
    expect(parseLocal('昨天晚上10點到11點')).toMatchObject({ from: '2026-11-20 22:00', to: '2026-11-20 23:00' });
    // Not a range of days: the last day has a part of day; the longer phrase is read.
    expect(parseLocal('19號到20號晚上')).toMatchObject({ text: '20號晚上' });
  });
});

describe('seconds', () => {
  const secondsOf = (phrase: string, now = NOW) => {
    const r = parseTimeRange(phrase, { nowMs: now, timeZone: TAIPEI });
    return r && { from: (r.fromMs - at('2026-11-20 21:40')) / 1000, to: (r.toMs - at('2026-11-20 21:40')) / 1000, text: r.text };
  };
  // Friday 23:00: the evening of 2026-11-20 has begun.
  const friday = at('2026-11-20 23:00');
  it.each([
    ['after 9:40:30 pm', 30, 80 * 60, 'after 9:40:30 pm'],
    ['after 21:40:30', 30, 80 * 60, 'after 21:40:30'],
    ['九點四十分半以後', 30, 80 * 60, '九點四十分半以後'],
    ['晚上9点40分30秒以后有人吗', 30, 80 * 60, '晚上9点40分30秒以后'],
    ['before 9:40:30pm', -(21 * 60 + 40) * 60 + 0 + 0, 30, 'before 9:40:30pm'],
  ] as const)('%j starts or ends on the second', (phrase, from, to, text) => {
    expect(secondsOf(phrase, friday)).toEqual({ from, to, text });
  });

  it('says the seconds in the note', () => {
    const r = parseTimeRange('九點四十分半以後', { nowMs: friday, timeZone: TAIPEI });
    expect(r?.notes.join(' ')).toContain('21:40:30');
  });
});

describe('text without a time', () => {
  it.each([
    'camera 2',
    '3 people',
    '2 個人',
    '2个人进了后门',
    '有沒有人在後門徘徊',
    '有一點可疑',
    'night vision camera',
    'between 2 and 3 people',
    '2-3 people at the gate',
    '2到3個人',
    'any red car at 3 cameras',
    '第3個攝影機',
    '2號門有人嗎',
    '3號攝影機',
    '二号仓库有人吗',
    'on the 3rd shelf',
    'on the 5th floor',
    '3日內',
    // How long someone stayed, not when; half a year is no calendar unit (left for unreadTimeWords).
    '停留5分鐘以內',
    'half a year ago',
    'room 10-11',
    'good morning',
    'May I see the car',
    '最近有人嗎',
    'at one point a car stopped',
    'about two people',
    'one car',
    // A run of counting words longer than any reading: left whole for unreadTimeWords, not cut.
    '上上上週',
    '大大前天',
    '',
  ])('%j has no time', (phrase) => {
    expect(parseTimeRange(phrase, { nowMs: NOW, timeZone: TAIPEI })).toBeUndefined();
  });
});

describe('Europe/Paris across DST changes', () => {
  // Clocks went back from 03:00 CEST to 02:00 CET on Sunday 2026-10-25.
  const afterFallBack = at('2026-10-26 12:00', PARIS);
  const paris = (phrase: string, now = afterFallBack) => parseTimeRange(phrase, { nowMs: now, timeZone: PARIS });

  it.each([
    ['yesterday', '2026-10-25 00:00', '2026-10-26 00:00', 25],
    ['last night', '2026-10-25 18:00', '2026-10-26 06:00', 12],
    ['past 2 days', '2026-10-24 12:00', '2026-10-26 12:00', 49],
    ['past 24 hours', '2026-10-25 12:00', '2026-10-26 12:00', 24],
    ['昨天凌晨2點到3點', '2026-10-25 02:00', '2026-10-25 03:00', 2],
  ] as const)('%s spans [%s, %s), %d hours', (phrase, from, to, hours) => {
    const r = paris(phrase);
    expect(r?.fromMs).toBe(at(from, PARIS));
    expect(r?.toMs).toBe(at(to, PARIS));
    expect(((r?.toMs ?? 0) - (r?.fromMs ?? 0)) / HOUR).toBe(hours);
  });

  // Clocks jumped from 02:00 CET to 03:00 CEST on Sunday 2026-03-29.
  const springForward = at('2026-03-29 12:00', PARIS);

  it('gives the spring-forward day 23 hours', () => {
    const r = paris('today', springForward);
    expect(((r?.toMs ?? 0) - (r?.fromMs ?? 0)) / HOUR).toBe(23);
  });

  it('reads a skipped 02:00 as 03:00 summer time, still an hour long', () => {
    const r = paris('凌晨2點', springForward);
    expect(r?.fromMs).toBe(at('2026-03-29 03:00', PARIS));
    expect(r?.toMs).toBe(at('2026-03-29 04:00', PARIS));
  });
});
