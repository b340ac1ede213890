import type { Point } from '../rules/polygon.ts';

/** Rules in frame pixels, resolved from the config for one camera at one frame size. */
export interface ZoneRule {
  name: string;
  /** Human names for summaries; fall back to `name`. */
  displayName: { en: string; zhHant: string };
  polygon: readonly Point[];
  /** Only these labels count; undefined = all. */
  labels?: readonly string[];
  /** Consecutive frames inside (outside) before a track counts as entered (exited). */
  debounceFrames: number;
  /** Intrusion events when true. */
  restricted: boolean;
  loitering?: {
    minSeconds: number;
    /** Pixels per second (already converted from a fraction of the frame diagonal if so configured). */
    maxSpeedPxPerSecond: number;
    /** 0 = not required; else the track must cross the zone's mid-line at least this often. */
    backAndForth: number;
  };
}

export type CrossingDirection = 'a_to_b' | 'b_to_a';

/** A place on one side of a tripwire: its names in sentences and the other words for it in questions. */
export interface TripwireSide {
  name: { en: string; zhHant: string };
  aliases: readonly string[];
}

export interface TripwireRule {
  name: string;
  displayName: { en: string; zhHant: string };
  /** What lies on side A and side B, when named ("from the parking lot to the lobby"). */
  sides?: { a?: TripwireSide; b?: TripwireSide };
  a: Point;
  b: Point;
  direction: CrossingDirection | 'any';
  /** Which crossing direction counts as "inbound" in summaries, when known. */
  inbound?: CrossingDirection;
  labels?: readonly string[];
  /** A track must be at least this many frames old before its crossings count. */
  minTrackAgeFrames: number;
  /** Dead band around the line in pixels: jitter inside it never counts as a side change. */
  hysteresisPx: number;
}

export interface CameraRules {
  cameraId: string;
  cameraName: string;
  timeZone: string;
  frameWidth: number;
  frameHeight: number;
  zones: readonly ZoneRule[];
  tripwires: readonly TripwireRule[];
  /** Labels that get a plain "object seen" event per track. */
  objectSeenLabels: readonly string[];
  /** After an event for (rule, track) closes, a new incident within this time extends it. */
  cooldownSeconds: number;
  /** Incidents of the same rule starting within this time of an open event join it. */
  mergeSeconds: number;
}
