import type { LoiteringMetrics, RuleSignal, Sighting } from './incident-types.ts';
import { MidlineCounter, ResampledPath, zoneMidline, type Midline } from './loitering-metrics.ts';
import { footPoint } from './polygon.ts';
import type { ZoneRule } from './rule-types.ts';
import type { PresenceEnd, PresenceUpdate } from './zone-presence.ts';

interface LoiteringTrack {
  enter: Sighting;
  path: ResampledPath;
  midline: MidlineCounter;
  fired: boolean;
}

/**
 * Loitering in one zone, fed by the zone's shared presence. While a track is in the zone its
 * dwell, average speed and mid-line crossings are kept up to date; the incident fires once all
 * the conditions hold and then lasts, from the zone entry, until the exit.
 */
export class LoiteringEvaluator {
  private readonly tracks = new Map<string, LoiteringTrack>();
  private readonly midline: Midline;
  private readonly settings: NonNullable<ZoneRule['loitering']>;

  constructor(private readonly zone: ZoneRule & { loitering: NonNullable<ZoneRule['loitering']> }) {
    this.midline = zoneMidline(zone.polygon);
    this.settings = zone.loitering;
  }

  update(presence: PresenceUpdate): RuleSignal[] {
    const { sighting } = presence;
    const rule = this.zone.name;
    if (presence.exited !== undefined) {
      const state = this.tracks.get(sighting.trackId);
      this.tracks.delete(sighting.trackId);
      if (state?.fired !== true) return [];
      return [{ kind: 'end', type: 'loitering', rule, reason: 'exit', last: presence.exited }];
    }
    if (!presence.isIn) return [];

    let state = this.tracks.get(sighting.trackId);
    if (presence.entered !== undefined) {
      const enter = presence.entered[0] ?? sighting;
      state = { enter, path: new ResampledPath(), midline: new MidlineCounter(this.midline), fired: false };
      this.tracks.set(sighting.trackId, state);
      for (const s of presence.entered) this.add(state, s);
    } else if (state !== undefined) {
      this.add(state, sighting);
    }
    if (state === undefined) return [];

    const metrics = this.metrics(state, sighting.timestampMs);
    if (state.fired) {
      return presence.inside ? [{ kind: 'update', type: 'loitering', rule, sighting, loitering: metrics }] : [];
    }
    if (!this.conditionsHold(metrics, state)) return [];
    state.fired = true;
    return [
      {
        kind: 'start',
        type: 'loitering',
        rule,
        startMs: state.enter.timestampMs,
        startFrameIndex: state.enter.frameIndex,
        begin: state.enter,
        sighting,
        loitering: metrics,
      },
    ];
  }

  end(end: PresenceEnd): RuleSignal[] {
    const state = this.tracks.get(end.trackId);
    this.tracks.delete(end.trackId);
    if (state?.fired !== true) return [];
    return [{ kind: 'end', type: 'loitering', rule: this.zone.name, reason: end.reason, last: end.last }];
  }

  private add(state: LoiteringTrack, s: Sighting): void {
    const foot = footPoint(s.box);
    state.path.add(s.timestampMs, foot);
    state.midline.add(foot);
  }

  private metrics(state: LoiteringTrack, nowMs: number): LoiteringMetrics {
    const dwellSeconds = (nowMs - state.enter.timestampMs) / 1000;
    return {
      dwellSeconds,
      averageSpeedPxPerSecond: dwellSeconds > 0 ? state.path.length / dwellSeconds : 0,
      midlineCrossings: state.midline.crossings,
    };
  }

  private conditionsHold(metrics: LoiteringMetrics, state: LoiteringTrack): boolean {
    return (
      metrics.dwellSeconds >= this.settings.minSeconds &&
      metrics.averageSpeedPxPerSecond <= this.settings.maxSpeedPxPerSecond &&
      state.midline.crossings >= this.settings.backAndForth
    );
  }
}
