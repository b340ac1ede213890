/**
 * The words a vision model gets for one event. Pure: the same facts give the same prompt, so
 * the tests pin it exactly. The rule engine has already decided *that* something happened; the
 * model is asked *what it looks like*, told everything Vigil knows (rule, direction, dwell, track
 * ids, times, boxes) so it can refer to it, and told to keep to what the images show.
 */
import type { EventType, VigilEvent } from '../../../domain/events/event-types.ts';
import { formatLocalDate } from '../../../domain/time/zoned-format.ts';
import { actorPhrase, directionPhrase, formatClock } from '../../../domain/events/phrases.ts';
import type { Box } from '../../../domain/geometry.ts';
import { languageInstruction, type OutputLanguage } from '../output-language.ts';
import { mainLabel } from './description-settings.ts';
import type { KeyFrame } from './key-frames.ts';

export const DEFAULT_DESCRIPTION_PROMPT =
  'Describe the {label} in these images from the {camera} camera ({rule}, {duration}): how it looks and what it does.';

export interface PromptCamera {
  id: string;
  name: string;
  timeZone: string;
  /** Display names of zones and tripwires by key. */
  ruleNames?: Readonly<Record<string, string>>;
}

export interface PromptFacts {
  event: VigilEvent;
  camera: PromptCamera;
  /** The configured prompt (placeholders not filled yet); the default when undefined. */
  template?: string | undefined;
  languages: readonly OutputLanguage[];
  /** The images attached to the request, in order. */
  frames: readonly KeyFrame[];
}

export interface DescriptionPrompt {
  system: string;
  prompt: string;
}

const LANGUAGE_NAMES: Record<OutputLanguage, string> = {
  en: 'English',
  'zh-Hant': 'Traditional Chinese (繁體中文, as used in Taiwan)',
  'zh-Hans': 'Simplified Chinese (简体中文)',
};

/** Evidence lines shown at most; a long loitering event has many. */
const MAX_EVIDENCE_LINES = 10;

const SYSTEM =
  'You are a video detective reviewing key frames of a security camera event for the camera owner. ' +
  "Vigil's detector and rules already found the event; your task is to describe what the images show. " +
  'Describe only what is visible; do not guess identities, ages, ethnicity or intentions that the images do not show, ' +
  'and say what is uncertain instead of guessing. Answer with one JSON object and nothing else.';

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** YYYY-MM-DD in `timeZone`. */
function formatDate(timestampMs: number, timeZone: string): string {
  return formatLocalDate(timestampMs, timeZone);
}

function ruleName(event: VigilEvent, camera: PromptCamera): string {
  const names = camera.ruleNames ?? {};
  return Object.hasOwn(names, event.rule) ? (names[event.rule] as string) : event.rule;
}

const RULE_PHRASES: Record<EventType, (name: string) => string> = {
  line_crossing: (name) => `line crossing at "${name}"`,
  intrusion: (name) => `intrusion into the restricted zone "${name}"`,
  loitering: (name) => `loitering in "${name}"`,
  object_seen: (name) => `${name} seen`,
};

/** The values of the placeholders {label} {camera} {zones} {rule} {duration}. */
export function placeholderValues(event: VigilEvent, camera: PromptCamera): Record<string, string> {
  const name = ruleName(event, camera);
  return {
    label: mainLabel(event),
    camera: camera.name,
    zones: event.type === 'object_seen' ? 'no zone' : name,
    rule: RULE_PHRASES[event.type](name),
    duration: formatDuration(event.endMs - event.startMs),
  };
}

/** Fills {name} placeholders; unknown ones are left as they are. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? (values[key] as string) : whole));
}

function boxText(box: Box): string {
  return `[${[box.x1, box.y1, box.x2, box.y2].map((v) => Math.round(v)).join(', ')}]`;
}

function factLines(event: VigilEvent, camera: PromptCamera): string[] {
  const tz = camera.timeZone;
  const clock = (ms: number) => formatClock(ms, tz);
  const lines = [
    `- Camera: ${camera.name} (id ${camera.id}), times in ${tz}`,
    `- Event: ${RULE_PHRASES[event.type](ruleName(event, camera))} (type ${event.type}, rule ${event.rule}), ${event.status}`,
    `- Time: ${formatDate(event.startMs, tz)} ${clock(event.startMs)} to ${clock(event.endMs)} (${formatDuration(event.endMs - event.startMs)})`,
  ];
  const { direction, inbound, dwellSeconds, averageSpeedPxPerSecond, midlineCrossings } = event.details;
  if (direction !== undefined) {
    const phrase = directionPhrase(direction, inbound).en;
    lines.push(`- Direction: ${inbound === undefined ? phrase : `${phrase} (${direction})`}`);
  }
  if (dwellSeconds !== undefined) lines.push(`- Dwell: ${Math.round(dwellSeconds)} s in the zone`);
  if (averageSpeedPxPerSecond !== undefined) lines.push(`- Average speed: ${Math.round(averageSpeedPxPerSecond)} px/s`);
  if (midlineCrossings !== undefined) lines.push(`- Paced back and forth: ${midlineCrossings} crossings of the zone's middle`);
  lines.push(`- Labels: ${event.labels.join(', ') || 'none'}`);
  lines.push(`- Actors (Vigil track ids): ${event.actors.map((a) => actorPhrase(a).en).join(', ') || 'none'}`);
  lines.push(`- Vigil's summary: ${event.summary.en}`);
  const evidence = event.evidence.filter((e) => e.kind !== 'best_view').slice(0, MAX_EVIDENCE_LINES);
  if (evidence.length > 0) {
    lines.push('- What the tracker recorded:');
    for (const e of evidence) lines.push(`  - ${clock(e.timestampMs)} ${e.text.en}`);
  }
  return lines;
}

function frameLine(frame: KeyFrame, index: number, timeZone: string): string {
  const at = frame.timestampMs !== undefined ? ` at ${formatClock(frame.timestampMs, timeZone)}` : '';
  const boxes = frame.boxes.map((b) => `${b.label} ${b.trackId} at ${boxText(b.box)}`).join('; ');
  if (frame.kind === 'snapshot') {
    const drawn = boxes === '' ? 'the rule drawn in yellow' : `the rule drawn in yellow, actors boxed in red: ${boxes}`;
    return `${index + 1}. Snapshot of frame ${frame.frameIndex}${at}, ${drawn}.`;
  }
  if (frame.kind === 'clip') return `${index + 1}. A frame from the event's video clip (frames in time order, nothing drawn).`;
  const who = frame.boxes[0];
  const crop = who !== undefined ? `, cut from the frame at ${boxText(who.box)}` : '';
  return `${index + 1}. Close-up of ${who ? `${who.label} ${who.trackId}` : (frame.trackId ?? 'an actor')} (best view, frame ${frame.frameIndex}${at}${crop}).`;
}

/** What the JSON must hold, and in which languages. */
export function outputInstructions(languages: readonly OutputLanguage[]): string[] {
  const main = languages[0] ?? 'en';
  const summaries = languages.map((l) => `"${l}" in ${LANGUAGE_NAMES[l]}`).join(', ');
  return [
    'Answer with one JSON object with these fields:',
    '- "scene": the place and the situation, in one or two sentences.',
    '- "actions": what each actor does, in time order, one short sentence each; name actors by their track ids (p3, v1) when you can tell them apart.',
    '- "attributes": "people" (id, clothing_colors, clothing, carrying) and "vehicles" (id, type, color); only what you can see.',
    '- "suspicion": "score" from 0 (ordinary) to 100 (clearly threatening) and the "reasons" for it.',
    '- "uncertain": what the images do not let you tell (a hidden face, an unclear object, a detection that looks wrong).',
    `- "summaries": one short sentence for a notification in each language: ${summaries}.`,
    `Write scene, actions, attributes, reasons and uncertain in ${LANGUAGE_NAMES[main]}.`,
    'Describe only what is visible in the images; say what is uncertain instead of guessing.',
  ];
}

export function buildDescriptionPrompt(facts: PromptFacts): DescriptionPrompt {
  const { event, camera, frames, languages } = facts;
  const task = fillTemplate(facts.template ?? DEFAULT_DESCRIPTION_PROMPT, placeholderValues(event, camera));
  const sections = [
    task,
    ["Event facts (from Vigil's detector and rules):", ...factLines(event, camera)].join('\n'),
    ['Images, in the order attached (boxes are [x1, y1, x2, y2] in frame pixels):', ...frames.map((f, i) => frameLine(f, i, camera.timeZone))].join('\n'),
    outputInstructions(languages).join('\n'),
  ];
  return { system: `${SYSTEM} ${languageInstruction(languages[0] ?? 'en')}`, prompt: sections.join('\n\n') };
}

/** The one repair request: the invalid answer and what is wrong with it, asking for the JSON alone. */
export function buildRepairPrompt(rawText: string, errors: readonly string[], languages: readonly OutputLanguage[]): string {
  return [
    'Your previous answer was not a valid JSON object of the required form.',
    ['Problems:', ...errors.map((e) => `- ${e}`)].join('\n'),
    ['Your previous answer:', rawText].join('\n'),
    outputInstructions(languages).join('\n'),
    'Reply with the corrected JSON object only, no other text.',
  ].join('\n\n');
}
