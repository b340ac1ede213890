import { describe, expect, it } from 'vitest';
import {
  benchmarkScene,
  crossingScene,
  falsePositiveScene,
  motFrames,
  occlusionScene,
  standingTogetherScene,
  stopBehindPillarScene,
  vehicleBesidePersonScene,
  walkersScene,
  type Scene,
} from '../../../test/factories/synthetic-scenes.ts';
import { addMotCounts, countMot, summarizeMot, type MotCounts } from './mot-metrics.ts';
import { ByteTracker, DEFAULT_BYTE_TRACKER_OPTIONS, type ByteTrackerOptions } from './byte-tracker.ts';
import { BYTETRACK_VELOCITY_WEIGHT } from './kalman-box.ts';
import type { TrackerOutput } from './tracking-types.ts';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** ByteTrack as Vigil ran it before the exact-answers issue. */
const PLAIN_BYTETRACK: Partial<ByteTrackerOptions> = { observationCentric: false, velocityWeight: BYTETRACK_VELOCITY_WEIGHT, weakMayFitBetter: false };

function run(scene: Scene, options: Partial<ByteTrackerOptions> = {}): TrackerOutput[] {
  const tracker = new ByteTracker({ ...DEFAULT_BYTE_TRACKER_OPTIONS, ...options });
  return scene.steps.map((step) => tracker.update(step.input));
}

/** Track ids reported on each actor's detections, in order of first use, and actors per track id. */
function identities(scene: Scene, outputs: readonly TrackerOutput[]) {
  const idsOfActor = new Map<string, string[]>();
  const actorsOfId = new Map<string, Set<string>>();
  outputs.forEach((output, i) => {
    for (const t of output.tracked) {
      const actor = scene.steps[i]?.sources[t.detectionIndex] ?? 'false-positive';
      const ids = idsOfActor.get(actor) ?? [];
      if (!ids.includes(t.trackId)) idsOfActor.set(actor, [...ids, t.trackId]);
      actorsOfId.set(t.trackId, (actorsOfId.get(t.trackId) ?? new Set()).add(actor));
    }
  });
  return { idsOfActor, actorsOfId };
}

/** Every actor followed by exactly one id, and every id by exactly one actor. */
function expectOneIdPerActor(scene: Scene, outputs: readonly TrackerOutput[]): Map<string, string[]> {
  const { idsOfActor, actorsOfId } = identities(scene, outputs);
  expect([...idsOfActor.keys()].sort()).toEqual(scene.actors.map((a) => a.id).sort());
  for (const ids of idsOfActor.values()) expect(ids).toHaveLength(1);
  for (const actors of actorsOfId.values()) expect(actors.size).toBe(1);
  return idsOfActor;
}

describe('ByteTracker on synthetic scenes', () => {
  it('follows constant-velocity walkers with one id each and no errors but the first frame', () => {
    for (const seed of SEEDS) {
      const scene = walkersScene(seed);
      const outputs = run(scene);
      const ids = expectOneIdPerActor(scene, outputs);
      expect([...ids.values()].flat().sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
      const mot = countMot(motFrames(scene, outputs));
      expect(mot).toMatchObject({ idSwitches: 0, falsePositives: 0, fragmentations: 0, misses: 4 });
    }
  });

  it('keeps identities when two people cross paths (0 identity switches)', () => {
    for (const speed of [3, 4, 6]) {
      for (const seed of SEEDS) {
        const scene = crossingScene(seed, speed);
        const outputs = run(scene);
        expectOneIdPerActor(scene, outputs);
        expect(countMot(motFrames(scene, outputs)).idSwitches).toBe(0);
        // Both are still reported at the end, far apart again.
        expect(outputs.at(-1)?.tracked).toHaveLength(2);
      }
    }
  });

  it('keeps the id through a 5-step occlusion with weak detections, without a fragment', () => {
    for (const seed of SEEDS) {
      const scene = occlusionScene(seed, 5, 'weak');
      const outputs = run(scene);
      expectOneIdPerActor(scene, outputs);
      // Reported from its second step (confirmation) to the end, every step.
      expect(outputs.slice(1).every((o) => o.tracked.length === 1 && o.lost.length === 0)).toBe(true);
      expect(countMot(motFrames(scene, outputs))).toMatchObject({ fragmentations: 0, idSwitches: 0, misses: 1 });
    }
  });

  it('keeps the id through 8 steps without any detection when lostFrames is 15', () => {
    for (const seed of SEEDS) {
      const scene = occlusionScene(seed, 8, 'hidden');
      const outputs = run(scene, { lostFrames: 15 });
      const ids = expectOneIdPerActor(scene, outputs);
      const id = ids.get('walker')?.[0];
      expect(outputs.slice(20, 28).every((o) => o.tracked.length === 0 && o.lost.length === 1 && o.lost[0] === id)).toBe(true);
      expect(outputs.flatMap((o) => o.finished)).toEqual([]);
      // Counted as one fragment by CLEAR-MOT (the person is there, unreported), never a switch.
      expect(countMot(motFrames(scene, outputs))).toMatchObject({ fragmentations: 1, idSwitches: 0 });
    }
  });

  it('finishes a track hidden for longer than lostFrames, on the step its budget runs out', () => {
    const scene = occlusionScene(1, 8, 'hidden');
    // Exactly at the limit: 8 missed steps are kept with lostFrames 8.
    expect(identities(scene, run(scene, { lostFrames: 8 })).idsOfActor.get('walker')).toEqual(['p1']);
    const outputs = run(scene, { lostFrames: 7 });
    expect(identities(scene, outputs).idsOfActor.get('walker')).toEqual(['p1', 'p2']);
    const finishedAt = outputs.findIndex((o) => o.finished.length > 0);
    expect(finishedAt).toBe(27);
    expect(outputs[27]?.finished).toEqual([
      expect.objectContaining({ trackId: 'p1', lastFrameIndex: scene.steps[19]?.input.frameIndex, lastBox: scene.steps[19]?.input.detections[0]?.box }),
    ]);
  });

  it('keeps two people standing 20 px apart as two tracks, where plain ByteTrack merges them', () => {
    let plainMerged = 0;
    for (const seed of SEEDS) {
      const scene = standingTogetherScene(seed, 20);
      expectOneIdPerActor(scene, run(scene));
      const plain = identities(scene, run(scene, PLAIN_BYTETRACK));
      if ([...plain.actorsOfId.values()].some((actors) => actors.size > 1)) plainMerged++;
    }
    // Without the last-seen box (plain ByteTrack, as before issue 15), a track missed for a moment
    // as its person stops is looked for further on, and the neighbour's track takes the detection.
    expect(plainMerged).toBeGreaterThanOrEqual(2);
  });

  it('re-finds a person who stopped while hidden, where they were last seen, with the same id', () => {
    for (const seed of SEEDS) {
      const scene = stopBehindPillarScene(seed, 12);
      expectOneIdPerActor(scene, run(scene));
      expect(identities(scene, run(scene, PLAIN_BYTETRACK)).idsOfActor.get('walker')).toHaveLength(2);
    }
  });

  it('never confirms a track from single-step false positives', () => {
    let strongBlips = 0;
    for (const seed of SEEDS) {
      const scene = falsePositiveScene(seed, 1);
      strongBlips += scene.steps.flatMap((s) => s.input.detections.filter((d, i) => s.sources[i] === undefined && d.score >= 0.45)).length;
      const outputs = run(scene);
      const { idsOfActor } = identities(scene, outputs);
      expect(idsOfActor.has('false-positive')).toBe(false);
      expect(new Set(outputs.flatMap((o) => o.tracked.map((t) => t.trackId)))).toEqual(new Set(['p1', 'p2']));
    }
    // The blips were strong enough to start tentative tracks: the test exercises the rule.
    expect(strongBlips).toBeGreaterThan(200);
  });

  it('keeps a person and an overlapping vehicle apart: separate ids, p and v', () => {
    for (const seed of SEEDS) {
      const scene = vehicleBesidePersonScene(seed);
      const outputs = run(scene);
      const ids = expectOneIdPerActor(scene, outputs);
      expect(ids.get('person')?.[0]).toMatch(/^p\d+$/);
      expect(ids.get('car')?.[0]).toMatch(/^v\d+$/);
      for (const o of outputs) {
        for (const t of o.tracked) expect(t.family).toBe(t.trackId.startsWith('p') ? 'person' : 'vehicle');
      }
      // The car is sometimes called a truck; the track keeps the label seen most.
      expect(outputs.at(-1)?.tracked.find((t) => t.family === 'vehicle')?.label).toBe('car');
    }
  });

  it('replays identically: same input, deep-equal output', () => {
    const scene = benchmarkScene(3);
    const first = run(scene);
    const replayed = structuredClone(scene);
    expect(run(replayed)).toEqual(first);
  });

  it('reports every finished track exactly once, with its last sighting', () => {
    for (const seed of [1, 2, 3]) {
      const scene = benchmarkScene(seed, { steps: 200 });
      const tracker = new ByteTracker(DEFAULT_BYTE_TRACKER_OPTIONS);
      const outputs = scene.steps.map((s) => tracker.update(s.input));
      const last = scene.steps.at(-1)?.input;
      const flushed = tracker.finishAll((last?.timestampMs ?? 0) + 100, (last?.frameIndex ?? 0) + 1);
      const finished = [...outputs.flatMap((o) => o.finished), ...flushed];
      const seen = new Map<string, { ms: number; frame: number; box: unknown }>();
      outputs.forEach((o) => o.tracked.forEach((t) => seen.set(t.trackId, { ms: o.timestampMs, frame: o.frameIndex, box: t.box })));
      expect(finished.map((f) => f.trackId).sort()).toEqual([...seen.keys()].sort());
      for (const f of finished) expect({ ms: f.lastSeenMs, frame: f.lastFrameIndex, box: f.lastBox }).toEqual(seen.get(f.trackId));
      // Once finished, an id never comes back.
      outputs.forEach((o, i) => {
        const done = new Set(outputs.slice(0, i).flatMap((p) => p.finished.map((f) => f.trackId)));
        for (const t of o.tracked) expect(done.has(t.trackId)).toBe(false);
        for (const id of o.lost) expect(done.has(id)).toBe(false);
      });
    }
  });

  it('reaches MOTA >= 0.90 and IDF1 >= 0.90 on the 5 x 300-step synthetic street benchmark', () => {
    let total: MotCounts | undefined;
    for (const seed of [1, 2, 3, 4, 5]) {
      const scene = benchmarkScene(seed);
      const counts = countMot(motFrames(scene, run(scene)));
      total = total ? addMotCounts(total, counts) : counts;
    }
    const summary = summarizeMot(total as MotCounts);
    // Measured: MOTA 0.942, IDF1 0.952, 3 identity switches in 11,152 truth boxes.
    expect(summary.mota).toBeGreaterThanOrEqual(0.9);
    expect(summary.idf1).toBeGreaterThanOrEqual(0.9);
    expect(summary.idSwitches).toBeLessThanOrEqual(10);
  });
});
