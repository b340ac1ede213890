import { describe, expect, it } from 'vitest';
import type { CameraRules } from '../rules/rule-types.ts';
import { matchEvents } from './event-matching.ts';
import type { EventActor, EvidenceKind, LocalizedText, VigilEvent } from './event-types.ts';
import { evidenceText, renameRuleInCaption } from './evidence-text.ts';
import { eventKeywords } from './keywords.ts';
import { restyleEvent, wordingDiffers } from './restyle.ts';
import { summarizeEvent } from './summarize.ts';

const KINDS: EvidenceKind[] = ['crossing', 'zone_enter', 'zone_exit', 'loitering_confirmed', 'best_view', 'first_seen', 'last_seen', 'track_lost'];
const OLD: LocalizedText = { en: 'lawn', zhHant: '草坪' };
// Names that contain the old ones and the words around them, to catch sloppy replacing.
const NEW: LocalizedText = { en: 'front lawn line for lawn', zhHant: '前「草坪」' };

describe('renameRuleInCaption', () => {
  it('gives exactly the caption made with the new name, also between names with and without their noun', () => {
    const pairs: Array<[LocalizedText, LocalizedText]> = [
      [OLD, NEW],
      [{ en: 'gate', zhHant: '門口' }, { en: 'gate line', zhHant: '門口警戒線' }],
      [{ en: 'gate line', zhHant: '門口警戒線' }, { en: 'gate', zhHant: '門口' }],
    ];
    for (const [from, to] of pairs) {
      const facts = { kind: 'crossing' as const, actor: { label: 'person', trackId: 'p3' }, direction: 'a_to_b' as const, inbound: true };
      expect(renameRuleInCaption(evidenceText({ ...facts, ruleName: from }), 'crossing', from, to)).toEqual(evidenceText({ ...facts, ruleName: to }));
    }
  });

  it('gives exactly the caption made with the new name, for every kind and direction', () => {
    for (const kind of KINDS) {
      for (const inbound of [true, false, undefined]) {
        const facts = { kind, actor: { label: 'person', trackId: 'p3' }, direction: 'b_to_a' as const, ...(inbound !== undefined ? { inbound } : {}), dwellSeconds: 12.4, averageSpeedPxPerSecond: 7.6 };
        const renamed = renameRuleInCaption(evidenceText({ ...facts, ruleName: OLD }), kind, OLD, NEW);
        expect(renamed, kind).toEqual(evidenceText({ ...facts, ruleName: NEW }));
      }
    }
  });
});

const person = (trackId: string): EventActor => ({ trackId, label: 'person', family: 'person' });
function rules(names: { lawn: LocalizedText; path: LocalizedText; camera: string; timeZone?: string }): CameraRules {
  return {
    cameraId: 'street',
    cameraName: names.camera,
    timeZone: names.timeZone ?? 'Europe/Paris',
    frameWidth: 768,
    frameHeight: 576,
    zones: [{ name: 'lawn', displayName: names.lawn, polygon: [], debounceFrames: 1, restricted: true }],
    tripwires: [{ name: 'path', displayName: names.path, a: [0, 0], b: [1, 0], direction: 'any', inbound: 'b_to_a', minTrackAgeFrames: 1, hysteresisPx: 0 }],
    objectSeenLabels: [],
    cooldownSeconds: 0,
    mergeSeconds: 0,
  };
}
const BEFORE = rules({ lawn: { en: 'lawn', zhHant: '草坪' }, path: { en: 'path', zhHant: '步道' }, camera: 'street' });
const AFTER = rules({ lawn: { en: 'front lawn', zhHant: '前草坪' }, path: { en: 'footpath', zhHant: '人行步道' }, camera: 'Main street' });

/** An event as the engine words it under `with`. */
function intrusion(id: string, over: Partial<VigilEvent> = {}, wordedWith = BEFORE): VigilEvent {
  const event: VigilEvent = {
    id,
    cameraId: 'street',
    type: 'intrusion',
    rule: 'lawn',
    status: 'closed',
    labels: ['person'],
    actors: [person('p35')],
    startMs: Date.UTC(2026, 10, 20, 21, 0, 50),
    endMs: Date.UTC(2026, 10, 20, 21, 1, 18),
    startFrameIndex: 200,
    endFrameIndex: 340,
    evidence: [
      { kind: 'zone_enter', timestampMs: 0, frameIndex: 200, trackId: 'p35', box: { x1: 0, y1: 0, x2: 1, y2: 1 }, score: 0.9, text: evidenceText({ kind: 'zone_enter', actor: person('p35'), ruleName: wordedWith.zones[0]!.displayName }) },
      { kind: 'best_view', timestampMs: 0, frameIndex: 210, trackId: 'p35', box: { x1: 0, y1: 0, x2: 1, y2: 1 }, score: 0.9, text: evidenceText({ kind: 'best_view', actor: person('p35'), ruleName: wordedWith.zones[0]!.displayName }) },
    ],
    snapshotFrameIndex: 210,
    summary: { en: '', zhHant: '' },
    keywords: [],
    details: { dwellSeconds: 28 },
    ...over,
  };
  event.summary = summarizeEvent(event, wordedWith);
  event.keywords = eventKeywords(event, wordedWith);
  return event;
}

describe('restyleEvent', () => {
  it('rewords summary, keywords and captions as the engine would with the new names, and nothing else', () => {
    const stored = intrusion('e1');
    const reworded = restyleEvent(stored, BEFORE, AFTER);
    expect(reworded).toEqual(intrusion('e1', {}, AFTER));
    expect(reworded.summary.en).toContain('restricted zone front lawn');
    expect(reworded.keywords).toContain('main street');
    expect(wordingDiffers(stored, reworded)).toBe(true);
    expect(stored.summary.en).toContain('restricted zone lawn'); // the input is not changed
  });

  it('changes nothing when the names are the same', () => {
    const stored = intrusion('e1');
    expect(wordingDiffers(stored, restyleEvent(stored, BEFORE, BEFORE))).toBe(false);
  });
});

describe('matchEvents', () => {
  it('pairs the same happening across analyses whatever the track ids, closest first, each once', () => {
    const s = (ms: number) => Date.UTC(2026, 10, 20, 21, 0, 50) + ms;
    const previous = [intrusion('old-1'), intrusion('old-2', { startMs: s(60_000), endMs: s(70_000) })];
    const current = [
      intrusion('new-far', { startMs: s(1_900), actors: [person('p9')] }),
      intrusion('new-near', { startMs: s(400), actors: [person('p41')] }),
      intrusion('new-other-rule', { rule: 'garden' }),
      intrusion('new-loiter', { type: 'loitering' }),
    ];
    expect(matchEvents(previous, current)).toEqual([{ from: 'old-1', to: 'new-near' }]);
  });

  it('does not pair events of different actors labels or barely overlapping times', () => {
    const car: EventActor = { trackId: 'c1', label: 'car', family: 'vehicle' };
    const previous = [intrusion('old')];
    expect(matchEvents(previous, [intrusion('car', { actors: [car], labels: ['car'] })])).toEqual([]);
    const start = previous[0]!.startMs;
    expect(matchEvents(previous, [intrusion('short', { startMs: start + 1_500, endMs: start + 3_000 })])).toEqual([]);
  });
});
