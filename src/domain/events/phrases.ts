import { formatLocalClock } from '../time/zoned-format.ts';
import type { CameraRules, CrossingDirection, TripwireRule } from '../rules/rule-types.ts';
import type { EventActor, EventType, LocalizedText } from './event-types.ts';
import { capitalize, labelName } from './labels.ts';

/** HH:MM:SS on a 24-hour clock in `timeZone`. */
export function formatClock(timestampMs: number, timeZone: string): string {
  return formatLocalClock(timestampMs, timeZone, { seconds: true });
}

/** Display name of an event's rule: a zone or tripwire's displayName, or the label for object_seen. */
export function ruleDisplayName(type: EventType, rule: string, rules: CameraRules): LocalizedText {
  if (type === 'object_seen') {
    const name = labelName(rule);
    return { en: name.en, zhHant: name.zhHant };
  }
  const found =
    type === 'line_crossing' ? rules.tripwires.find((w) => w.name === rule) : rules.zones.find((z) => z.name === rule);
  return found?.displayName ?? { en: rule, zhHant: rule };
}

/** Words that already say "line" at the end of a tripwire's name: "gate line", "fence", 門口警戒線. */
const EN_LINE_NOUN = /(?:^|\s)(?:line|tripwire|wire|boundary|fence|threshold|border)$/i;
const ZH_LINE_NOUN = /[線界欄]$/;

/**
 * A tripwire's name as the thing crossed: "gate" is "gate line" / 「門口警戒線」, while a name that
 * already ends in such a noun ("gate line", 門口警戒線, 圍欄) is kept as it is, never "gate line line".
 */
export function lineName(name: LocalizedText): LocalizedText {
  return {
    en: EN_LINE_NOUN.test(name.en.trim()) ? name.en : `${name.en} line`,
    zhHant: ZH_LINE_NOUN.test(name.zhHant.trim()) ? name.zhHant : `${name.zhHant}警戒線`,
  };
}

/**
 * Which way a crossing went: from one named side to the other ("from parking lot to lobby" /
 * 「從停車場往大廳」) when the tripwire's sides have names, else "inbound" / "由外向內" when the rule
 * says which way is in, else the sides by letter.
 */
export function directionPhrase(direction: CrossingDirection, inbound: boolean | undefined, sides?: TripwireRule['sides']): LocalizedText {
  const [from, to] = direction === 'a_to_b' ? [sides?.a, sides?.b] : [sides?.b, sides?.a];
  if (from && to) return { en: `from ${from.name.en} to ${to.name.en}`, zhHant: `從${from.name.zhHant}往${to.name.zhHant}` };
  if (from) return { en: `from ${from.name.en}`, zhHant: `從${from.name.zhHant}` };
  if (to) return { en: `to ${to.name.en}`, zhHant: `往${to.name.zhHant}` };
  if (inbound === true) return { en: 'inbound', zhHant: '由外向內' };
  if (inbound === false) return { en: 'outbound', zhHant: '由內向外' };
  return direction === 'a_to_b'
    ? { en: 'from side A to side B', zhHant: '由A側往B側' }
    : { en: 'from side B to side A', zhHant: '由B側往A側' };
}

/** "person p12" / "人物 p12" (not capitalised). */
export function actorPhrase(actor: Pick<EventActor, 'label' | 'trackId'>): LocalizedText {
  const name = labelName(actor.label);
  return { en: `${name.en} ${actor.trackId}`, zhHant: `${name.zhHant} ${actor.trackId}` };
}

function joinEnglish(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The grammatical subject of a summary, capitalised: "Person p12", "2 people (p3, p4)",
 * "Person p3 and bicycle b4"; "人物 p12", "人物 p3、p4", "人物 p3、腳踏車 b4".
 */
export function subjectPhrase(actors: readonly EventActor[]): LocalizedText {
  if (actors.length === 0) return { en: 'Nobody', zhHant: '無人' };
  const first = actors[0] as EventActor;
  const ids = actors.map((a) => a.trackId);
  if (actors.length === 1) {
    const phrase = actorPhrase(first);
    return { en: capitalize(phrase.en), zhHant: phrase.zhHant };
  }
  if (actors.every((a) => a.label === first.label)) {
    const name = labelName(first.label);
    return { en: `${actors.length} ${name.enPlural} (${ids.join(', ')})`, zhHant: `${name.zhHant} ${ids.join('、')}` };
  }
  const phrases = actors.map(actorPhrase);
  return {
    en: capitalize(joinEnglish(phrases.map((p) => p.en))),
    zhHant: phrases.map((p) => p.zhHant).join('、'),
  };
}

export function wholeSeconds(ms: number): number {
  return Math.round(ms / 1000);
}
