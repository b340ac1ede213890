import type { Box } from '../geometry.ts';
import type { ClassFamily, TrackedObject } from '../tracking/tracking-types.ts';
import type { CrossingDirection } from './rule-types.ts';
import type { Point } from './polygon.ts';

/** One track as seen in one frame. */
export interface Sighting {
  trackId: string;
  label: string;
  family: ClassFamily;
  timestampMs: number;
  frameIndex: number;
  box: Box;
  score: number;
}

/** Kinds of incident that last (crossings are instantaneous and reported on their own). */
export type LastingIncidentType = 'intrusion' | 'loitering' | 'object_seen';

export interface LoiteringMetrics {
  dwellSeconds: number;
  averageSpeedPxPerSecond: number;
  midlineCrossings: number;
}

/** A track crossed a tripwire in the frame of `sighting`. */
export interface CrossingSignal {
  kind: 'crossing';
  type: 'line_crossing';
  rule: string;
  direction: CrossingDirection;
  /** Where the foot point's path met the wire. */
  point: Point;
  sighting: Sighting;
}

/**
 * A lasting incident began at `startMs` (zone entry, first seen), which may be before `sighting`,
 * the frame in which it was recognised. `begin` is the sighting that shows the beginning: the
 * first frame inside the zone, or for object_seen the first confirmed frame (the tracker does
 * not report boxes before it confirms a track).
 */
export interface StartSignal {
  kind: 'start';
  type: LastingIncidentType;
  rule: string;
  startMs: number;
  startFrameIndex: number;
  begin: Sighting;
  sighting: Sighting;
  loitering?: LoiteringMetrics;
}

/** The track is still part of its incident in this frame (inside the zone, or still seen). */
export interface UpdateSignal {
  kind: 'update';
  type: LastingIncidentType;
  rule: string;
  sighting: Sighting;
  loitering?: LoiteringMetrics;
}

/**
 * - `exit`: the track left the zone; `last` is its last frame inside.
 * - `track_lost`: the tracker gave the track up while it was inside the zone; `last` is its last sighting.
 * - `finished`: the tracker gave up an object_seen track; `last` is its last sighting.
 * - `end_of_input`: the input ended while the incident was going on; `last` is its last sighting.
 */
export type EndReason = 'exit' | 'track_lost' | 'finished' | 'end_of_input';

export interface EndSignal {
  kind: 'end';
  type: LastingIncidentType;
  rule: string;
  reason: EndReason;
  last: Sighting;
}

export type RuleSignal = CrossingSignal | StartSignal | UpdateSignal | EndSignal;

export function labelAllowed(labels: readonly string[] | undefined, label: string): boolean {
  return labels === undefined || labels.includes(label);
}

export function sightingOf(
  object: TrackedObject,
  frame: { frameIndex: number; timestampMs: number },
): Sighting {
  return {
    trackId: object.trackId,
    label: object.label,
    family: object.family,
    timestampMs: frame.timestampMs,
    frameIndex: frame.frameIndex,
    box: object.box,
    score: object.score,
  };
}
