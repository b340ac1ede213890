import type { TrackerOutput } from '../tracking/tracking-types.ts';
import type { RuleSignal } from './incident-types.ts';
import { IntrusionEvaluator } from './intrusion.ts';
import { LoiteringEvaluator } from './loitering.ts';
import { ObjectSeenEvaluator } from './object-seen.ts';
import type { CameraRules, ZoneRule } from './rule-types.ts';
import { TripwireEvaluator } from './tripwire.ts';
import { ZonePresence } from './zone-presence.ts';

interface ZoneEvaluators {
  presence: ZonePresence;
  intrusion?: IntrusionEvaluator;
  loitering?: LoiteringEvaluator;
}

function zoneEvaluators(zone: ZoneRule): ZoneEvaluators {
  const loitering = zone.loitering;
  return {
    presence: new ZonePresence(zone),
    ...(zone.restricted ? { intrusion: new IntrusionEvaluator(zone.name) } : {}),
    ...(loitering !== undefined ? { loitering: new LoiteringEvaluator({ ...zone, loitering }) } : {}),
  };
}

/**
 * Every rule of one camera, fed one tracker update at a time. Signals come out in a fixed order
 * (tripwires, zones, object_seen; rules in config order; tracks in the tracker's order), so the
 * same input always gives the same signals.
 */
export class RuleEvaluator {
  private readonly tripwires: TripwireEvaluator[];
  private readonly zones: ZoneEvaluators[];
  private readonly objectSeen: ObjectSeenEvaluator;

  constructor(rules: CameraRules) {
    this.tripwires = rules.tripwires.map((rule) => new TripwireEvaluator(rule));
    this.zones = rules.zones.map(zoneEvaluators);
    this.objectSeen = new ObjectSeenEvaluator(rules.objectSeenLabels);
  }

  update(frame: TrackerOutput): RuleSignal[] {
    const signals: RuleSignal[] = [];
    for (const wire of this.tripwires) {
      for (const object of frame.tracked) {
        const crossing = wire.update(object, frame);
        if (crossing !== undefined) signals.push(crossing);
      }
      for (const track of frame.finished) wire.forget(track.trackId);
    }
    for (const zone of this.zones) {
      for (const object of frame.tracked) {
        const presence = zone.presence.update(object, frame);
        if (zone.intrusion !== undefined) signals.push(...zone.intrusion.update(presence));
        if (zone.loitering !== undefined) signals.push(...zone.loitering.update(presence));
      }
      for (const track of frame.finished) {
        const end = zone.presence.finish(track);
        if (end === undefined) continue;
        if (zone.intrusion !== undefined) signals.push(...zone.intrusion.end(end));
        if (zone.loitering !== undefined) signals.push(...zone.loitering.end(end));
      }
    }
    for (const object of frame.tracked) signals.push(...this.objectSeen.update(object, frame));
    for (const track of frame.finished) signals.push(...this.objectSeen.finish(track));
    return signals;
  }

  /** End of input: end every incident still going on. */
  finish(): RuleSignal[] {
    const signals: RuleSignal[] = [];
    for (const zone of this.zones) {
      for (const end of zone.presence.finishAll()) {
        if (zone.intrusion !== undefined) signals.push(...zone.intrusion.end(end));
        if (zone.loitering !== undefined) signals.push(...zone.loitering.end(end));
      }
    }
    signals.push(...this.objectSeen.finishAll());
    return signals;
  }
}
