import type { EventType } from '../../domain/events/event-types.ts';
import { EVENT_TYPE_NAMES, labelName } from '../../domain/events/labels.ts';
import { formatTimeRange } from '../../domain/time/format-range.ts';
import type { SearchHit } from '../../ports/search-store.ts';

export type AnswerLanguage = 'en' | 'zh-Hant' | 'zh-Hans';

export interface AnswerFacts {
  language: AnswerLanguage;
  total: number;
  /** False when `total` is a lower bound (the count stopped there). */
  totalExact: boolean;
  hits: readonly SearchHit[];
  fromMs?: number;
  toMs?: number;
  timeZone: string;
  cameraNames: readonly string[];
  types: readonly EventType[];
  /** Labels filtered on: an answer of none names them ("no dog events"). */
  labels?: readonly string[];
  /** The answer to a counting question, stated first. */
  count?: AnswerCount;
  /** The one event at an end of `of` matches (earliest, latest, longest or shortest stay), stated first. */
  extreme?: { kind: 'earliest' | 'latest' | 'longest' | 'shortest'; of: number };
  missingInfo: readonly string[];
  toSimplified: (text: string) => string;
}

const SHOWN = 3;

export interface AnswerCount {
  kind: 'times' | 'actors';
  value: number;
  exact: boolean;
}

const EXTREME_WORDS = {
  earliest: { en: (n: string) => `The earliest of ${n}.`, zhHant: (n: string) => `${n} 個中最早的一個。` },
  latest: { en: (n: string) => `The latest of ${n}.`, zhHant: (n: string) => `${n} 個中最晚的一個。` },
  longest: { en: (n: string) => `The longest stay of ${n}.`, zhHant: (n: string) => `${n} 個中停留最久的一個。` },
  shortest: { en: (n: string) => `The shortest stay of ${n}.`, zhHant: (n: string) => `${n} 個中停留最短的一個。` },
} as const;

/** Chinese measure words for counted objects: 3 輛汽車, 2 隻狗, else 個. */
const ZH_MEASURE: Readonly<Record<string, string>> = { car: '輛', truck: '輛', bus: '輛', motorcycle: '輛', bicycle: '輛', dog: '隻', cat: '隻', bird: '隻' };

/** The number first, as a sentence: "5 times.", "3 people.", 「共 5 次。」, 「共 3 人。」 */
function countSentence(count: AnswerCount, labels: readonly string[], zh: boolean): string {
  const n = formatCount(count.value);
  const only = labels.length === 1 ? labels[0] : undefined;
  if (zh) {
    const at = count.exact ? '共' : '至少';
    if (count.kind === 'times') return `${at} ${n} 次。`;
    if (only === undefined || only === 'person') return `${at} ${n} ${only === 'person' ? '人' : '個'}。`;
    return `${at} ${n} ${ZH_MEASURE[only] ?? '個'}${labelName(only).zhHant}。`;
  }
  const at = count.exact ? '' : 'At least ';
  if (count.kind === 'times') return `${at}${n} ${count.value === 1 ? 'time' : 'times'}.`;
  const noun = only !== undefined ? (count.value === 1 ? labelName(only).en : labelName(only).enPlural) : count.value === 1 ? 'person or object' : 'people or objects';
  return `${at}${n} ${noun}.`.replace(/^./, (c) => c.toUpperCase());
}

const formatCount = (n: number) => new Intl.NumberFormat('en-US').format(n);

/**
 * The answer without any language model: how many events matched, the best few in the words of
 * their deterministic summaries, and what is missing. Written in the language of the question.
 */
export function composeAnswer(facts: AnswerFacts): string {
  const zh = facts.language !== 'en';
  const range = facts.fromMs !== undefined && facts.toMs !== undefined ? formatTimeRange(facts.fromMs, facts.toMs, facts.timeZone) : undefined;
  const where = facts.cameraNames.join(zh ? '、' : ', ');
  const kinds = facts.types.map((t) => (zh ? EVENT_TYPE_NAMES[t].inSentence.zhHant : EVENT_TYPE_NAMES[t].inSentence.en));
  let text: string;
  if (zh) {
    const scope = [range, where].filter(Boolean).join('，');
    const what = kinds.length ? `${kinds.join('或')}事件` : '事件';
    if (facts.total === 0) {
      const whose = (facts.labels ?? []).map((l) => labelName(l).zhHant).join('或');
      text = `沒有找到${whose ? `${whose}的` : '符合的'}${what}${scope ? `（${scope}）` : ''}。`;
    } else {
      const best = facts.hits.slice(0, SHOWN).map((h, i) => `${i + 1}. ${h.stored.event.summary.zhHant}`);
      const more = facts.total > SHOWN ? `，以下是最相關的 ${Math.min(SHOWN, facts.hits.length)} 個` : '';
      const count = facts.totalExact ? formatCount(facts.total) : `超過 ${formatCount(facts.total)}`;
      text = `找到 ${count} 個${what}${scope ? `（${scope}）` : ''}${more}：${best.join('；')}。`;
    }
    if (facts.missingInfo.length) text += ` ${facts.missingInfo.join(' ')}`;
    if (facts.count) text = `${countSentence(facts.count, facts.labels ?? [], true)}${text}`;
    if (facts.extreme) text = `${EXTREME_WORDS[facts.extreme.kind].zhHant(formatCount(facts.extreme.of))}${text}`;
    return facts.language === 'zh-Hans' ? facts.toSimplified(text) : text;
  }
  const scope = [range ? `in ${range}` : undefined, where ? `on ${where}` : undefined].filter(Boolean).join(' ');
  const what = kinds.length ? `${kinds.join(' or ')} event` : 'event';
  if (facts.total === 0) {
    const whose = (facts.labels ?? []).map((l) => labelName(l).en).join(' or ');
    text = `No matching ${whose ? `${whose} ` : ''}${what}s${scope ? ` ${scope}` : ''}.`;
  } else {
    const best = facts.hits.slice(0, SHOWN).map((h, i) => `${i + 1}. ${h.stored.event.summary.en}`);
    const noun = facts.total === 1 ? what : `${what}s`;
    const more = facts.total > SHOWN ? `; the ${Math.min(SHOWN, facts.hits.length)} most relevant` : '';
    const count = facts.totalExact ? formatCount(facts.total) : `more than ${formatCount(facts.total)}`;
    text = `Found ${count} ${noun}${scope ? ` ${scope}` : ''}${more}: ${best.join('; ')}.`;
  }
  if (facts.missingInfo.length) text += ` ${facts.missingInfo.join(' ')}`;
  if (facts.count) text = `${countSentence(facts.count, facts.labels ?? [], false)} ${text}`;
  if (facts.extreme) text = `${EXTREME_WORDS[facts.extreme.kind].en(formatCount(facts.extreme.of))} ${text}`;
  return text;
}

/**
 * The answer to a question whose time could not be read: which words, and how to say it instead.
 * Nothing is searched: all of time is not what was asked.
 */
export function unreadTimeAnswer(words: readonly string[], language: AnswerLanguage, toSimplified: (text: string) => string): string {
  if (language === 'en') {
    const quoted = words.map((w) => `"${w}"`).join(', ');
    return `I could not read the time in ${quoted}, so nothing was searched. Say it another way, for example "last week", "three days ago", "yesterday 21:00-22:00" or "2026-03-02 to 2026-03-08".`;
  }
  const quoted = words.map((w) => `「${w}」`).join('、');
  const text = `無法理解${quoted}所指的時間，所以沒有搜尋。請換個說法，例如「上週」、「三天前」、「昨天晚上9點到10點」或「2026-03-02 到 2026-03-08」。`;
  return language === 'zh-Hans' ? toSimplified(text) : text;
}

/**
 * The answer to a question about a place no camera, zone or line is called: which words, and
 * which cameras there are. Nothing is listed: events from other places would not answer it.
 */
export function unknownPlaceAnswer(places: readonly string[], cameras: readonly string[], language: AnswerLanguage, toSimplified: (text: string) => string): string {
  if (language === 'en') {
    const quoted = places.map((p) => `"${p}"`).join(', ');
    return `No camera, zone or line is called ${quoted}, and no event mentions it, so nothing was found. The cameras are: ${cameras.join(', ')}.`;
  }
  const quoted = places.map((p) => `「${p}」`).join('、');
  const text = `沒有名為${quoted}的攝影機、區域或警戒線，也沒有事件提到它，所以沒有找到任何事件。攝影機有：${cameras.join('、')}。`;
  return language === 'zh-Hans' ? toSimplified(text) : text;
}
