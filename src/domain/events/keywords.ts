import type { CameraRules } from '../rules/rule-types.ts';
import type { EventType, VigilEvent } from './event-types.ts';
import { labelName } from './labels.ts';
import { ruleDisplayName } from './phrases.ts';

const TYPE_WORDS: Readonly<Record<EventType, readonly string[]>> = {
  line_crossing: ['crossing', 'line crossing', '越線', '穿越', '跨線'],
  intrusion: ['intrusion', '闖入', '入侵', '禁區'],
  loitering: ['loitering', '徘徊', '逗留', '停留'],
  object_seen: ['seen', '出現'],
};

/**
 * Words a search should find the event by, lower-cased and without duplicates, in a fixed order:
 * labels (en, zh-Hant), type words, direction words (only when the rule says which way is in),
 * the rule's display names, the camera name.
 */
export function eventKeywords(event: VigilEvent, rules: CameraRules): string[] {
  const words: string[] = [];
  for (const label of event.labels) {
    const name = labelName(label);
    words.push(name.en, name.zhHant);
  }
  words.push(...TYPE_WORDS[event.type]);
  if (event.details.inbound === true) words.push('inbound', '進入');
  if (event.details.inbound === false) words.push('outbound', '離開');
  const name = ruleDisplayName(event.type, event.rule, rules);
  words.push(name.en, name.zhHant, rules.cameraName);
  const seen = new Set<string>();
  const result: string[] = [];
  for (const word of words) {
    const key = word.trim().toLowerCase();
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    result.push(key);
  }
  return result;
}
