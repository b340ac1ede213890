/**
 * The words an answers model gets for one question. Pure: the same facts give the same prompt,
 * so the tests pin it exactly. Vigil has already found the candidate events without any model;
 * the model only words the answer, from those events alone, citing each one it mentions.
 */
import type { VigilEvent } from '../../../domain/events/event-types.ts';
import { formatLocalDate } from '../../../domain/time/zoned-format.ts';
import { formatClock } from '../../../domain/events/phrases.ts';
import type { SearchHit } from '../../../ports/search-store.ts';
import { type AnswerLanguage } from '../../search/answer.ts';
import { formatTimeRange } from '../../../domain/time/format-range.ts';
import type { SearchInterpretation } from '../../search/search.service.ts';
import { languageInstruction } from '../output-language.ts';

export interface AnswerPromptFacts {
  question: string;
  language: AnswerLanguage;
  interpretation: SearchInterpretation;
  /** The events sent to the model, most relevant first (already cut to the limit). */
  candidates: readonly SearchHit[];
  /** How many events the search had before the cut. */
  found: number;
  /** The deterministic missing info (footage not analysed, a time in the future). */
  missingInfo: readonly string[];
  /** Zone in which the question was read and times are shown. */
  timeZone: string;
  /** Display names of cameras by id. */
  cameraNames?: Readonly<Record<string, string>>;
  /** A model description's summary by event id, in the question's language. */
  descriptions?: Readonly<Record<string, string>>;
  /** For zh-Hans questions: stored summaries are in Traditional Chinese. */
  toSimplified?: (text: string) => string;
}

export interface AnswerPrompt {
  system: string;
  prompt: string;
}

const SYSTEM =
  "You are Vigil, a video detective answering a camera owner's question about events that Vigil's detector and rules recorded. " +
  'You know only the events listed in the request; never invent events, times, people or details. ' +
  'Answer with one JSON object and nothing else.';

/** YYYY-MM-DD in `timeZone`. */
export function formatDate(timestampMs: number, timeZone: string): string {
  return formatLocalDate(timestampMs, timeZone);
}

/** "2024-05-01 22:00:00 to 22:00:12", with the end's date when it is another day. */
export function eventTimes(event: Pick<VigilEvent, 'startMs' | 'endMs'>, timeZone: string): string {
  const startDate = formatDate(event.startMs, timeZone);
  const endDate = formatDate(event.endMs, timeZone);
  const end = endDate === startDate ? formatClock(event.endMs, timeZone) : `${endDate} ${formatClock(event.endMs, timeZone)}`;
  return `${startDate} ${formatClock(event.startMs, timeZone)} to ${end}`;
}

/** The stored summary in the question's language (stored summaries are English and Traditional Chinese). */
export function summaryIn(event: Pick<VigilEvent, 'summary'>, language: AnswerLanguage, toSimplified?: (text: string) => string): string {
  if (language === 'en') return event.summary.en;
  if (language === 'zh-Hans' && toSimplified) return toSimplified(event.summary.zhHant);
  return event.summary.zhHant;
}

function list(values: readonly string[], none: string): string {
  return values.length > 0 ? values.join(', ') : none;
}

function timeRange(i: SearchInterpretation, timeZone: string): string {
  const { fromMs, toMs } = i;
  const at = (ms: number) => `${formatDate(ms, timeZone)} ${formatClock(ms, timeZone).slice(0, 5)}`;
  let range: string;
  if (fromMs !== undefined && toMs !== undefined) range = formatTimeRange(fromMs, toMs, timeZone);
  else if (fromMs !== undefined) range = `from ${at(fromMs)}`;
  else if (toMs !== undefined) range = `until ${at(toMs)}`;
  else return 'any time';
  return `${range} (${timeZone})${i.timeText ? `, read from "${i.timeText}"` : ''}`;
}

function interpretationLines(facts: AnswerPromptFacts): string[] {
  const i = facts.interpretation;
  const names = facts.cameraNames ?? {};
  const camera = (id: string) => (Object.hasOwn(names, id) && names[id] !== id ? `${id} (${names[id]})` : id);
  const lines = [
    `- Time: ${timeRange(i, facts.timeZone)}`,
    ...i.timeNotes.map((note) => `  - Note: ${note}`),
    `- Cameras: ${list(i.cameras.map(camera), 'all cameras')}`,
    `- Event types: ${list(i.types, 'any')}`,
    `- Labels: ${list(i.labels, 'any')}`,
    `- Concepts: ${list(i.concepts, 'none')}`,
  ];
  if (i.terms.length > 0) lines.push(`- Other words ranked: ${i.terms.join(', ')}`);
  return lines;
}

function candidateLines(facts: AnswerPromptFacts): string[] {
  const { candidates, timeZone } = facts;
  if (candidates.length === 0) return ['Events found: none.'];
  const count = facts.found > candidates.length ? `${candidates.length} of ${facts.found}` : `${candidates.length}`;
  const lines = [`Events found (${count}, the most relevant first; times in ${timeZone}):`];
  candidates.forEach(({ stored: { event } }, index) => {
    const actors = event.actors.map((a) => `${a.trackId} (${a.label})`);
    lines.push(
      `${index + 1}. id ${event.id}; camera ${event.cameraId}; type ${event.type}; rule ${event.rule}; ${eventTimes(event, timeZone)}; ` +
        `labels ${list(event.labels, 'none')}; actors ${list(actors, 'none')}`,
    );
    lines.push(`   Summary: ${summaryIn(event, facts.language, facts.toSimplified)}`);
    const description = facts.descriptions?.[event.id];
    if (description !== undefined && description.trim() !== '') lines.push(`   Model description: ${description.trim()}`);
  });
  return lines;
}

function ruleLines(language: AnswerLanguage): string[] {
  return [
    'Rules:',
    '- Answer only from the events listed above; do not invent events, times, people or details.',
    '- Cite every event you mention by its id: put its id in "cited_event_ids" and give it a "timeline" entry.',
    '- If none of the listed events answers the question, say so plainly.',
    `- ${languageInstruction(language)} This applies to "answer", every "what" and "missing_info".`,
    '- Be short: at most three sentences in "answer", a short phrase for each "what".',
  ];
}

const OUTPUT_LINES = [
  'Answer with one JSON object with these fields:',
  '- "answer": the answer to the question.',
  '- "timeline": the events you mention, in time order: "event_id", "time" (its local start time as listed, HH:MM:SS), "what" (what happened).',
  '- "missing_info": the gaps listed above, as given, and anything the question asks that these events cannot tell.',
  '- "cited_event_ids": the ids of all events you mention.',
];

export function buildAnswerPrompt(facts: AnswerPromptFacts): AnswerPrompt {
  const missing = facts.missingInfo.length > 0 ? facts.missingInfo.map((m) => `- ${m}`) : ['- none known'];
  const sections = [
    `Question: ${facts.question}`,
    ['How Vigil read the question:', ...interpretationLines(facts)].join('\n'),
    candidateLines(facts).join('\n'),
    ['Missing footage and other gaps Vigil knows of:', ...missing].join('\n'),
    ruleLines(facts.language).join('\n'),
    OUTPUT_LINES.join('\n'),
  ];
  return { system: `${SYSTEM} ${languageInstruction(facts.language)}`, prompt: sections.join('\n\n') };
}
