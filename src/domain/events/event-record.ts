import { boxArea } from '../geometry.ts';
import type { LoiteringMetrics, Sighting } from '../rules/incident-types.ts';
import type { Point } from '../rules/polygon.ts';
import type { CrossingDirection } from '../rules/rule-types.ts';
import type { Evidence, EvidenceKind, LocalizedText, VigilEvent } from './event-types.ts';

/** The engine's working state for one event; `event` is mutated in place and copied out. */
export interface EventRecord {
  event: VigilEvent;
  /** Incidents with the same key may join this event (type, rule and, for crossings, direction). */
  mergeKey: string;
  /** Tracks whose lasting incident is still going on in this event. */
  active: Set<string>;
  /** Best area x score so far per actor. */
  bestValue: Map<string, number>;
  /** The actor whose best view is the snapshot (zone and object_seen events). */
  snapshotActor?: string;
  direction?: CrossingDirection;
  lastCrossingMs?: number;
  /** Latest loitering figures per actor. */
  metrics: Map<string, LoiteringMetrics>;
  /** Each actor's stay so far: the time of its ended incidents, and the one going on. */
  stays: Map<string, ActorStay>;
}

export interface ActorStay {
  /** Milliseconds of the incidents of this actor that have ended. */
  endedMs: number;
  /** Start of its incident still going on, and when it was last seen in it. */
  open?: { sinceMs: number; lastMs: number };
}

/** An actor's stay in whole-tenth seconds, counting its incident still going on up to its last sighting. */
export function staySeconds(stay: ActorStay): number {
  const ms = stay.endedMs + (stay.open ? stay.open.lastMs - stay.open.sinceMs : 0);
  return Math.round(ms / 100) / 10;
}

/** Keeps ids readable and safe in file names and URLs. */
export function sanitizeId(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}

export function addOrRefreshActor(event: VigilEvent, s: Sighting): void {
  const actor = event.actors.find((a) => a.trackId === s.trackId);
  // The tracker settles on a track's most frequent label, so the latest label is the best one.
  if (actor === undefined) event.actors.push({ trackId: s.trackId, label: s.label, family: s.family });
  else actor.label = s.label;
  event.labels = [...new Set(event.actors.map((a) => a.label))];
}

export function extendEnd(event: VigilEvent, timestampMs: number, frameIndex: number): void {
  if (timestampMs > event.endMs || (timestampMs === event.endMs && frameIndex > event.endFrameIndex)) {
    event.endMs = timestampMs;
    event.endFrameIndex = frameIndex;
  }
}

export function extendStart(event: VigilEvent, timestampMs: number, frameIndex: number): void {
  if (timestampMs < event.startMs || (timestampMs === event.startMs && frameIndex < event.startFrameIndex)) {
    event.startMs = timestampMs;
    event.startFrameIndex = frameIndex;
  }
}

export function evidenceOf(kind: EvidenceKind, s: Sighting, text: LocalizedText, point?: Point): Evidence {
  return {
    kind,
    timestampMs: s.timestampMs,
    frameIndex: s.frameIndex,
    trackId: s.trackId,
    box: { ...s.box },
    score: s.score,
    text,
    ...(point !== undefined ? { point } : {}),
  };
}

/** Keeps evidence in frame order; items of one frame stay in the order they were added. */
export function insertEvidence(event: VigilEvent, item: Evidence): void {
  const at = event.evidence.findIndex((e) => e.frameIndex > item.frameIndex);
  if (at < 0) event.evidence.push(item);
  else event.evidence.splice(at, 0, item);
}

/**
 * Offers a frame of the event as an actor's best view (largest box area x score; the earliest
 * wins a tie). Returns true when it became the best view, replacing the actor's previous one.
 */
export function offerBestView(record: EventRecord, s: Sighting, text: LocalizedText): boolean {
  const value = boxArea(s.box) * s.score;
  const previous = record.bestValue.get(s.trackId);
  if (previous !== undefined && value <= previous) return false;
  record.bestValue.set(s.trackId, value);
  const event = record.event;
  event.evidence = event.evidence.filter((e) => !(e.kind === 'best_view' && e.trackId === s.trackId));
  insertEvidence(event, evidenceOf('best_view', s, text));
  return true;
}

export function copyEvent(event: VigilEvent): VigilEvent {
  return {
    ...event,
    labels: [...event.labels],
    actors: event.actors.map((a) => ({ ...a })),
    evidence: event.evidence.map((e) => ({ ...e, box: { ...e.box }, text: { ...e.text } })),
    summary: { ...event.summary },
    keywords: [...event.keywords],
    details: { ...event.details },
  };
}
