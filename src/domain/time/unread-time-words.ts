/**
 * Time words left in a question after its time phrase was read (or when none was): "fortnight
 * ago", 「上上上週」, "the 3rd", a second phrase beside the first ("yesterday or today"). A search
 * that ignored them would look in the wrong span, usually all of time, without saying so, so the
 * caller reports them and answers nothing instead.
 *
 * Only words that name a time when they stand in a question are listed: units counted back
 * ("ago", 前 after a unit), days, weeks, months, years, clock marks and parts of day with a day
 * word. Words that also name other things stay out: "night" (night vision), "morning" (good
 * morning), "may", minutes and seconds (durations: "stayed 2 minutes"), 前 alone (前門).
 */
import { normalize } from './lexicon.ts';

// Not "sat", "sun", "mon", "wed": words of their own (someone sat down).
const EN_WEEKDAY = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs';
// Alone only the names that are nothing else; "march", "may" and abbreviations need a day after them.
const EN_MONTH_ALONE = 'january|february|april|june|july|august|september|october|november|december';
const EN_MONTH_WITH_DAY = `${EN_MONTH_ALONE}|march|may|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec`;

const EN_TIME_WORDS = new RegExp(
  String.raw`\b(?:` +
    [
      String.raw`(?:half\s+an?\s+|[a-z0-9-]+\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?)\s+ago`,
      // Clock times in words: half past nine, a quarter to ten, nine thirty.
      // Not a count: "five to ten people", "10 to 15 minutes".
      String.raw`(?:half|(?:a\s+)?quarter|five|ten|twenty|twenty-five)\s+(?:past|to|after)\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midnight)(?!\s*(?:people|persons?|cars?|vehicles?|minutes?|mins?|seconds?|secs?|hours?|times|of)\b)`,
      String.raw`(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:fifteen|thirty|forty-five|forty|twenty|ten|fifty)(?:\s*[ap]\.?m\.?)?`,
      String.raw`the\s+other\s+day|a\s+few\s+days\s+ago|(?:a\s+)?couple\s+(?:of\s+)?days\s+ago`,
      String.raw`ago`,
      String.raw`yesterday|today|tonight|tomorrow|fortnight|weekends?`,
      String.raw`(?:this|last|next|previous|past)\s+(?:weeks?|months?|years?|night|morning|afternoon|evening|weekend)`,
      // Not "70 years old", "a 5-year-old".
      String.raw`(?:weeks?|months?|years?)(?![\s-]+old)(?!-)`,
      String.raw`(?:on\s+)?(?:${EN_WEEKDAY})s?`,
      String.raw`(?:${EN_MONTH_WITH_DAY})\.?\s+\d{1,2}(?:st|nd|rd|th)?`,
      String.raw`(?:${EN_MONTH_ALONE})`,
      // "on the 3rd" ending the phrase, not "on the 3rd shelf".
      String.raw`on\s+the\s+\d{1,2}(?:st|nd|rd|th)(?=\s*(?:$|[,.?!;:]|of\b|at\b|in\b|between\b|from\b|after\b|before\b|around\b))`,
      String.raw`(?:to|until|till|through)\s+the\s+\d{1,2}(?:st|nd|rd|th)`,
      String.raw`\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]\.?m\.?)?`,
      String.raw`\d{1,2}\s*(?:[ap]\.?m\.?|o'?clock)`,
      String.raw`noon|midnight|o'?clock`,
    ].join('|') +
    String.raw`)\b`,
  'g',
);

const ZH_NUMERAL = '[0-9零〇一二三四五六七八九十兩百]';
const ZH_TIME_WORDS = new RegExp(
  [
    '[上下]+個?(?:週|星期|禮拜|月)[一二三四五六日天]?',
    // Days and longer counted from now; "兩小時後才離開" is how long, not when.
    `${ZH_NUMERAL}+\\s*個?\\s*(?:天|日|週|星期|禮拜|月|年)\\s*(?:之前|以前|前|之後|以後|後)`,
    '大+前天|大+後天|前天|後天|昨天|昨日|昨晚|昨夜|今天|今日|今晚|今早|明天|明日|明晚',
    '(?:週|星期|禮拜)[一二三四五六日天]',
    '(?:早上|上午|中午|下午|傍晚|晚上|凌晨|清晨|半夜|深夜|午夜|夜裡|白天)',
    // Not 一點 alone: "a little" (有一點可疑).
    `(?:[0-9]{1,2}|[二兩三四五六七八九十]|十[一二])\\s*[點時](?:${ZH_NUMERAL}+分?|半|一刻|三刻)?`,
    `${ZH_NUMERAL}+\\s*月\\s*${ZH_NUMERAL}+\\s*[日號]`,
    // The other end of a range that was not read whole (19號到21號倉庫: 21號 before 倉庫).
    `(?:到|至)\\s*${ZH_NUMERAL}{1,3}\\s*[日號]|${ZH_NUMERAL}{1,3}\\s*[日號]\\s*(?:到|至)`,
    `[0-9]{4}\\s*年`,
    '去年|今年|明年|前年|上個月|這個月|本月|下個月|上週|本週|這週|下週|週末',
    // A few days, not how many: 最近幾天, 這幾天, 前幾天.
    '(?:最近|近|這|这|前|過去|过去)\\s*[幾几]\\s*天',
  ].join('|'),
  'g',
);

/**
 * Time words in `rest` (the question without the time phrase that was read), as written, in the
 * order they appear; empty when there are none.
 */
export function unreadTimeWords(rest: string): string[] {
  const folded = normalize(rest);
  const found: Array<{ at: number; text: string }> = [];
  for (const re of [EN_TIME_WORDS, ZH_TIME_WORDS]) {
    for (const m of folded.matchAll(re)) found.push({ at: m.index, text: rest.slice(m.index, m.index + m[0].length).trim() });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.text);
}
