import { describe, expect, it } from 'vitest';
import type { CameraRules } from '../rules/rule-types.ts';
import type { EventActor, VigilEvent } from './event-types.ts';
import { eventKeywords } from './keywords.ts';
import { formatClock } from './phrases.ts';
import { summarizeEvent } from './summarize.ts';

const rules: CameraRules = {
  cameraId: 'back',
  cameraName: 'Back yard',
  timeZone: 'Asia/Taipei',
  frameWidth: 640,
  frameHeight: 480,
  zones: [
    {
      name: 'yard',
      displayName: { en: 'Yard', zhHant: '院子' },
      polygon: [],
      debounceFrames: 1,
      restricted: true,
    },
    { name: 'entrance', displayName: { en: 'Entrance', zhHant: '入口' }, polygon: [], debounceFrames: 1, restricted: false },
  ],
  tripwires: [
    {
      name: 'door',
      displayName: { en: 'back-door', zhHant: '後門' },
      a: [0, 0],
      b: [1, 0],
      direction: 'any',
      inbound: 'a_to_b',
      minTrackAgeFrames: 1,
      hysteresisPx: 0,
    },
    {
      name: 'gate',
      displayName: { en: 'gate', zhHant: '大門' },
      a: [0, 0],
      b: [1, 0],
      direction: 'any',
      minTrackAgeFrames: 1,
      hysteresisPx: 0,
    },
  ],
  objectSeenLabels: ['car'],
  cooldownSeconds: 0,
  mergeSeconds: 0,
};

/** Wall-clock time in Taipei (UTC+8) on 2026-11-20. */
const taipei = (h: number, m: number, s: number) => Date.UTC(2026, 10, 20, h - 8, m, s);
const person = (trackId: string): EventActor => ({ trackId, label: 'person', family: 'person' });

function event(overrides: Partial<VigilEvent>): VigilEvent {
  return {
    id: 'x',
    cameraId: 'back',
    type: 'line_crossing',
    rule: 'door',
    status: 'closed',
    labels: ['person'],
    actors: [person('p12')],
    startMs: taipei(22, 5, 15),
    endMs: taipei(22, 5, 15),
    startFrameIndex: 0,
    endFrameIndex: 0,
    evidence: [],
    snapshotFrameIndex: 0,
    summary: { en: '', zhHant: '' },
    keywords: [],
    details: {},
    ...overrides,
  };
}

describe('summarizeEvent', () => {
  it('describes crossings, inbound or outbound when the rule says which way is in', () => {
    expect(summarizeEvent(event({ details: { direction: 'a_to_b', inbound: true } }), rules)).toEqual({
      en: 'Person p12 crossed the back-door line inbound at 22:05:15',
      zhHant: '人物 p12 於 22:05:15 由外向內穿越後門警戒線',
    });
    expect(summarizeEvent(event({ details: { direction: 'b_to_a', inbound: false } }), rules)).toEqual({
      en: 'Person p12 crossed the back-door line outbound at 22:05:15',
      zhHant: '人物 p12 於 22:05:15 由內向外穿越後門警戒線',
    });
  });

  it('names the sides when inbound is unknown', () => {
    expect(summarizeEvent(event({ rule: 'gate', details: { direction: 'a_to_b' } }), rules)).toEqual({
      en: 'Person p12 crossed the gate line from side A to side B at 22:05:15',
      zhHant: '人物 p12 於 22:05:15 由A側往B側穿越大門警戒線',
    });
    expect(summarizeEvent(event({ rule: 'gate', details: { direction: 'b_to_a' } }), rules).zhHant).toBe(
      '人物 p12 於 22:05:15 由B側往A側穿越大門警戒線',
    );
  });

  it('never doubles the noun when the name already says it', () => {
    const named = { ...rules, tripwires: rules.tripwires.map((w) => ({ ...w, displayName: { en: 'gate line', zhHant: '門口警戒線' } })) };
    expect(summarizeEvent(event({ details: { direction: 'a_to_b', inbound: true } }), named)).toEqual({
      en: 'Person p12 crossed the gate line inbound at 22:05:15',
      zhHant: '人物 p12 於 22:05:15 由外向內穿越門口警戒線',
    });
    const fence = { ...rules, tripwires: rules.tripwires.map((w) => ({ ...w, displayName: { en: 'Fence', zhHant: '圍欄' } })) };
    expect(summarizeEvent(event({ details: { direction: 'a_to_b', inbound: true } }), fence)).toEqual({
      en: 'Person p12 crossed the Fence inbound at 22:05:15',
      zhHant: '人物 p12 於 22:05:15 由外向內穿越圍欄',
    });
  });

  it('says the named sides a crossing went between', () => {
    const sided = (sides: NonNullable<CameraRules['tripwires'][number]['sides']>) => ({ ...rules, tripwires: rules.tripwires.map((w) => ({ ...w, sides })) });
    const both = sided({ a: { name: { en: 'parking lot', zhHant: '停車場' }, aliases: [] }, b: { name: { en: 'lobby', zhHant: '大廳' }, aliases: [] } });
    expect(summarizeEvent(event({ details: { direction: 'a_to_b', inbound: true } }), both)).toEqual({
      en: 'Person p12 crossed the back-door line from parking lot to lobby at 22:05:15',
      zhHant: '人物 p12 於 22:05:15 從停車場往大廳穿越後門警戒線',
    });
    const one = sided({ b: { name: { en: 'lobby', zhHant: '大廳' }, aliases: [] } });
    expect(summarizeEvent(event({ details: { direction: 'b_to_a' } }), one).en).toBe('Person p12 crossed the back-door line from lobby at 22:05:15');
    expect(summarizeEvent(event({ details: { direction: 'a_to_b' } }), one).zhHant).toBe('人物 p12 於 22:05:15 往大廳穿越後門警戒線');
  });

  it('groups several actors', () => {
    const two = event({ actors: [person('p3'), person('p4')], details: { direction: 'a_to_b', inbound: true } });
    expect(summarizeEvent(two, rules)).toEqual({
      en: '2 people (p3, p4) crossed the back-door line inbound at 22:05:15',
      zhHant: '人物 p3、p4 於 22:05:15 由外向內穿越後門警戒線',
    });
    const mixed = event({
      actors: [person('p3'), { trackId: 'b4', label: 'bicycle', family: 'vehicle' }, { trackId: 'x1', label: 'kite', family: 'other' }],
      details: { direction: 'a_to_b', inbound: true },
    });
    expect(summarizeEvent(mixed, rules)).toEqual({
      en: 'Person p3, bicycle b4 and kite x1 crossed the back-door line inbound at 22:05:15',
      zhHant: '人物 p3、腳踏車 b4、kite x1 於 22:05:15 由外向內穿越後門警戒線',
    });
  });

  it('describes intrusions with the stay once closed', () => {
    const intrusion = event({
      type: 'intrusion',
      rule: 'yard',
      actors: [person('p7')],
      startMs: taipei(22, 1, 10),
      endMs: taipei(22, 1, 45),
    });
    expect(summarizeEvent(intrusion, rules)).toEqual({
      en: 'Person p7 entered the restricted zone Yard at 22:01:10 and stayed 35 s',
      zhHant: '人物 p7 於 22:01:10 闖入禁區「院子」，停留 35 秒',
    });
    expect(summarizeEvent({ ...intrusion, status: 'open' }, rules)).toEqual({
      en: 'Person p7 entered the restricted zone Yard at 22:01:10',
      zhHant: '人物 p7 於 22:01:10 闖入禁區「院子」',
    });
  });

  it('describes loitering', () => {
    const loitering = event({
      type: 'loitering',
      rule: 'entrance',
      actors: [person('p2')],
      startMs: taipei(22, 3, 0),
      endMs: taipei(22, 4, 10),
      details: { dwellSeconds: 70, averageSpeedPxPerSecond: 7.6 },
    });
    expect(summarizeEvent(loitering, rules)).toEqual({
      en: 'Person p2 loitered in Entrance for 70 s (22:03:00–22:04:10)',
      zhHant: '人物 p2 於 22:03:00–22:04:10 在「入口」徘徊 70 秒',
    });
  });

  it('describes objects seen', () => {
    const seen = event({
      type: 'object_seen',
      rule: 'car',
      labels: ['car'],
      actors: [{ trackId: 'v3', label: 'car', family: 'vehicle' }],
      startMs: taipei(22, 0, 5),
      endMs: taipei(22, 1, 40),
    });
    expect(summarizeEvent(seen, rules)).toEqual({
      en: 'Car v3 seen from 22:00:05 to 22:01:40',
      zhHant: '汽車 v3 於 22:00:05 至 22:01:40 出現',
    });
    expect(summarizeEvent({ ...seen, status: 'open' }, rules)).toEqual({
      en: 'Car v3 seen since 22:00:05',
      zhHant: '汽車 v3 自 22:00:05 起出現',
    });
  });
});

describe('formatClock', () => {
  it('uses a 24-hour clock in the given time zone', () => {
    expect(formatClock(taipei(0, 0, 5), 'Asia/Taipei')).toBe('00:00:05');
    expect(formatClock(taipei(23, 59, 59), 'Asia/Taipei')).toBe('23:59:59');
    expect(formatClock(Date.UTC(2026, 6, 1, 12, 30, 0), 'Europe/Paris')).toBe('14:30:00');
  });
});

describe('eventKeywords', () => {
  it('lists labels, type and direction words, rule names and the camera, once each', () => {
    const crossing = event({ labels: ['person', 'dog'], details: { direction: 'a_to_b', inbound: true } });
    expect(eventKeywords(crossing, rules)).toEqual([
      'person',
      '人物',
      'dog',
      '狗',
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
    ]);
    const intrusion = event({ type: 'intrusion', rule: 'yard' });
    expect(eventKeywords(intrusion, rules)).toEqual(['person', '人物', 'intrusion', '闖入', '入侵', '禁區', 'yard', '院子', 'back yard']);
  });

  it('has no direction words when inbound is unknown', () => {
    expect(eventKeywords(event({ rule: 'gate', details: { direction: 'a_to_b' } }), rules)).not.toContain('inbound');
  });
});
