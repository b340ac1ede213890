/**
 * Tracker speed and quality on seeded synthetic scenes (no video, no detector):
 *   ms_per_frame_50  mean time of one ByteTracker update with 50 objects on screen (plus false
 *                    positives and misses) followed by the rule/event engine (two tripwires,
 *                    a restricted zone, a loitering zone, object-seen events), after a warm-up
 *   mota, idf1       CLEAR-MOT MOTA and IDF1 over the synthetic street benchmark
 *                    (BENCH_SEQUENCES sequences x BENCH_STEPS steps, seeds 1..N)
 *
 *   npm run bench:tracker   (node --import tsx bench/tracker.bench.ts; env BENCH_SEQUENCES, BENCH_STEPS, BENCH_FRAMES)
 */
import { EventEngine } from '../src/domain/events/event-engine.ts';
import { resolveRules } from '../src/domain/rules/rule-spec.ts';
import { ByteTracker, DEFAULT_BYTE_TRACKER_OPTIONS } from '../src/domain/tracking/byte-tracker.ts';
import { addMotCounts, countMot, summarizeMot, type MotCounts } from '../src/domain/tracking/mot-metrics.ts';
import type { TrackerInput, TrackerOutput } from '../src/domain/tracking/tracking-types.ts';
import { benchmarkScene, crowdScene, motFrames } from '../test/factories/synthetic-scenes.ts';

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
function timeTracker(inputs: readonly TrackerInput[], warmup: number, onFrame?: PerFrameHook) {
  const tracker = new ByteTracker(DEFAULT_BYTE_TRACKER_OPTIONS);
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

// 2. Quality: the synthetic street benchmark.
let total: MotCounts | undefined;
for (let seed = 1; seed <= sequences; seed++) {
  const scene = benchmarkScene(seed, { steps: stepsPerSequence });
  const t = new ByteTracker(DEFAULT_BYTE_TRACKER_OPTIONS);
  const outputs = scene.steps.map((s) => t.update(s.input));
  const counts = countMot(motFrames(scene, outputs));
  const s = summarizeMot(counts);
  log(
    `${scene.name}: ${scene.actors.length} objects, GT ${s.truth}, FN ${s.misses}, FP ${s.falsePositives}, IDSW ${s.idSwitches}, ` +
      `FRAG ${s.fragmentations}, MOTA ${s.mota.toFixed(4)}, IDF1 ${s.idf1.toFixed(4)}`,
  );
  total = total ? addMotCounts(total, counts) : counts;
}
if (!total) throw new Error('BENCH_SEQUENCES must be at least 1');
const summary = summarizeMot(total);
log(
  `all ${sequences} x ${stepsPerSequence}: GT ${summary.truth}, FN ${summary.misses}, FP ${summary.falsePositives}, ` +
    `IDSW ${summary.idSwitches}, FRAG ${summary.fragmentations}, mean IoU ${summary.meanMatchIou.toFixed(3)}`,
);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
console.log(
  `BENCH ${JSON.stringify({ ms_per_frame_50: round(msPerFrame, 4), mota: round(summary.mota, 4), idf1: round(summary.idf1, 4) })}`,
);
