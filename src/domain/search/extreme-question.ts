/**
 * "Who was the earliest arrival", 「最晚進來的人」, "the longest stay": the question asks for one
 * event at an end of the matches, by time or by how long someone stayed. Read from normalized
 * text (lower case, Simplified Chinese), after time phrases are read (so "last night" is gone).
 */
import type { VigilEvent } from '../events/event-types.ts';

export type Extreme = 'earliest' | 'latest' | 'longest' | 'shortest';

export interface ExtremeQuestion {
  extreme: Extreme;
  text: string;
}

const PATTERNS: ReadonlyArray<[RegExp, Extreme]> = [
  // Not "the first floor", "the last 5 people", "in the last 90 seconds".
  [/\b(?:the\s+)?(?:earliest|first)\b(?!\s+(?:\d|floor|level|storey|story|row|lane|door|gate|time\s+in|few))/, 'earliest'],
  [/\b(?:the\s+)?(?:latest|last)\b(?!\s+(?:\d|floor|level|storey|story|row|lane|door|gate|few|one\s+hour|hour|minute|week|month|year|night))/, 'latest'],
  // "stayed the longest": the verb says only what "longest" says.
  [/\b(?:(?:stay|stayed|stays|staying|remained|waited)\s+)?(?:the\s+)?longest(?:\s+stay)?\b/, 'longest'],
  [/\b(?:(?:stay|stayed|stays|staying|remained|waited)\s+)?(?:the\s+)?shortest(?:\s+stay)?\b/, 'shortest'],
  [/最早|最先|第一个|第一位|第一名/, 'earliest'],
  [/最晚|最后一个|最后一位|最后/, 'latest'],
  [/最久|最长/, 'longest'],
  [/最短/, 'shortest'],
];

export function readExtreme(text: string): ExtremeQuestion | undefined {
  for (const [re, extreme] of PATTERNS) {
    const m = re.exec(text);
    if (m) return { extreme, text: m[0] };
  }
  return undefined;
}

type Candidate = Pick<VigilEvent, 'startMs' | 'endMs' | 'actors' | 'id'>;

/** Someone's stay in an event: the actor's own, else the event's length. */
const longestStay = (e: Candidate) => Math.max(...e.actors.map((a) => a.staySeconds ?? (e.endMs - e.startMs) / 1000), 0);
const shortestStay = (e: Candidate) => Math.min(...e.actors.map((a) => a.staySeconds ?? (e.endMs - e.startMs) / 1000));

/** The event at that end of the candidates (ties: the earlier, then the smaller id), or undefined for none. */
export function pickExtreme<T extends Candidate>(candidates: readonly T[], extreme: Extreme): T | undefined {
  const key: (e: Candidate) => number =
    extreme === 'earliest' ? (e) => e.startMs : extreme === 'latest' ? (e) => -e.startMs : extreme === 'longest' ? (e) => -longestStay(e) : shortestStay;
  let best: T | undefined;
  for (const c of candidates) {
    if (best === undefined) best = c;
    else {
      const d = key(c) - key(best);
      if (d < 0 || (d === 0 && (c.startMs < best.startMs || (c.startMs === best.startMs && c.id < best.id)))) best = c;
    }
  }
  return best;
}
