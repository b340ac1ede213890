import type { TrackedObject } from '../tracking/tracking-types.ts';
import { labelAllowed, sightingOf, type CrossingSignal } from './incident-types.ts';
import { footPoint, segmentIntersection, signedDistanceToLine, type Point } from './polygon.ts';
import type { CrossingDirection, TripwireRule } from './rule-types.ts';

export type WireSide = 'A' | 'B';

/**
 * Side of p relative to the directed wire a -> b, or undefined inside the dead band of
 * `hysteresisPx` around the (infinite) line. With y growing downward, A is where
 * cross(b - a, p - a) < 0: above a wire drawn left to right.
 */
export function wireSide(rule: Pick<TripwireRule, 'a' | 'b' | 'hysteresisPx'>, p: Point): WireSide | undefined {
  const d = signedDistanceToLine(rule.a, rule.b, p);
  const band = Math.max(0, rule.hysteresisPx);
  if (d < -band) return 'A';
  if (d > band) return 'B';
  return undefined;
}

interface WireTrack {
  /** Last side the foot point was clearly on. */
  side: WireSide;
  /** The last foot point that was on `side`. */
  lastFoot: Point;
}

/** Crossings of one tripwire, one small state machine per track. */
export class TripwireEvaluator {
  private readonly tracks = new Map<string, WireTrack>();

  constructor(private readonly rule: TripwireRule) {}

  update(object: TrackedObject, frame: { frameIndex: number; timestampMs: number }): CrossingSignal | undefined {
    const foot = footPoint(object.box);
    const side = wireSide(this.rule, foot);
    // Inside the dead band: keep the last known side and the last point that was on it.
    if (side === undefined) return undefined;
    const state = this.tracks.get(object.trackId);
    this.tracks.set(object.trackId, { side, lastFoot: foot });
    if (state === undefined || state.side === side) return undefined;

    // The side changed. It is adopted even when it does not count (too young a track, passing
    // beside the end of the wire), so that the same change is never counted later.
    if (object.hits < this.rule.minTrackAgeFrames) return undefined;
    if (!labelAllowed(this.rule.labels, object.label)) return undefined;
    const point = segmentIntersection(state.lastFoot, foot, this.rule.a, this.rule.b);
    if (point === undefined) return undefined;
    const direction: CrossingDirection = side === 'B' ? 'a_to_b' : 'b_to_a';
    if (this.rule.direction !== 'any' && this.rule.direction !== direction) return undefined;
    return {
      kind: 'crossing',
      type: 'line_crossing',
      rule: this.rule.name,
      direction,
      point,
      sighting: sightingOf(object, frame),
    };
  }

  forget(trackId: string): void {
    this.tracks.delete(trackId);
  }
}
