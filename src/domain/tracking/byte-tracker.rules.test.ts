import { describe, expect, it } from 'vitest';
import { personBox, vehicleBox } from '../../../test/factories/synthetic-scenes.ts';
import type { Detection } from '../detection.ts';
import { isVigilError } from '../errors.ts';
import { ByteTracker, DEFAULT_BYTE_TRACKER_OPTIONS, type ByteTrackerOptions } from './byte-tracker.ts';
import type { TrackerOutput } from './tracking-types.ts';

const person = (cx: number, score = 0.6, label = 'person'): Detection => ({ label, score, box: personBox(cx, 400, 100) });
const vehicle = (cx: number, score = 0.6, label = 'car'): Detection => ({ label, score, box: vehicleBox(cx, 500, 80) });
const NONE: Detection[] = [];

function tracker(options: Partial<ByteTrackerOptions> = {}): ByteTracker {
  return new ByteTracker({ ...DEFAULT_BYTE_TRACKER_OPTIONS, ...options });
}

/** Frame i of `frames` becomes frame index i + 1 at (i + 1) * 100 ms. */
function feed(t: ByteTracker, frames: Detection[][], first = 1): TrackerOutput[] {
  return frames.map((detections, i) => t.update({ frameIndex: first + i, timestampMs: (first + i) * 100, detections }));
}

const ids = (o: TrackerOutput | undefined) => (o?.tracked ?? []).map((t) => t.trackId);

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isVigilError(error) ? error.code : 'not-a-vigil-error';
  }
  return undefined;
}

describe('ByteTracker rules', () => {
  it('hands out ids at confirmation, so tentative blips leave no gaps', () => {
    const out = feed(tracker(), [[person(100), person(400)], [person(403)], [person(406), person(650)], [person(409), person(652)]]);
    expect(ids(out[0])).toEqual([]);
    expect(ids(out[1])).toEqual(['p1']);
    expect(ids(out[3])).toEqual(['p1', 'p2']);
  });

  it('numbers tracks confirmed in the same update by detection index', () => {
    const out = feed(tracker(), [[person(600), person(100)], [person(102), person(602)]]);
    expect(out[1]?.tracked.map((t) => [t.trackId, t.detectionIndex])).toEqual([['p1', 0], ['p2', 1]]);
  });

  it('confirms after minHits consecutive matches and drops a tentative track on its first miss', () => {
    const out = feed(tracker({ minHits: 3 }), [[person(100)], [person(102)], NONE, [person(106)], [person(108)], [person(110)]]);
    expect(out.map((o) => ids(o))).toEqual([[], [], [], [], [], ['p1']]);
    expect(out[5]?.tracked[0]).toMatchObject({ hits: 3, firstFrameIndex: 4, firstSeenMs: 400 });
    expect(ids(feed(tracker({ minHits: 1 }), [[person(100)]])[0])).toEqual(['p1']);
  });

  it('reports the matched detection, not the filter estimate', () => {
    const d = person(103, 0.55);
    const out = feed(tracker(), [[person(100)], [vehicle(600), d]]);
    expect(out[1]?.tracked).toEqual([
      { trackId: 'p1', label: 'person', family: 'person', box: d.box, score: 0.55, detectionIndex: 1, hits: 2, firstSeenMs: 100, firstFrameIndex: 1 },
    ]);
  });

  it('starts tracks only at highScore + newTrackMargin, but continues them from highScore', () => {
    expect(feed(tracker(), [[person(100, 0.44)], [person(100, 0.44)]]).flatMap(ids)).toEqual([]);
    const out = feed(tracker(), [[person(100, 0.45)], [person(102, 0.41)], [person(104, 0.4)]]);
    expect(out.map(ids)).toEqual([[], ['p1'], ['p1']]);
  });

  it('lets weak detections extend an active track but never start one', () => {
    const out = feed(tracker(), [[person(100)], [person(102)], [person(104, 0.3)], [person(106, 0.26)]]);
    expect(out.map(ids)).toEqual([[], ['p1'], ['p1'], ['p1']]);
    expect(feed(tracker(), [[person(100, 0.35)], [person(100, 0.35)], [person(100, 0.35)]]).flatMap(ids)).toEqual([]);
  });

  it('needs lowMatchIou for weak detections and matchIou for strong ones', () => {
    // Box width 40: a 15 px shift is IoU 0.45 (weak: no match), strong: a match.
    const weak = feed(tracker(), [[person(100)], [person(100)], [person(115, 0.3)]]);
    expect(weak[2]).toMatchObject({ tracked: [], lost: ['p1'] });
    const strong = feed(tracker(), [[person(100)], [person(100)], [person(115, 0.6)]]);
    expect(ids(strong[2])).toEqual(['p1']);
  });

  it('ignores detections under lowScore entirely', () => {
    const out = feed(tracker(), [[person(100)], [person(100)], [person(100, 0.2)]]);
    expect(out[2]).toMatchObject({ tracked: [], lost: ['p1'] });
  });

  it('plain ByteTrack re-finds a lost track with a strong detection, not with a weak one', () => {
    const out = feed(tracker({ observationCentric: false, velocityWeight: 1 / 160 }), [[person(100)], [person(100)], NONE, [person(100, 0.3)], [person(100, 0.6)]]);
    expect(out.slice(2).map((o) => [ids(o), o.lost])).toEqual([[[], ['p1']], [[], ['p1']], [['p1'], []]]);
    expect(out[4]?.tracked[0]?.hits).toBe(3);
  });

  it('observation-centric, a weak detection re-finds a lost track only where it was last seen (>= lowMatchIou)', () => {
    const there = feed(tracker(), [[person(100)], [person(100)], NONE, [person(102, 0.3)]]);
    expect(there.slice(2).map((o) => [ids(o), o.lost])).toEqual([[[], ['p1']], [['p1'], []]]);
    // 30 px on from where it was last seen (IoU 0.14 with that box): not the same person for a weak detection.
    const elsewhere = feed(tracker(), [[person(100)], [person(100)], NONE, [person(130, 0.3)]]);
    expect(elsewhere.slice(2).map((o) => [ids(o), o.lost])).toEqual([[[], ['p1']], [[], ['p1']]]);
  });

  describe('a weak detection that fits a track clearly better than a strong one (weakMayFitBetter)', () => {
    // Two people on a lawn, as on the street clip at 57 s: the one tracked is half hidden behind
    // the other (scored 0.36, where her track is); the other, fully seen (0.45), overlaps her
    // box by a third. Box helper: [x1, y1, x2, y2] with a score.
    const at = (x1: number, y1: number, x2: number, y2: number, score: number): Detection => ({ label: 'person', score, box: { x1, y1, x2, y2 } });
    const her = (score = 0.6) => at(170, 390, 230, 560, score);
    const him = at(182, 343, 234, 479, 0.45);
    const frames = [[her()], [her()], [her()], [her(0.36), him], [her(0.36), him], [her(), him]];

    it('keeps the track on the weak detection and gives the strong one a track of its own', () => {
      const out = feed(tracker(), frames);
      expect(out.slice(3).map((o) => o.tracked.map((t) => [t.trackId, t.detectionIndex]))).toEqual([[['p1', 0]], [['p1', 0], ['p2', 1]], [['p1', 0], ['p2', 1]]]);
    });

    it('plain ByteTrack gives the track to the strong detection, and the hidden person is lost', () => {
      const out = feed(tracker({ weakMayFitBetter: false }), frames);
      expect(out[3]?.tracked.map((t) => [t.trackId, t.detectionIndex])).toEqual([['p1', 1]]);
    });

    it('a weak box of the same person as the strong one is no rival (IoU >= 0.5 between them)', () => {
      const out = feed(tracker(), [[her()], [her()], [her()], [at(170, 420, 230, 560, 0.3), at(176, 380, 236, 550, 0.45)]]);
      expect(out[3]?.tracked.map((t) => [t.trackId, t.detectionIndex])).toEqual([['p1', 1]]);
    });
  });

  it('never lets one family continue another', () => {
    const out = feed(tracker(), [[person(100)], [person(100)], [person(100, 0.6, 'dog')], [person(100, 0.6, 'dog')]]);
    expect(out[2]).toMatchObject({ tracked: [], lost: ['p1'] });
    expect(out[3]?.tracked.map((t) => [t.trackId, t.family, t.label])).toEqual([['a1', 'animal', 'dog']]);
  });

  it('uses the per-label high score', () => {
    const highScoreFor = (label: string) => (label === 'car' ? 0.6 : 0.4);
    // 0.55 is weak for a car: no new vehicle track, while the person at 0.55 starts one.
    const out = feed(tracker({ highScoreFor }), [[vehicle(500, 0.55), person(100, 0.55)], [vehicle(500, 0.55), person(100, 0.55)]]);
    expect(ids(out[1])).toEqual(['p1']);
  });

  it('keeps the most frequent label, the latest on a tie', () => {
    const labels = ['car', 'truck', 'car', 'truck', 'bus'];
    const out = feed(tracker(), labels.map((label, i) => [vehicle(100 + i, 0.6, label)]));
    expect(out.slice(1).map((o) => o.tracked[0]?.label)).toEqual(['truck', 'car', 'truck', 'truck']);
  });

  it('orders tracked by family, then id number; lost by id number', () => {
    const xs = Array.from({ length: 11 }, (_, i) => 30 + i * 65);
    const frame = (dx: number) => [vehicle(300 + dx), ...xs.map((x) => person(x + dx))];
    const out = feed(tracker(), [frame(0), frame(1), frame(2).slice(0, 2)]);
    expect(ids(out[1])).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11', 'v1']);
    expect(out[2]).toMatchObject({ lost: ['p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11'] });
    expect(ids(out[2])).toEqual(['p1', 'v1']);
  });

  it('finishAll flushes confirmed tracks (active and lost), not tentative ones, and ids keep counting', () => {
    const t = tracker();
    feed(t, [[person(100), person(400)], [person(100), person(400)], [person(100), person(650)]]);
    const finished = t.finishAll(400, 4);
    expect(finished.map((f) => [f.trackId, f.lastFrameIndex, f.lastSeenMs])).toEqual([['p1', 3, 300], ['p2', 2, 200]]);
    expect(t.finishAll(400, 4)).toEqual([]);
    expect(feed(t, [[person(100)], [person(100)]], 5).map(ids)).toEqual([[], ['p3']]);
  });

  it('rejects frames out of order, a flush in the past and invalid options', () => {
    const t = tracker();
    feed(t, [[person(100)]], 5);
    expect(errorCode(() => t.update({ frameIndex: 5, timestampMs: 500, detections: [] }))).toBe('invalid_argument');
    expect(errorCode(() => t.finishAll(0, 4))).toBe('invalid_argument');
    expect(errorCode(() => tracker({ minHits: 0 }))).toBe('invalid_argument');
    expect(errorCode(() => tracker({ velocityWeight: 0 }))).toBe('invalid_argument');
    expect(errorCode(() => tracker({ lowMatchIou: 0 }))).toBe('invalid_argument');
    expect(errorCode(() => tracker({ lostFrames: 1.5 }))).toBe('invalid_argument');
    expect(errorCode(() => tracker({ lowScore: Number.NaN }))).toBe('invalid_argument');
  });
});
