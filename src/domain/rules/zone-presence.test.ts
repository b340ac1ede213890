import { describe, expect, it } from 'vitest';
import type { TrackedObject } from '../tracking/tracking-types.ts';
import type { ZoneRule } from './rule-types.ts';
import { ZonePresence, type PresenceUpdate } from './zone-presence.ts';

const zone: ZoneRule = {
  name: 'yard',
  displayName: { en: 'Yard', zhHant: '院子' },
  polygon: [
    [100, 100],
    [300, 100],
    [300, 200],
    [100, 200],
  ],
  debounceFrames: 3,
  restricted: true,
};

const IN = 150;
const OUT = 250;

function person(y: number, label = 'person'): TrackedObject {
  return {
    trackId: 'p1',
    label,
    family: 'person',
    box: { x1: 140, y1: y - 40, x2: 160, y2: y },
    score: 0.9,
    detectionIndex: 0,
    hits: 10,
    firstSeenMs: 0,
    firstFrameIndex: 0,
  };
}

/** Feeds foot y positions one per frame (1 s apart); `null` = the track is not matched that frame. */
function feed(presence: ZonePresence, ys: readonly (number | null)[], label?: string): PresenceUpdate[] {
  const out: PresenceUpdate[] = [];
  ys.forEach((y, i) => {
    if (y !== null) out.push(presence.update(person(y, label), { frameIndex: i, timestampMs: i * 1000 }));
  });
  return out;
}

const summary = (updates: PresenceUpdate[]) =>
  updates.flatMap((u) => [
    ...(u.entered ? [`enter@${u.sighting.frameIndex} from ${u.entered.map((s) => s.frameIndex).join(',')}`] : []),
    ...(u.exited ? [`exit@${u.sighting.frameIndex} last ${u.exited.frameIndex}`] : []),
  ]);

describe('ZonePresence', () => {
  it('needs debounceFrames consecutive frames inside', () => {
    expect(summary(feed(new ZonePresence(zone), [OUT, IN, IN, OUT, IN, IN, OUT]))).toEqual([]);
    expect(summary(feed(new ZonePresence(zone), [OUT, IN, IN, IN, IN]))).toEqual(['enter@3 from 1,2,3']);
  });

  it('needs debounceFrames consecutive frames outside, and exits at the last frame inside', () => {
    const updates = feed(new ZonePresence(zone), [IN, IN, IN, OUT, OUT, IN, OUT, OUT, OUT, OUT]);
    expect(summary(updates)).toEqual(['enter@2 from 0,1,2', 'exit@8 last 5']);
    expect(updates.map((u) => u.isIn)).toEqual([false, false, true, true, true, true, true, true, false, false]);
    expect(updates.map((u) => u.inside)).toEqual([true, true, true, false, false, true, false, false, false, false]);
  });

  it('does not count frames in which the track was not matched', () => {
    expect(summary(feed(new ZonePresence(zone), [IN, null, IN, null, null, IN]))).toEqual(['enter@5 from 0,2,5']);
  });

  it('counts a frame with a label the zone does not accept as outside', () => {
    const presence = new ZonePresence({ ...zone, labels: ['car'] });
    expect(summary(feed(presence, [IN, IN, IN, IN]))).toEqual([]);
  });

  it('treats debounceFrames below 1 as 1', () => {
    expect(summary(feed(new ZonePresence({ ...zone, debounceFrames: 0 }), [IN, OUT]))).toEqual([
      'enter@0 from 0',
      'exit@1 last 0',
    ]);
  });

  it('exits a track lost inside the zone at its last seen time', () => {
    const presence = new ZonePresence(zone);
    feed(presence, [IN, IN, IN, IN]);
    const lastBox = { x1: 140, y1: 110, x2: 160, y2: 150 };
    const end = presence.finish({
      trackId: 'p1',
      label: 'person',
      family: 'person',
      lastSeenMs: 3000,
      lastFrameIndex: 3,
      lastBox,
    });
    expect(end).toMatchObject({ reason: 'track_lost', last: { timestampMs: 3000, frameIndex: 3, box: lastBox } });
  });

  it('exits at the last frame inside a track given up while it was already seen outside', () => {
    const presence = new ZonePresence(zone);
    feed(presence, [IN, IN, IN, IN, OUT]);
    const end = presence.finish({
      trackId: 'p1',
      label: 'person',
      family: 'person',
      lastSeenMs: 4000,
      lastFrameIndex: 4,
      lastBox: { x1: 140, y1: 210, x2: 160, y2: 250 },
    });
    expect(end).toMatchObject({ reason: 'exit', last: { timestampMs: 3000, frameIndex: 3 } });
  });

  it('has nothing to end for a track that was not in the zone, and ends the rest at end of input', () => {
    const presence = new ZonePresence(zone);
    feed(presence, [IN, IN]);
    const finished = { trackId: 'p1', label: 'person', family: 'person' as const, lastSeenMs: 1000, lastFrameIndex: 1 };
    expect(presence.finish({ ...finished, lastBox: person(IN).box })).toBeUndefined();
    feed(presence, [IN, IN, IN, IN]);
    expect(presence.finishAll()).toMatchObject([{ trackId: 'p1', reason: 'end_of_input', last: { frameIndex: 3 } }]);
    expect(presence.finishAll()).toEqual([]);
  });
});
