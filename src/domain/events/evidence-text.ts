import type { CrossingDirection, TripwireRule } from '../rules/rule-types.ts';
import type { EventActor, EvidenceKind, LocalizedText } from './event-types.ts';
import { capitalize } from './labels.ts';
import { actorPhrase, directionPhrase, lineName } from './phrases.ts';

export interface EvidenceTextFacts {
  kind: EvidenceKind;
  actor: Pick<EventActor, 'label' | 'trackId'>;
  /** Display name of the zone or tripwire. */
  ruleName: LocalizedText;
  direction?: CrossingDirection;
  inbound?: boolean;
  /** The tripwire's named sides, if any. */
  sides?: TripwireRule['sides'];
  dwellSeconds?: number;
  averageSpeedPxPerSecond?: number;
}

/** Short caption of one evidence item, e.g. "Person p7 entered Yard" / "人物 p7 進入「院子」". */
export function evidenceText(facts: EvidenceTextFacts): LocalizedText {
  const who = actorPhrase(facts.actor);
  const en = capitalize(who.en);
  const zh = who.zhHant;
  const name = facts.ruleName;
  switch (facts.kind) {
    case 'crossing': {
      const dir = directionPhrase(facts.direction ?? 'a_to_b', facts.inbound, facts.sides);
      const line = lineName(name);
      return { en: `${en} crossed the ${line.en} ${dir.en}`, zhHant: `${zh} ${dir.zhHant}穿越${line.zhHant}` };
    }
    case 'zone_enter':
      return { en: `${en} entered ${name.en}`, zhHant: `${zh} 進入「${name.zhHant}」` };
    case 'zone_exit':
      return { en: `${en} left ${name.en}`, zhHant: `${zh} 離開「${name.zhHant}」` };
    case 'track_lost':
      return { en: `${en} lost from view inside ${name.en}`, zhHant: `${zh} 在「${name.zhHant}」內失去蹤影` };
    case 'loitering_confirmed': {
      const seconds = Math.round(facts.dwellSeconds ?? 0);
      return {
        en: `${en} loitering in ${name.en} for ${seconds} s`,
        zhHant: `${zh} 在「${name.zhHant}」徘徊 ${seconds} 秒`,
      };
    }
    case 'best_view':
      return { en: `Best view of ${who.en}`, zhHant: `${zh} 最清楚的畫面` };
    case 'first_seen':
      return { en: `${en} first seen`, zhHant: `${zh} 首次出現` };
    case 'last_seen':
      return { en: `${en} last seen`, zhHant: `${zh} 最後出現` };
  }
}

/**
 * Where each caption names the zone or tripwire: the words right before and after the name, per
 * language (an empty `after` means the name ends the caption). They mirror `evidenceText` above;
 * its tests check that renaming a caption gives exactly the caption made with the new name.
 */
const NAME_SLOTS: Partial<Record<EvidenceKind, { en: readonly [string, string]; zhHant: readonly [string, string]; named?: (name: LocalizedText) => LocalizedText }>> = {
  // The name with its noun (lineName), which a name may or may not carry itself.
  crossing: { en: ['crossed the ', ' '], zhHant: ['穿越', ''], named: lineName },
  zone_enter: { en: ['entered ', ''], zhHant: ['進入「', '」'] },
  zone_exit: { en: ['left ', ''], zhHant: ['離開「', '」'] },
  track_lost: { en: ['inside ', ''], zhHant: ['在「', '」內'] },
  loitering_confirmed: { en: ['loitering in ', ' for '], zhHant: ['在「', '」徘徊'] },
};

function renameIn(text: string, [before, after]: readonly [string, string], from: string, to: string): string {
  const old = `${before}${from}${after}`;
  const at = after === '' ? (text.endsWith(old) ? text.length - old.length : -1) : text.lastIndexOf(old);
  return at < 0 ? text : `${text.slice(0, at)}${before}${to}${after}${text.slice(at + old.length)}`;
}

/**
 * A stored caption with the rule's display name changed from `from` to `to` (a renamed zone or
 * tripwire). The caption's other facts (who, how long, how fast at that moment) are kept as they
 * were: they are not stored anywhere else.
 */
export function renameRuleInCaption(text: LocalizedText, kind: EvidenceKind, from: LocalizedText, to: LocalizedText): LocalizedText {
  const slots = NAME_SLOTS[kind];
  if (!slots) return text;
  const [a, b] = slots.named ? [slots.named(from), slots.named(to)] : [from, to];
  return { en: renameIn(text.en, slots.en, a.en, b.en), zhHant: renameIn(text.zhHant, slots.zhHant, a.zhHant, b.zhHant) };
}
