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

/** Incidents of one event by the actors that count: their crossings, zone entries or first sightings. */
export function incidentsOf(event: CountedEvent['event'], counts: ActorTest = () => true): number {
  const actors = new Set(event.actors.filter((a) => counts(a, event)).map((a) => a.trackId));
  const kind = INCIDENT_KIND[event.type];
  const incidents = event.evidence.filter((e) => e.kind === kind && actors.has(e.trackId)).length;
  // Loitering is confirmed inside the zone: an actor without its entry in the evidence still counts once.
  return Math.max(incidents, actors.size);
}

export function countEvents(events: readonly CountedEvent[], kind: CountKind, counts: ActorTest = () => true): number {
  if (kind === 'times') return events.reduce((n, e) => n + incidentsOf(e.event, counts), 0);
  // Track ids are per analysis run: the same id in two runs is two people.
  return new Set(events.flatMap((e) => e.event.actors.filter((a) => counts(a, e.event)).map((a) => `${e.runId}\u0000${a.trackId}`))).size;
}
