/**
 * Exactness of one answer against the truth, and the totals per language and per kind.
 *
 *  - precision: the share of returned events that belong to the answer (over questions that
 *    returned something);
 *  - coverage: the share of expected incidents that a returned event accounts for (over
 *    questions with something to find);
 *  - exact: everything returned belongs and everything expected was returned (and, for a count
 *    question, the number stated is the number of incidents; for an unknown place, it was said);
 *  - count accuracy: count questions whose stated number is right;
 *  - direction accuracy: the share of returned crossings, in direction questions, that went the
 *    way asked.
 * An event accounts for an incident when it is on the same camera, of the same rule and type
 * (and direction for crossings), has the incident's label, and its time covers the incident's
 * (a crossing within 3 s of the event, a stay overlapping it).
 */
import type { z } from 'zod';
import type { searchResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Question } from './questions.ts';

/** One thing that happened, as a person counts it: what an answer is scored against. */
export interface Incident {
  camera: string;
  type: 'line_crossing' | 'loitering' | 'intrusion';
  rule: string;
  label: string;
  /** Crossings: the moment the foot point passed the line; stays: first and last moment inside. */
  startMs: number;
  endMs: number;
  direction?: 'a_to_b' | 'b_to_a';
  /** Stays: seconds inside the zone. */
  staySeconds?: number;
  /** The people in the same incident (together). */
  people: number;
}

export interface AnsweredEvent {
  id: string;
  camera: string;
  type: string;
  rule: string;
  startMs: number;
  endMs: number;
  labels: readonly string[];
  direction?: string;
}

export interface Answer {
  events: readonly AnsweredEvent[];
  /** The number the answer states, when it counts. */
  count?: number;
  unknownPlaces: readonly string[];
}

/** What an answer of `GET /api/search` says, as scoring reads it. */
export function answerOf(body: z.output<typeof searchResponseSchema>): Answer {
  return {
    events: body.events.map((e) => ({
      id: e.id,
      camera: e.camera,
      type: e.type,
      rule: e.rule,
      startMs: Date.parse(e.start),
      endMs: Date.parse(e.end),
      labels: e.labels,
      ...(e.details.direction !== undefined ? { direction: e.details.direction } : {}),
    })),
    ...(body.count ? { count: body.count.value } : {}),
    unknownPlaces: body.interpretation.unknown_places,
  };
}

export interface QuestionScore {
  question: Question;
  expected: number;
  returned: number;
  belonging: number;
  covered: number;
  exact: boolean;
  countRight?: boolean;
  crossings?: { returned: number; rightWay: number };
}

const SLACK_MS = 3_000;

export function accountsFor(event: AnsweredEvent, incident: Incident): boolean {
  if (event.camera !== incident.camera || event.type !== incident.type || event.rule !== incident.rule) return false;
  if (!event.labels.includes(incident.label)) return false;
  if (incident.type === 'line_crossing' && event.direction !== incident.direction) return false;
  return event.startMs - SLACK_MS <= incident.endMs && event.endMs + SLACK_MS >= incident.startMs;
}

export function scoreAnswer(question: Question, truth: readonly Incident[], answer: Answer): QuestionScore {
  const expected = question.select(truth);
  const belonging = answer.events.filter((e) => expected.some((i) => accountsFor(e, i))).length;
  const covered = expected.filter((i) => answer.events.some((e) => accountsFor(e, i))).length;
  const countRight = question.counts ? answer.count === expected.length : undefined;
  const placeSaid = question.unknownPlace ? answer.unknownPlaces.length > 0 : true;
  const exact = belonging === answer.events.length && covered === expected.length && countRight !== false && placeSaid;
  const wanted = new Set<string>(expected.flatMap((i) => (i.direction !== undefined ? [i.direction] : [])));
  const crossingsReturned = answer.events.filter((e) => e.type === 'line_crossing');
  return {
    question,
    expected: expected.length,
    returned: answer.events.length,
    belonging,
    covered,
    exact,
    ...(countRight !== undefined ? { countRight } : {}),
    ...(question.kind === 'direction' && wanted.size === 1
      ? { crossings: { returned: crossingsReturned.length, rightWay: crossingsReturned.filter((e) => e.direction !== undefined && wanted.has(e.direction)).length } }
      : {}),
  };
}

export interface Totals {
  questions: number;
  exact: number;
  precision: number;
  coverage: number;
  countAccuracy?: number;
  directionAccuracy?: number;
}

const mean = (values: number[]): number => (values.length === 0 ? 1 : values.reduce((s, v) => s + v, 0) / values.length);

export function totals(scores: readonly QuestionScore[]): Totals {
  const counted = scores.filter((s) => s.countRight !== undefined);
  const crossings = scores.flatMap((s) => (s.crossings ? [s.crossings] : []));
  const crossingsReturned = crossings.reduce((n, c) => n + c.returned, 0);
  return {
    questions: scores.length,
    exact: mean(scores.map((s) => (s.exact ? 1 : 0))),
    precision: mean(scores.filter((s) => s.returned > 0).map((s) => s.belonging / s.returned)),
    coverage: mean(scores.filter((s) => s.expected > 0).map((s) => s.covered / s.expected)),
    ...(counted.length > 0 ? { countAccuracy: mean(counted.map((s) => (s.countRight ? 1 : 0))) } : {}),
    ...(crossingsReturned > 0 ? { directionAccuracy: crossings.reduce((n, c) => n + c.rightWay, 0) / crossingsReturned } : {}),
  };
}
