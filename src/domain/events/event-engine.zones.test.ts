import { describe, expect, it } from 'vitest';
import type { CameraRules } from '../rules/rule-types.ts';
import { at, brief, finished, lastOf, play, rules, track, walk, type Script } from '../../../test/factories/event-frames.ts';

const IN = [100, 400] as const;
const OUT = [100, 250] as const;
const YARD_ID = (frame: number, trackId = 'p7') => `back-intrusion-yard-${frame}-${trackId}`;

/** p7 in or out of the yard (debounce 3), one frame per entry from frame 0; null = not matched. */
function yard(steps: readonly ('in' | 'out' | null)[], trackId = 'p7', script: Script = {}, from = 0) {
  steps.forEach((step, i) => {
    if (step === null) return;
    walk(trackId, from + i, [step === 'in' ? IN : OUT], script);
  });
  return script;
}

describe('EventEngine: intrusion', () => {
  it('needs debounceFrames frames inside; the event starts at the first of them', () => {
    expect(brief(play(yard(['out', 'in', 'in', 'out', 'out']), 5))).toEqual([]);
    const changes = play(yard(['out', 'in', 'in', 'in']), 3);
    expect(brief(changes)).toEqual([`3 opened ${YARD_ID(1)} open`, `4 closed ${YARD_ID(1)} closed`]);
    const event = changes[0]!.change.event;
    expect([event.startMs, event.startFrameIndex, event.endMs, event.endFrameIndex]).toEqual([at(1), 1, at(3), 3]);
    expect(event.evidence.map((e) => `${e.kind} ${e.frameIndex}`)).toEqual(['zone_enter 1', 'best_view 3']);
    expect(event.evidence[0]!.text).toEqual({ en: 'Person p7 entered Yard', zhHant: '人物 p7 進入「院子」' });
    expect(event.summary).toEqual({
      en: 'Person p7 entered the restricted zone Yard at 22:05:14',
      zhHant: '人物 p7 於 22:05:14 闖入禁區「院子」',
    });
  });

  it('needs debounceFrames frames outside to exit, and ends at the last frame inside', () => {
    const steps = ['in', 'in', 'in', 'in', 'out', 'out', 'in', 'out', 'out', 'out', 'out'] as const;
    const changes = play(yard(steps), 10);
    expect(brief(changes).filter((c) => !c.includes('updated'))).toEqual([
      `2 opened ${YARD_ID(0)} open`,
      `9 closed ${YARD_ID(0)} closed`,
    ]);
    // Updated on the frames it was seen inside (end time, best view), not while outside.
    expect(changes.filter((c) => c.change.change === 'updated').map((c) => c.frame)).toEqual([3, 6]);
    const event = lastOf(changes, YARD_ID(0));
    expect([event.endMs, event.endFrameIndex, event.details.dwellSeconds]).toEqual([at(6), 6, 6]);
    expect(event.evidence.map((e) => `${e.kind} ${e.frameIndex}`)).toEqual(['zone_enter 0', 'best_view 2', 'zone_exit 6']);
    expect(event.summary).toEqual({
      en: 'Person p7 entered the restricted zone Yard at 22:05:13 and stayed 6 s',
      zhHant: '人物 p7 於 22:05:13 闖入禁區「院子」，停留 6 秒',
    });
  });

  it('ends a track lost inside the zone at its last seen time', () => {
    const script = yard(['in', 'in', 'in', 'in', null, null]);
    script[6] = { finished: [finished('p7', 3, ...IN)] };
    const changes = play(script, 7);
    expect(brief(changes).filter((c) => !c.includes('updated'))).toEqual([
      `2 opened ${YARD_ID(0)} open`,
      `6 closed ${YARD_ID(0)} closed`,
    ]);
    const event = lastOf(changes, YARD_ID(0));
    expect([event.endMs, event.endFrameIndex]).toEqual([at(3), 3]);
    expect(event.evidence.map((e) => `${e.kind} ${e.frameIndex}`)).toEqual(['zone_enter 0', 'best_view 2', 'track_lost 3']);
    expect(event.evidence[2]!.text.en).toBe('Person p7 lost from view inside Yard');
  });

  it('closes at the end of input at the last frame inside, without an exit', () => {
    const changes = play(yard(['in', 'in', 'in', 'in', null, null]), 5);
    expect(brief(changes).filter((c) => !c.includes('updated'))).toEqual([
      `2 opened ${YARD_ID(0)} open`,
      `6 closed ${YARD_ID(0)} closed`,
    ]);
    const event = lastOf(changes, YARD_ID(0));
    expect([event.endFrameIndex, event.evidence.map((e) => e.kind)]).toEqual([3, ['zone_enter', 'best_view']]);
  });

  it('follows the best view of the first actor for the snapshot, and crops each actor once per improvement', () => {
    const script: Script = {};
    // p7 enters at 0; boxes of height 40, 60, 50, 80, 80, 90 (score 0.5).
    [40, 60, 50, 80, 80, 90].forEach((height, frame) => {
      script[frame] = { tracked: [track('p7', ...IN, { height })] };
    });
    // p8 enters at frame 3 and is confirmed at 5 with a larger box than any of p7's.
    for (const frame of [3, 4, 5]) script[frame]!.tracked!.push(track('p8', 150, 420, { height: 200 }));
    const changes = play(script, 5);
    expect(
      changes.map(({ frame, change }) => [frame, change.change, change.renderSnapshot, change.renderThumbnails]),
    ).toEqual([
      [2, 'opened', true, ['p7']],
      [3, 'updated', true, ['p7']],
      [4, 'updated', false, []],
      [5, 'updated', true, ['p7', 'p8']],
      [6, 'closed', false, []],
    ]);
    const event = lastOf(changes, YARD_ID(0));
    expect(event.snapshotFrameIndex).toBe(5);
    expect(event.actors.map((a) => a.trackId)).toEqual(['p7', 'p8']);
    expect(event.evidence.filter((e) => e.kind === 'best_view').map((e) => `${e.trackId} ${e.frameIndex}`)).toEqual([
      'p7 5',
      'p8 5',
    ]);
    expect(event.summary.en).toBe('2 people (p7, p8) entered the restricted zone Yard at 22:05:13 and stayed 5 s');
  });

  it('reopens the event of a track re-entering within the cooldown, and opens a new one after', () => {
    const script = yard(['in', 'in', 'in', 'out', 'out', 'out']);
    yard(['in', 'in', 'in', 'out', 'out', 'out'], 'p7', script, 20);
    yard(['in', 'in', 'in', 'out', 'out', 'out'], 'p7', script, 80);
    const changes = play(script, 90);
    expect(brief(changes).filter((c) => !c.includes('updated') || c.startsWith('22 '))).toEqual([
      `2 opened ${YARD_ID(0)} open`,
      `5 closed ${YARD_ID(0)} closed`,
      `22 updated ${YARD_ID(0)} open`,
      `25 closed ${YARD_ID(0)} closed`,
      `82 opened ${YARD_ID(80)} open`,
      `85 closed ${YARD_ID(80)} closed`,
    ]);
    const event = lastOf(changes, YARD_ID(0));
    expect(event.evidence.filter((e) => e.kind.startsWith('zone')).map((e) => `${e.kind} ${e.frameIndex}`)).toEqual([
      'zone_enter 0',
      'zone_exit 2',
      'zone_enter 20',
      'zone_exit 22',
    ]);
  });

  it('merges another track entering within mergeSeconds of the end, not later', () => {
    const script = yard(['in', 'in', 'in', 'out', 'out', 'out']);
    yard(['in', 'in', 'in', 'out', 'out', 'out'], 'p8', script, 7); // starts 5 s after p7's last frame inside
    yard(['in', 'in', 'in', 'out', 'out', 'out'], 'p9', script, 16); // starts 7 s after p8's
    const changes = play(script, 25);
    expect(brief(changes).filter((c) => !c.includes('updated') || c.startsWith('9 '))).toEqual([
      `2 opened ${YARD_ID(0)} open`,
      `5 closed ${YARD_ID(0)} closed`,
      `9 updated ${YARD_ID(0)} open`,
      `12 closed ${YARD_ID(0)} closed`,
      `18 opened ${YARD_ID(16, 'p9')} open`,
      `21 closed ${YARD_ID(16, 'p9')} closed`,
    ]);
    expect(lastOf(changes, YARD_ID(0)).actors.map((a) => a.trackId)).toEqual(['p7', 'p8']);
  });

  it("keeps each person's own stay in an event of several", () => {
    // p7 inside frames 0-6 (6 s), p8 inside frames 2-4 (2 s): one event, two stays.
    const script = yard(['in', 'in', 'in', 'in', 'in', 'in', 'in', 'out', 'out', 'out']);
    yard(['in', 'in', 'in', 'out', 'out', 'out'], 'p8', script, 2);
    const changes = play(script, 10);
    const event = lastOf(changes, YARD_ID(0));
    expect(event.actors.map((a) => [a.trackId, a.staySeconds])).toEqual([
      ['p7', 6],
      ['p8', 2],
    ]);
    expect(event.details.dwellSeconds).toBe(6);
  });
});

describe('EventEngine: loitering', () => {
  const entranceRules: CameraRules = {
    ...rules,
    tripwires: [],
    zones: [
      {
        name: 'entrance',
        displayName: { en: 'Entrance', zhHant: '入口' },
        polygon: [
          [0, 300],
          [200, 300],
          [200, 480],
          [0, 480],
        ],
        debounceFrames: 1,
        restricted: false,
        loitering: { minSeconds: 60, maxSpeedPxPerSecond: 10, backAndForth: 0 },
      },
    ],
  };

  it('opens when the conditions hold, from the zone entry, and ends at the exit', () => {
    // 2 px/s for 71 s inside, then out.
    const feet = Array.from({ length: 71 }, (_, i) => [20 + 2 * i, 400] as const);
    const changes = play(walk('p2', 0, [...feet, [100, 100]]), 72, entranceRules);
    const id = 'back-loitering-entrance-0-p2';
    expect(brief(changes).filter((c) => !c.includes('updated'))).toEqual([`60 opened ${id} open`, `71 closed ${id} closed`]);
    const event = lastOf(changes, id);
    expect(event.evidence.filter((e) => e.kind !== 'best_view').map((e) => `${e.kind} ${e.frameIndex}`)).toEqual([
      'zone_enter 0',
      'loitering_confirmed 60',
      'zone_exit 70',
    ]);
    expect(event.evidence[1]!.text).toEqual({
      en: 'Person p2 loitering in Entrance for 60 s',
      zhHant: '人物 p2 在「入口」徘徊 60 秒',
    });
    expect(event.details).toEqual({ dwellSeconds: 70, averageSpeedPxPerSecond: 2, midlineCrossings: 1 });
    expect(event.summary).toEqual({
      en: 'Person p2 loitered in Entrance for 70 s (22:05:13–22:06:23), barely moving',
      zhHant: '人物 p2 於 22:05:13–22:06:23 在「入口」徘徊 70 秒',
    });
    expect(event.keywords).toEqual(['person', '人物', 'loitering', '徘徊', '逗留', '停留', 'entrance', '入口', 'back yard']);
  });
});
