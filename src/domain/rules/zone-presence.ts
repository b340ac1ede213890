import type { FinishedTrack, TrackedObject } from '../tracking/tracking-types.ts';
import { labelAllowed, sightingOf, type Sighting } from './incident-types.ts';
import { footPoint, pointInPolygon } from './polygon.ts';
import type { ZoneRule } from './rule-types.ts';

export interface PresenceUpdate {
  sighting: Sighting;
  /** The foot point is inside the zone this frame (and the label counts in this zone). */
  inside: boolean;
  /** The track counts as in the zone after this frame. */
  isIn: boolean;
  /** Set on the frame the track is confirmed in: the consecutive inside frames, oldest first. */
  entered?: readonly Sighting[];
  /** Set on the frame the track is confirmed out: its last frame inside. */
  exited?: Sighting;
}

export interface PresenceEnd {
  trackId: string;
  reason: 'exit' | 'track_lost' | 'end_of_input';
  last: Sighting;
}

interface PresenceTrack {
  isIn: boolean;
  /** While out: the current run of consecutive inside frames. */
  run: Sighting[];
  /** While in: consecutive frames outside. */
  outsideRun: number;
  lastInside?: Sighting;
  lastSeen: Sighting;
}

/**
 * Debounced in/out state of tracks for one zone. Only frames in which the tracker matched the
 * track count as updates: frames in which it is lost (occluded) count neither way. A frame whose
 * label the zone does not accept counts as outside.
 */
export class ZonePresence {
  private readonly tracks = new Map<string, PresenceTrack>();
  private readonly debounce: number;

  constructor(private readonly zone: ZoneRule) {
    this.debounce = Math.max(1, Math.floor(zone.debounceFrames));
  }

  update(object: TrackedObject, frame: { frameIndex: number; timestampMs: number }): PresenceUpdate {
    const sighting = sightingOf(object, frame);
    const inside =
      labelAllowed(this.zone.labels, object.label) && pointInPolygon(footPoint(object.box), this.zone.polygon);
    let state = this.tracks.get(object.trackId);
    if (state === undefined) {
      state = { isIn: false, run: [], outsideRun: 0, lastSeen: sighting };
      this.tracks.set(object.trackId, state);
    }
    state.lastSeen = sighting;
    const result: PresenceUpdate = { sighting, inside, isIn: state.isIn };

    if (!state.isIn) {
      if (!inside) {
        state.run = [];
        return result;
      }
      state.run.push(sighting);
      if (state.run.length < this.debounce) return result;
      result.entered = state.run;
      state.isIn = true;
      state.run = [];
      state.outsideRun = 0;
      state.lastInside = sighting;
    } else if (inside) {
      state.outsideRun = 0;
      state.lastInside = sighting;
    } else {
      state.outsideRun += 1;
      if (state.outsideRun >= this.debounce) {
        result.exited = state.lastInside ?? sighting;
        state.isIn = false;
        state.outsideRun = 0;
        state.lastInside = undefined;
      }
    }
    result.isIn = state.isIn;
    return result;
  }

  /**
   * The tracker gave the track up. If it was in the zone it exits: at its last seen time when it
   * was last seen inside ("lost inside the zone"), else at its last frame inside (it had been
   * seen outside, just not for long enough yet).
   */
  finish(track: FinishedTrack): PresenceEnd | undefined {
    const state = this.tracks.get(track.trackId);
    this.tracks.delete(track.trackId);
    if (state === undefined || !state.isIn) return undefined;
    const lastInside = state.lastInside ?? state.lastSeen;
    if (state.outsideRun > 0) return { trackId: track.trackId, reason: 'exit', last: lastInside };
    const last: Sighting = {
      ...lastInside,
      timestampMs: track.lastSeenMs,
      frameIndex: track.lastFrameIndex,
      box: track.lastBox,
    };
    return { trackId: track.trackId, reason: 'track_lost', last };
  }

  /** End of input: every track still in the zone, with its last frame inside. */
  finishAll(): PresenceEnd[] {
    const ends: PresenceEnd[] = [];
    for (const [trackId, state] of this.tracks) {
      if (state.isIn) ends.push({ trackId, reason: 'end_of_input', last: state.lastInside ?? state.lastSeen });
    }
    this.tracks.clear();
    return ends;
  }
}
