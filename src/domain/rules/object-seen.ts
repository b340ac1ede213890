import type { FinishedTrack, TrackedObject } from '../tracking/tracking-types.ts';
import { sightingOf, type RuleSignal, type Sighting } from './incident-types.ts';

/**
 * One incident per confirmed track once it is reported with one of `labels`, from the tracker's
 * first sighting of it to the frame it gives the track up. The rule is the label that started
 * the incident; later label changes of the track (a van called car, then truck) do not end it.
 */
export class ObjectSeenEvaluator {
  /** Active tracks: their rule (label) and last sighting. */
  private readonly tracks = new Map<string, { rule: string; last: Sighting }>();

  constructor(private readonly labels: readonly string[]) {}

  update(object: TrackedObject, frame: { frameIndex: number; timestampMs: number }): RuleSignal[] {
    const sighting = sightingOf(object, frame);
    const active = this.tracks.get(object.trackId);
    if (active !== undefined) {
      active.last = sighting;
      return [{ kind: 'update', type: 'object_seen', rule: active.rule, sighting }];
    }
    if (!this.labels.includes(object.label)) return [];
    this.tracks.set(object.trackId, { rule: object.label, last: sighting });
    return [
      {
        kind: 'start',
        type: 'object_seen',
        rule: object.label,
        startMs: Math.min(object.firstSeenMs, frame.timestampMs),
        startFrameIndex: Math.min(object.firstFrameIndex, frame.frameIndex),
        begin: sighting,
        sighting,
      },
    ];
  }

  finish(track: FinishedTrack): RuleSignal[] {
    const active = this.tracks.get(track.trackId);
    if (active === undefined) return [];
    this.tracks.delete(track.trackId);
    const last: Sighting = {
      ...active.last,
      timestampMs: track.lastSeenMs,
      frameIndex: track.lastFrameIndex,
      box: track.lastBox,
    };
    return [{ kind: 'end', type: 'object_seen', rule: active.rule, reason: 'finished', last }];
  }

  finishAll(): RuleSignal[] {
    const ends: RuleSignal[] = [];
    for (const { rule, last } of this.tracks.values()) {
      ends.push({ kind: 'end', type: 'object_seen', rule, reason: 'end_of_input', last });
    }
    this.tracks.clear();
    return ends;
  }
}
