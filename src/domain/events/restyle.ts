import type { CameraRules } from '../rules/rule-types.ts';
import { copyEvent } from './event-record.ts';
import type { VigilEvent } from './event-types.ts';
import { renameRuleInCaption } from './evidence-text.ts';
import { eventKeywords } from './keywords.ts';
import { ruleDisplayName } from './phrases.ts';
import { summarizeEvent } from './summarize.ts';

/**
 * A stored event worded with other presentation settings (zone and tripwire display names, the
 * camera's name, its time zone): the summary and keywords are made again from the event's facts,
 * and evidence captions get the rule's new name. Nothing the analysis found changes.
 */
export function restyleEvent(event: VigilEvent, before: CameraRules, after: CameraRules): VigilEvent {
  const copy = copyEvent(event);
  const from = ruleDisplayName(event.type, event.rule, before);
  const to = ruleDisplayName(event.type, event.rule, after);
  if (from.en !== to.en || from.zhHant !== to.zhHant) {
    copy.evidence = copy.evidence.map((e) => ({ ...e, text: renameRuleInCaption(e.text, e.kind, from, to) }));
  }
  copy.summary = summarizeEvent(copy, after);
  copy.keywords = eventKeywords(copy, after);
  return copy;
}

/** Whether two versions of an event read differently (summary, keywords or captions). */
export function wordingDiffers(a: VigilEvent, b: VigilEvent): boolean {
  return (
    a.summary.en !== b.summary.en ||
    a.summary.zhHant !== b.summary.zhHant ||
    a.keywords.join(' ') !== b.keywords.join(' ') ||
    a.evidence.some((e, i) => e.text.en !== b.evidence[i]?.text.en || e.text.zhHant !== b.evidence[i]?.text.zhHant)
  );
}
