import type { CrossingDirection } from '../rules/rule-types.ts';
import type { EventActor, EvidenceKind, LocalizedText } from './event-types.ts';
import { capitalize } from './labels.ts';
import { actorPhrase, directionPhrase } from './phrases.ts';

export interface EvidenceTextFacts {
  kind: EvidenceKind;
  actor: Pick<EventActor, 'label' | 'trackId'>;
  /** Display name of the zone or tripwire. */
  ruleName: LocalizedText;
  direction?: CrossingDirection;
  inbound?: boolean;
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
      const dir = directionPhrase(facts.direction ?? 'a_to_b', facts.inbound);
      return { en: `${en} crossed the ${name.en} line ${dir.en}`, zhHant: `${zh} ${dir.zhHant}穿越${name.zhHant}警戒線` };
    }
    case 'zone_enter':
      return { en: `${en} entered ${name.en}`, zhHant: `${zh} 進入「${name.zhHant}」` };
    case 'zone_exit':
      return { en: `${en} left ${name.en}`, zhHant: `${zh} 離開「${name.zhHant}」` };
    case 'track_lost':
      return { en: `${en} lost from view inside ${name.en}`, zhHant: `${zh} 在「${name.zhHant}」內失去蹤影` };
    case 'loitering_confirmed': {
      const seconds = Math.round(facts.dwellSeconds ?? 0);
      const speed = Math.round(facts.averageSpeedPxPerSecond ?? 0);
      return {
        en: `${en} loitering in ${name.en} for ${seconds} s (avg ${speed} px/s)`,
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
