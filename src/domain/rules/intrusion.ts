import type { RuleSignal } from './incident-types.ts';
import type { PresenceEnd, PresenceUpdate } from './zone-presence.ts';

/**
 * Intrusion into a restricted zone: one incident from the zone entry (the first of the debounced
 * inside frames) to the exit (the last frame inside), fed by the zone's shared presence.
 */
export class IntrusionEvaluator {
  constructor(private readonly zoneName: string) {}

  update(presence: PresenceUpdate): RuleSignal[] {
    const rule = this.zoneName;
    if (presence.entered !== undefined) {
      const begin = presence.entered[0] ?? presence.sighting;
      return [
        {
          kind: 'start',
          type: 'intrusion',
          rule,
          startMs: begin.timestampMs,
          startFrameIndex: begin.frameIndex,
          begin,
          sighting: presence.sighting,
        },
      ];
    }
    if (presence.exited !== undefined) {
      return [{ kind: 'end', type: 'intrusion', rule, reason: 'exit', last: presence.exited }];
    }
    if (presence.isIn && presence.inside) {
      return [{ kind: 'update', type: 'intrusion', rule, sighting: presence.sighting }];
    }
    return [];
  }

  end(end: PresenceEnd): RuleSignal[] {
    return [{ kind: 'end', type: 'intrusion', rule: this.zoneName, reason: end.reason, last: end.last }];
  }
}
