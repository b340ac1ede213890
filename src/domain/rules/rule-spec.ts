import type { Size } from '../geometry.ts';
import type { Point } from './polygon.ts';
import type { CameraRules, CrossingDirection, TripwireRule, TripwireSide, ZoneRule } from './rule-types.ts';

/**
 * Rules as configured: coordinates in detect-resolution pixels or as fractions of the frame,
 * speeds in pixels or fractions of the frame diagonal per second. `resolveRules` turns them into
 * pixels once the frame size is known, so the evaluators only ever see pixels.
 */
export type Units = 'pixels' | 'fraction';

export interface DisplayName {
  en: string;
  zhHant: string;
}

export interface ZoneSpec {
  name: string;
  displayName: DisplayName;
  points: readonly Point[];
  units: Units;
  labels?: readonly string[];
  debounceFrames: number;
  restricted: boolean;
  loitering?: { minSeconds: number; maxSpeed: number; speedUnits: Units; backAndForth: number };
}

export interface TripwireSpec {
  name: string;
  displayName: DisplayName;
  sides?: { a?: TripwireSide; b?: TripwireSide };
  points: readonly [Point, Point];
  units: Units;
  direction: CrossingDirection | 'any';
  inbound?: CrossingDirection;
  labels?: readonly string[];
  minTrackAgeFrames: number;
  /** Dead band around the line, as a fraction of the frame diagonal. */
  hysteresis: number;
}

export interface RuleSpec {
  cameraId: string;
  cameraName: string;
  timeZone: string;
  zones: readonly ZoneSpec[];
  tripwires: readonly TripwireSpec[];
  objectSeenLabels: readonly string[];
  cooldownSeconds: number;
  mergeSeconds: number;
}

function toPixels(point: Point, units: Units, frame: Size): Point {
  return units === 'fraction' ? [point[0] * frame.width, point[1] * frame.height] : [point[0], point[1]];
}

export function resolveRules(spec: RuleSpec, frame: Size): CameraRules {
  const diagonal = Math.hypot(frame.width, frame.height);
  const zones: ZoneRule[] = spec.zones.map((z) => ({
    name: z.name,
    displayName: z.displayName,
    polygon: z.points.map((p) => toPixels(p, z.units, frame)),
    ...(z.labels ? { labels: z.labels } : {}),
    debounceFrames: z.debounceFrames,
    restricted: z.restricted,
    ...(z.loitering
      ? {
          loitering: {
            minSeconds: z.loitering.minSeconds,
            maxSpeedPxPerSecond: z.loitering.speedUnits === 'fraction' ? z.loitering.maxSpeed * diagonal : z.loitering.maxSpeed,
            backAndForth: z.loitering.backAndForth,
          },
        }
      : {}),
  }));
  const tripwires: TripwireRule[] = spec.tripwires.map((t) => ({
    name: t.name,
    displayName: t.displayName,
    a: toPixels(t.points[0], t.units, frame),
    b: toPixels(t.points[1], t.units, frame),
    direction: t.direction,
    ...(t.inbound ? { inbound: t.inbound } : {}),
    ...(t.sides ? { sides: t.sides } : {}),
    ...(t.labels ? { labels: t.labels } : {}),
    minTrackAgeFrames: t.minTrackAgeFrames,
    hysteresisPx: t.hysteresis * diagonal,
  }));
  return {
    cameraId: spec.cameraId,
    cameraName: spec.cameraName,
    timeZone: spec.timeZone,
    frameWidth: frame.width,
    frameHeight: frame.height,
    zones,
    tripwires,
    objectSeenLabels: spec.objectSeenLabels,
    cooldownSeconds: spec.cooldownSeconds,
    mergeSeconds: spec.mergeSeconds,
  };
}
