import { describe, expect, it } from 'vitest';
import type { VigilEvent } from './event-types.ts';
import { at, brief, finished, lastOf, play, rules, track, walk, type Script } from '../../../test/factories/event-frames.ts';

describe('EventEngine: line crossings', () => {
  it('turns a crossing into one event, open for mergeSeconds after the crossing', () => {
    const changes = play(walk('p12', 0, [[400, 150], [400, 180], [400, 220], [400, 250]]), 9);
    expect(brief(changes)).toEqual([
      '2 opened back-line_crossing-door-2-p12 open',
      '8 closed back-line_crossing-door-2-p12 closed',
    ]);
    const box = { x1: 390, y1: 180, x2: 410, y2: 220 };
    const expected: VigilEvent = {
      id: 'back-line_crossing-door-2-p12',
      cameraId: 'back',
      type: 'line_crossing',
      rule: 'door',
      status: 'open',
      labels: ['person'],
      actors: [{ trackId: 'p12', label: 'person', family: 'person' }],
      startMs: at(2),
      endMs: at(2),
      startFrameIndex: 2,
      endFrameIndex: 2,
      evidence: [
        {
          kind: 'crossing',
          timestampMs: at(2),
          frameIndex: 2,
          trackId: 'p12',
          box,
          score: 0.5,
          point: [400, 200],
          text: { en: 'Person p12 crossed the back-door line inbound', zhHant: '人物 p12 由外向內穿越後門警戒線' },
        },
        {
          kind: 'best_view',
          timestampMs: at(2),
          frameIndex: 2,
          trackId: 'p12',
          box,
          score: 0.5,
          text: { en: 'Best view of person p12', zhHant: '人物 p12 最清楚的畫面' },
        },
      ],
      snapshotFrameIndex: 2,
      summary: {
        en: 'Person p12 crossed the back-door line inbound at 22:05:15',
        zhHant: '人物 p12 於 22:05:15 由外向內穿越後門警戒線',
      },
      keywords: [
        'person',
        '人物',
        'crossing',
        'line crossing',
        '越線',
        '穿越',
        '跨線',
        'inbound',
        '進入',
        'back-door',
        '後門',
        'back yard',
      ],
      details: { direction: 'a_to_b', inbound: true },
    };
    expect(changes[0]!.change).toEqual({
      change: 'opened',
      event: expected,
      renderSnapshot: true,
      renderThumbnails: ['p12'],
    });
    expect(changes[1]!.change).toEqual({
      change: 'closed',
      event: { ...expected, status: 'closed' },
      renderSnapshot: false,
      renderThumbnails: [],
    });
  });

  it('reports the other direction as outbound', () => {
    const changes = play(walk('p1', 0, [[400, 250], [400, 150]]), 2);
    expect(brief(changes)).toEqual(['1 opened back-line_crossing-door-1-p1 open', '3 closed back-line_crossing-door-1-p1 closed']);
    const event = lastOf(changes, 'back-line_crossing-door-1-p1');
    expect(event.details).toEqual({ direction: 'b_to_a', inbound: false });
    expect(event.summary.en).toBe('Person p1 crossed the back-door line outbound at 22:05:14');
    expect(event.keywords).toContain('outbound');
    expect(event.keywords).toContain('離開');
  });

  it('merges tracks crossing together into one event with two actors and two crossings', () => {
    const script = walk('p3', 0, [[400, 150], [400, 190], [400, 230]]);
    walk('p4', 0, [[450, 150], [450, 160], [450, 170], [450, 230]], script);
    const changes = play(script, 9);
    expect(brief(changes)).toEqual([
      '2 opened back-line_crossing-door-2-p3 open',
      '3 updated back-line_crossing-door-2-p3 open',
      '9 closed back-line_crossing-door-2-p3 closed',
    ]);
    const event = lastOf(changes, 'back-line_crossing-door-2-p3');
    expect(event.actors.map((a) => a.trackId)).toEqual(['p3', 'p4']);
    expect(event.evidence.map((e) => `${e.kind} ${e.trackId} ${e.frameIndex}`)).toEqual([
      'crossing p3 2',
      'best_view p3 2',
      'crossing p4 3',
      'best_view p4 3',
    ]);
    expect(event.evidence[2]!.point).toEqual([450, 200]);
    expect([event.startMs, event.endMs, event.snapshotFrameIndex]).toEqual([at(2), at(3), 2]);
    expect(changes[1]!.change.renderSnapshot).toBe(false);
    expect(changes[1]!.change.renderThumbnails).toEqual(['p4']);
    expect(event.summary).toEqual({
      en: '2 people (p3, p4) crossed the back-door line inbound between 22:05:15 and 22:05:16',
      zhHant: '人物 p3、p4 於 22:05:15 至 22:05:16 間 由外向內穿越後門警戒線',
    });
  });

  it('keeps opposite directions apart', () => {
    const script = walk('p3', 0, [[400, 150], [400, 230]]);
    walk('p4', 0, [[450, 250], [450, 150]], script);
    expect(brief(play(script, 2))).toEqual([
      '1 opened back-line_crossing-door-1-p3 open',
      '1 opened back-line_crossing-door-1-p4 open',
      '3 closed back-line_crossing-door-1-p3 closed',
      '3 closed back-line_crossing-door-1-p4 closed',
    ]);
  });

  it('reopens the same event for a track crossing again within the cooldown, not after', () => {
    // In at 1 s, out at 10 s (its own event), in again at 20 s (cooldown: 19 s after the first
    // event ended), in again at 60 s (40 s after: a new event).
    const script: Script = {};
    const path: [number, number, number][] = [
      [0, 400, 150],
      [1, 400, 250],
      [9, 400, 250],
      [10, 400, 150],
      [19, 400, 150],
      [20, 400, 250],
      [59, 400, 150],
      [60, 400, 250],
    ];
    for (const [frame, x, y] of path) script[frame] = { tracked: [track('p1', x, y)] };
    const changes = play(script, 70);
    expect(brief(changes)).toEqual([
      '1 opened back-line_crossing-door-1-p1 open',
      '7 closed back-line_crossing-door-1-p1 closed',
      '10 opened back-line_crossing-door-10-p1 open',
      '16 closed back-line_crossing-door-10-p1 closed',
      '20 updated back-line_crossing-door-1-p1 open',
      '26 closed back-line_crossing-door-1-p1 closed',
      '59 opened back-line_crossing-door-59-p1 open',
      '60 opened back-line_crossing-door-60-p1 open',
      '65 closed back-line_crossing-door-59-p1 closed',
      '66 closed back-line_crossing-door-60-p1 closed',
    ]);
    const reopened = lastOf(changes, 'back-line_crossing-door-1-p1');
    expect(reopened.evidence.filter((e) => e.kind === 'crossing').map((e) => e.frameIndex)).toEqual([1, 20]);
    expect([reopened.startFrameIndex, reopened.endFrameIndex, reopened.snapshotFrameIndex]).toEqual([1, 20, 1]);
    expect(changes[4]!.change.renderSnapshot).toBe(false);
  });
});

describe('EventEngine: object seen', () => {
  it('reports one event per confirmed track of a listed label, from first seen to finished', () => {
    const script: Script = {};
    // The tracker first saw v3 at frame 3 and confirmed it at frame 5; last seen at frame 100.
    for (let frame = 5; frame <= 100; frame++) {
      script[frame] = { tracked: [track('v3', 500, 400, { label: 'car', firstFrame: 3 })] };
    }
    script[103] = { finished: [finished('v3', 100, 500, 400, 'car')] };
    const changes = play(script, 105);
    const id = 'back-object_seen-car-3-v3';
    expect(brief(changes).filter((c) => !c.includes('updated'))).toEqual([`5 opened ${id} open`, `103 closed ${id} closed`]);
    expect(changes[0]!.change.event.summary).toEqual({ en: 'Car v3 seen since 22:05:16', zhHant: '汽車 v3 自 22:05:16 起出現' });
    const event = lastOf(changes, id);
    expect([event.startMs, event.startFrameIndex, event.endMs, event.endFrameIndex]).toEqual([at(3), 3, at(100), 100]);
    expect(event.evidence.map((e) => `${e.kind} ${e.frameIndex}`)).toEqual(['first_seen 5', 'best_view 5', 'last_seen 100']);
    expect(event.summary).toEqual({
      en: 'Car v3 seen from 22:05:16 to 22:06:53',
      zhHant: '汽車 v3 於 22:05:16 至 22:06:53 出現',
    });
    expect(event.keywords).toEqual(['car', '汽車', 'seen', '出現', 'back yard']);
  });

  it('ignores labels that are not listed and closes what is open at the end of input', () => {
    const script: Script = {};
    for (let frame = 0; frame <= 3; frame++) {
      script[frame] = { tracked: [track('v1', 500, 400, { label: 'car' }), track('v2', 550, 400, { label: 'truck' })] };
    }
    const changes = play(script, 5);
    expect(brief(changes).filter((c) => !c.includes('updated'))).toEqual([
      '0 opened back-object_seen-car-0-v1 open',
      '6 closed back-object_seen-car-0-v1 closed',
    ]);
    expect(lastOf(changes, 'back-object_seen-car-0-v1').evidence.at(-1)).toMatchObject({ kind: 'last_seen', frameIndex: 3 });
  });
});

describe('EventEngine: determinism', () => {
  function busyScript(): Script {
    const script = walk('p3', 0, [[400, 150], [400, 190], [400, 230], [300, 260], [100, 400], [100, 400], [100, 400]]);
    walk('p4', 1, [[450, 150], [450, 230], [100, 420], [110, 420], [120, 420], [120, 420]], script);
    for (let frame = 2; frame <= 8; frame++) ((script[frame] ??= {}).tracked ??= []).push(track('v1', 600, 450, { label: 'car' }));
    script[12] = { finished: [finished('p3', 6, 100, 400), finished('v1', 8, 600, 450, 'car')] };
    return script;
  }

  it('gives deep-equal changes when the same frames are replayed', () => {
    const first = play(busyScript(), 20);
    const second = play(busyScript(), 20);
    expect(first.length).toBeGreaterThan(10);
    expect(second).toEqual(first);
    expect([...new Set(first.map((c) => c.change.event.id))]).toEqual([
      'back-line_crossing-door-2-p3',
      'back-object_seen-car-0-v1',
      'back-intrusion-yard-3-p4',
    ]);
  });

  it('builds readable ids from the prefix, type, rule, start frame and first track', () => {
    const changes = play(walk('p12', 0, [[400, 150], [400, 250]]), 1, rules, 'Back Cam:2026-11-20T22:05');
    expect(changes[0]!.change.event.id).toBe('back_cam_2026-11-20t22_05-line_crossing-door-1-p12');
  });

  it('hands out copies: changing a reported event does not change the engine state', () => {
    const script = walk('p3', 0, [[400, 150], [400, 190], [400, 230]]);
    walk('p4', 0, [[450, 150], [450, 160], [450, 170], [450, 230]], script);
    const changes = play(script, 9);
    const opened = changes[0]!.change.event;
    opened.actors.push({ trackId: 'zz', label: 'cat', family: 'animal' });
    opened.evidence[0]!.box.x1 = -1;
    const updated = changes[1]!.change.event;
    expect(updated.actors.map((a) => a.trackId)).toEqual(['p3', 'p4']);
    expect(updated.evidence[0]!.box.x1).toBe(390);
  });
});
