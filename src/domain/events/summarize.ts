import type { CameraRules } from '../rules/rule-types.ts';
import type { LocalizedText, VigilEvent } from './event-types.ts';
import { directionPhrase, formatClock, lineName, ruleDisplayName, subjectPhrase, wholeSeconds } from './phrases.ts';

/**
 * Below this average speed a loiterer is said to be barely moving (a person standing, with the
 * jitter of detection boxes, measures a few px/s). Speeds in px/s are not said at all: they mean
 * nothing to a reader and depend on the camera's resolution.
 */
const SLOW_PX_PER_SECOND = 5;

/**
 * One sentence per language, built only from the event's own facts (actors, times, details) and
 * the rule's display name, with clock times in the camera's time zone. Deterministic: the same
 * event always reads the same.
 */
export function summarizeEvent(event: VigilEvent, rules: CameraRules): LocalizedText {
  const subject = subjectPhrase(event.actors);
  const name = ruleDisplayName(event.type, event.rule, rules);
  const start = formatClock(event.startMs, rules.timeZone);
  const end = formatClock(event.endMs, rules.timeZone);
  const seconds = wholeSeconds(event.endMs - event.startMs);

  switch (event.type) {
    case 'line_crossing': {
      const sides = rules.tripwires.find((w) => w.name === event.rule)?.sides;
      const dir = directionPhrase(event.details.direction ?? 'a_to_b', event.details.inbound, sides);
      const when =
        start === end
          ? { en: `at ${start}`, zhHant: `於 ${start}` }
          : { en: `between ${start} and ${end}`, zhHant: `於 ${start} 至 ${end} 間` };
      const line = lineName(name);
      return {
        en: `${subject.en} crossed the ${line.en} ${dir.en} ${when.en}`,
        zhHant: `${subject.zhHant} ${when.zhHant} ${dir.zhHant}穿越${line.zhHant}`,
      };
    }
    case 'intrusion':
      return event.status === 'open'
        ? {
            en: `${subject.en} entered the restricted zone ${name.en} at ${start}`,
            zhHant: `${subject.zhHant} 於 ${start} 闖入禁區「${name.zhHant}」`,
          }
        : {
            en: `${subject.en} entered the restricted zone ${name.en} at ${start} and stayed ${seconds} s`,
            zhHant: `${subject.zhHant} 於 ${start} 闖入禁區「${name.zhHant}」，停留 ${seconds} 秒`,
          };
    case 'loitering': {
      const speed = Math.round(event.details.averageSpeedPxPerSecond ?? 0);
      return {
        en: `${subject.en} loitered in ${name.en} for ${seconds} s (${start}–${end})${speed <= SLOW_PX_PER_SECOND ? ', barely moving' : ''}`,
        zhHant: `${subject.zhHant} 於 ${start}–${end} 在「${name.zhHant}」徘徊 ${seconds} 秒`,
      };
    }
    case 'object_seen':
      return event.status === 'open'
        ? { en: `${subject.en} seen since ${start}`, zhHant: `${subject.zhHant} 自 ${start} 起出現` }
        : { en: `${subject.en} seen from ${start} to ${end}`, zhHant: `${subject.zhHant} 於 ${start} 至 ${end} 出現` };
  }
}
