/**
 * The words of the accuracy questions' truth: small tests over the scripted incidents (world.ts),
 * combined by `all`, and the one incident with the least or most of something (`extreme`).
 */
import type { Language, Question, QuestionKind } from './questions.ts';
import type { Incident } from './score.ts';
import { DAY0, DAY_MS } from './world.ts';

const HOUR = 3_600_000;
export type Test = (t: Incident) => boolean;
export const within = (from: number, to: number): Test => (t) => t.startMs < to && t.endMs >= from;
export const day = (n: number, fromHour = 0, toHour = 24): Test => within(DAY0 + n * DAY_MS + fromHour * HOUR, DAY0 + n * DAY_MS + toHour * HOUR);
/** Night of day n: 18:00 that day to 06:00 the next. */
export const night = (n: number): Test => within(DAY0 + n * DAY_MS + 18 * HOUR, DAY0 + (n + 1) * DAY_MS + 6 * HOUR);
export const all =
  (...tests: Test[]) =>
  <T extends Incident>(truth: readonly T[]): T[] =>
    truth.filter((t) => tests.every((test) => test(t)));
export const ALWAYS: Test = () => true;

export const person: Test = (t) => t.label === 'person';
export const car: Test = (t) => t.label === 'car';
export const atGate: Test = (t) => t.camera === 'gate';
export const comingIn: Test = (t) => t.type === 'line_crossing' && t.direction === 'a_to_b';
export const goingOut: Test = (t) => t.type === 'line_crossing' && t.direction === 'b_to_a';
export const crossing: Test = (t) => t.type === 'line_crossing';
export const loitering: Test = (t) => t.type === 'loitering';
export const intrusion: Test = (t) => t.type === 'intrusion';
export const stayOver = (seconds: number): Test => (t) => (t.staySeconds ?? 0) > seconds;
export const stayUnder = (seconds: number): Test => (t) => (t.staySeconds ?? Infinity) < seconds;
export const together: Test = (t) => t.people >= 2;
export const NOTHING = (): Incident[] => [];

/** The one incident with the least (or most) of `by` among those `tests` select. */
export const extreme = (by: (t: Incident) => number, most: boolean, ...tests: Test[]) => (truth: readonly Incident[]) => {
  const candidates = all(...tests)(truth);
  const best = candidates.reduce<Incident | undefined>((b, t) => (b === undefined || (most ? by(t) > by(b) : by(t) < by(b)) ? t : b), undefined);
  return best ? [best] : [];
};
export const time = (t: Incident) => t.startMs;
export const stay = (t: Incident) => t.staySeconds ?? 0;

export const q = (lang: Language, kind: QuestionKind, text: string, select: Question['select'], extra: Partial<Question> = {}): Question => ({ q: text, lang, kind, select, ...extra });
