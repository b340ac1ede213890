/**
 * Tracker speed and quality on seeded synthetic scenes (no video, no detector):
 *   ms_per_frame_50  mean time of one ByteTracker update with 50 objects on screen (plus false
 *                    positives and misses) followed by the rule/event engine (two tripwires,
 *                    a restricted zone, a loitering zone, object-seen events), after a warm-up
 *   mota, idf1, hota CLEAR-MOT MOTA, IDF1 and HOTA over the synthetic street benchmark
 *                    (BENCH_SEQUENCES sequences x BENCH_STEPS steps, seeds 1..N); plain_hota the
 *                    same for plain ByteTrack (observationCentric off), side by side
 *   set_*            the tracker set (people standing together, crossing, hidden, stopping while
 *                    hidden; 10 seeds each), Vigil's tracker and plain ByteTrack
 *
 *   npm run bench:tracker   (node --import tsx bench/tracker.bench.ts; env BENCH_SEQUENCES, BENCH_STEPS, BENCH_FRAMES)
 */
import { EventEngine } from '../src/domain/events/event-engine.ts';
import { resolveRules } from '../src/domain/rules/rule-spec.ts';
import { ByteTracker, DEFAULT_BYTE_TRACKER_OPTIONS, type ByteTrackerOptions } from '../src/domain/tracking/byte-tracker.ts';
import { addHotaCounts, countHota, summarizeHota, type HotaCounts } from '../src/domain/tracking/hota.ts';
import { BYTETRACK_VELOCITY_WEIGHT } from '../src/domain/tracking/kalman-box.ts';
import { addMotCounts, countMot, summarizeMot, type MotCounts } from '../src/domain/tracking/mot-metrics.ts';
import type { TrackerInput, TrackerOutput } from '../src/domain/tracking/tracking-types.ts';
import {
  benchmarkScene,
  crossingScene,
  crowdScene,
  motFrames,
  occlusionScene,
  standingTogetherScene,
  stopBehindPillarScene,
  type Scene,
} from '../test/factories/synthetic-scenes.ts';

/**
 * Work that runs on every tracker output in the real pipeline (rule evaluation), timed together
 * with the tracker when passed as `onFrame`.
 */
export type PerFrameHook = (output: TrackerOutput, input: TrackerInput) => void;

const sequences = Number(process.env.BENCH_SEQUENCES ?? 5);
const stepsPerSequence = Number(process.env.BENCH_STEPS ?? 300);
const timedFrames = Number(process.env.BENCH_FRAMES ?? 2000);
const WARMUP_FRAMES = 200;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Mean ms per update over `inputs` after the first `warmup` (hook included), and objects reported per frame. */
function timeTracker(inputs: readonly TrackerInput[], warmup: number, onFrame?: PerFrameHook, options: ByteTrackerOptions = DEFAULT_BYTE_TRACKER_OPTIONS) {
  const tracker = new ByteTracker(options);
  for (const input of inputs.slice(0, warmup)) onFrame?.(tracker.update(input), input);
  const timed = inputs.slice(warmup);
  let reported = 0;
  const t0 = performance.now();
  for (const input of timed) {
    const output = tracker.update(input);
    onFrame?.(output, input);
    reported += output.tracked.length;
  }
  return { msPerFrame: (performance.now() - t0) / timed.length, trackedPerFrame: reported / timed.length };
}

// 1. Speed: 50 objects, tracker and rules together, as in the pipeline.
const crowd = crowdScene(50, 50, WARMUP_FRAMES + timedFrames);
const name = (n: string) => ({ en: n, zhHant: n });
const rules = resolveRules(
  {
    cameraId: 'bench',
    cameraName: 'bench',
    timeZone: 'UTC',
    zones: [
      { name: 'yard', displayName: name('yard'), points: [[0, 0.5], [0.5, 0.5], [0.5, 1], [0, 1]], units: 'fraction', debounceFrames: 3, restricted: true },
      {
        name: 'porch',
        displayName: name('porch'),
        points: [[0.5, 0.3], [1, 0.3], [1, 1], [0.5, 1]],
        units: 'fraction',
        debounceFrames: 3,
        restricted: false,
        loitering: { minSeconds: 10, maxSpeed: 0.02, speedUnits: 'fraction', backAndForth: 2 },
      },
    ],
    tripwires: [
      { name: 'mid', displayName: name('mid'), points: [[0.5, 0], [0.5, 1]], units: 'fraction', direction: 'any', minTrackAgeFrames: 2, hysteresis: 0.008 },
      { name: 'cross', displayName: name('cross'), points: [[0, 0.6], [1, 0.6]], units: 'fraction', direction: 'a_to_b', minTrackAgeFrames: 2, hysteresis: 0.008 },
    ],
    objectSeenLabels: ['person', 'car'],
    cooldownSeconds: 30,
    mergeSeconds: 5,
  },
  crowd.size,
);
const engine = new EventEngine(rules, { idPrefix: 'bench' });
let eventChanges = 0;
const { msPerFrame, trackedPerFrame } = timeTracker(
  crowd.steps.map((s) => s.input),
  WARMUP_FRAMES,
  (output) => {
    eventChanges += engine.process(output).length;
  },
);
log(`rules: ${eventChanges} event changes reported`);
log(`speed: ${timedFrames} frames with 50 objects, ${trackedPerFrame.toFixed(1)} tracked per frame, ${msPerFrame.toFixed(4)} ms per frame`);
// Plain ByteTrack, the tracker before issue 15 (no observation-centric matching, ByteTrack's own
// velocity noise for 30 fps), on the same frames, tracker only.
const PLAIN: ByteTrackerOptions = { ...DEFAULT_BYTE_TRACKER_OPTIONS, observationCentric: false, velocityWeight: BYTETRACK_VELOCITY_WEIGHT, weakMayFitBetter: false };
const trackerOnly = timeTracker(crowd.steps.map((s) => s.input), WARMUP_FRAMES);
const plainOnly = timeTracker(crowd.steps.map((s) => s.input), WARMUP_FRAMES, undefined, PLAIN);
log(`tracker alone: ${trackerOnly.msPerFrame.toFixed(4)} ms per frame; plain ByteTrack ${plainOnly.msPerFrame.toFixed(4)}`);

// 2. Quality, side by side: plain ByteTrack and Vigil's tracker, on the synthetic street
// benchmark and on a set of hard cases.
const TRACKERS = { plain: PLAIN, vigil: DEFAULT_BYTE_TRACKER_OPTIONS } as const;
type TrackerName = keyof typeof TRACKERS;

interface Scores {
  mot: MotCounts;
  hota: HotaCounts;
}

function score(scenes: readonly Scene[], options: ByteTrackerOptions): Scores {
  let total: Scores | undefined;
  for (const scene of scenes) {
    const t = new ByteTracker(options);
    const frames = motFrames(scene, scene.steps.map((s) => t.update(s.input)));
    const one = { mot: countMot(frames), hota: countHota(frames) };
    total = total ? { mot: addMotCounts(total.mot, one.mot), hota: addHotaCounts(total.hota, one.hota) } : one;
  }
  if (!total) throw new Error('no scenes');
  return total;
}

const seeds = Array.from({ length: sequences }, (_, i) => i + 1);
const tenSeeds = Array.from({ length: 10 }, (_, i) => i + 1);
/** The street benchmark, and the tracker set: people who stand together, cross, and are hidden. */
const KINDS: Record<string, Scene[]> = {
  street: seeds.map((seed) => benchmarkScene(seed, { steps: stepsPerSequence })),
  'standing together 20 px': tenSeeds.map((seed) => standingTogetherScene(seed, 20)),
  'standing together 30 px': tenSeeds.map((seed) => standingTogetherScene(seed, 30)),
  crossing: tenSeeds.flatMap((seed) => [3, 4, 6].map((speed) => crossingScene(seed, speed))),
  'hidden 8 steps': tenSeeds.map((seed) => occlusionScene(seed, 8, 'hidden')),
  'weak 5 steps': tenSeeds.map((seed) => occlusionScene(seed, 5, 'weak')),
  'stops behind a pillar': tenSeeds.map((seed) => stopBehindPillarScene(seed, 12)),
};
const SET = Object.keys(KINDS).filter((k) => k !== 'street');

const results = new Map<string, Record<TrackerName, Scores>>();
for (const [kind, scenes] of Object.entries(KINDS)) {
  results.set(kind, { plain: score(scenes, TRACKERS.plain), vigil: score(scenes, TRACKERS.vigil) });
}
const line = (s: Scores) => {
  const m = summarizeMot(s.mot);
  const h = summarizeHota(s.hota);
  return { mota: m.mota, idf1: m.idf1, hota: h.hota, idsw: m.idSwitches, text: `MOTA ${m.mota.toFixed(3)} IDF1 ${m.idf1.toFixed(3)} HOTA ${h.hota.toFixed(3)} IDSW ${m.idSwitches}` };
};
log('tracker set (plain ByteTrack | Vigil):');
for (const [kind, r] of results) log(`  ${kind.padEnd(24)} ${line(r.plain).text} | ${line(r.vigil).text}`);
const combine = (name: TrackerName): Scores =>
  SET.map((k) => (results.get(k) as Record<TrackerName, Scores>)[name]).reduce((a, b) => ({ mot: addMotCounts(a.mot, b.mot), hota: addHotaCounts(a.hota, b.hota) }));
const street = line((results.get('street') as Record<TrackerName, Scores>).vigil);
const streetPlain = line((results.get('street') as Record<TrackerName, Scores>).plain);
const setPlain = line(combine('plain'));
const setVigil = line(combine('vigil'));
log(`  ${'set (all but street)'.padEnd(24)} ${setPlain.text} | ${setVigil.text}`);

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
console.log(
  `BENCH ${JSON.stringify({
    ms_per_frame_50: round(msPerFrame, 4),
    tracker_over_plain: round(trackerOnly.msPerFrame / plainOnly.msPerFrame, 2),
    mota: round(street.mota, 4),
    idf1: round(street.idf1, 4),
    hota: round(street.hota, 4),
    plain_hota: round(streetPlain.hota, 4),
    set_hota: round(setVigil.hota, 4),
    set_plain_hota: round(setPlain.hota, 4),
    set_idf1: round(setVigil.idf1, 4),
    set_plain_idf1: round(setPlain.idf1, 4),
    set_idsw: setVigil.idsw,
    set_plain_idsw: setPlain.idsw,
  })}`,
);
