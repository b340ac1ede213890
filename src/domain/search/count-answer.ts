/**
 * The number a counting question asks for, from the events that answer it: how many times
 * something happened (each crossing, each entry into a zone, each sighting; two people crossing
 * together are two) or how many people or objects (each once, however often they came).
 */
import type { VigilEvent } from '../events/event-types.ts';
import type { CountKind } from './count-question.ts';

export interface CountedEvent {
  runId: number;
  event: Pick<VigilEvent, 'type' | 'actors' | 'evidence' | 'startMs' | 'endMs'>;
}

/** Which actors of an event count (for example those whose own stay passes the question's test). */
export type ActorTest = (actor: VigilEvent['actors'][number], event: CountedEvent['event']) => boolean;

const INCIDENT_KIND = { line_crossing: 'crossing', intrusion: 'zone_enter', loitering: 'zone_enter', object_seen: 'first_seen' } as const;

/** The range searched: a crossing is an instant, counted only when it falls inside. */
export interface CountWindow {
  fromMs?: number;
  toMs?: number;
}

const inWindow = (ms: number, window: CountWindow) => (window.fromMs === undefined || ms >= window.fromMs) && (window.toMs === undefined || ms < window.toMs);

/**
 * The actors of an event that count, by their track ids: those `counts` accepts, less, in a
 * crossing event, those whose every crossing lies outside the range searched (five people
 * crossing within 20 s make one event, which may overlap the range by one of them).
 */
function countingActors(event: CountedEvent['event'], counts: ActorTest, window: CountWindow): Set<string> {
  const actors = new Set(event.actors.filter((a) => counts(a, event)).map((a) => a.trackId));
  if (event.type !== 'line_crossing') return actors;
  for (const id of actors) {
    const crossings = event.evidence.filter((e) => e.kind === 'crossing' && e.trackId === id);
    if (crossings.length > 0 && !crossings.some((e) => inWindow(e.timestampMs, window))) actors.delete(id);
  }
  return actors;
}

/** Incidents of one event by the actors that count: their crossings (inside the range), zone entries or first sightings. */
export function incidentsOf(event: CountedEvent['event'], counts: ActorTest = () => true, window: CountWindow = {}): number {
  const actors = countingActors(event, counts, window);
  const kind = INCIDENT_KIND[event.type];
  const incidents = event.evidence.filter((e) => e.kind === kind && actors.has(e.trackId) && (kind !== 'crossing' || inWindow(e.timestampMs, window))).length;
  // Loitering is confirmed inside the zone: an actor without its entry in the evidence still counts once.
  return Math.max(incidents, actors.size);
}

export function countEvents(events: readonly CountedEvent[], kind: CountKind, counts: ActorTest = () => true, window: CountWindow = {}): number {
  if (kind === 'times') return events.reduce((n, e) => n + incidentsOf(e.event, counts, window), 0);
  // Track ids are per analysis run: the same id in two runs is two people.
  return new Set(events.flatMap((e) => [...countingActors(e.event, counts, window)].map((id) => `${e.runId}\u0000${id}`))).size;
}
