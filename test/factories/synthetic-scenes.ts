/**
 * Seeded synthetic scenes for the tracker: ground-truth trajectories plus the noisy detections
 * a detector like the bundled CenterNet would produce from them (people and vehicles scored
 * 0.45-0.7, box edges jittered, weak 0.25-0.38 detections for partly hidden objects, nothing
 * for hidden ones, isolated false positives at 0.4-0.5). Positions advance per tracker update,
 * as the tracker sees them; frame indices skip now and then, as when the motion gate idles.
 */
import type { Detection } from '../../src/domain/detection.ts';
import { boxArea, clipBox, intersectionOverUnion, type Box, type Size } from '../../src/domain/geometry.ts';
import type { MotFrame } from '../../src/domain/tracking/mot-metrics.ts';
import type { TrackerInput, TrackerOutput } from '../../src/domain/tracking/tracking-types.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

export const SCENE_SIZE: Size = { width: 768, height: 576 };
const FRAME_MS = 100;

export interface Actor {
  id: string;
  label: string;
  /** First and last step (inclusive) the actor is in the scene. */
  firstStep: number;
  lastStep: number;
  /** Box at firstStep. */
  box: Box;
  /** Pixels per step. */
  velocity: { x: number; y: number };
  /**
   * Instead of a constant velocity: where the box's bottom centre is at some steps (ascending),
   * in a straight line between them and still before the first and after the last.
   */
  path?: ReadonlyArray<{ step: number; cx: number; bottom: number }>;
  /** Reflect off the frame edges instead of leaving. */
  bounce?: boolean;
  /** Step ranges (inclusive) with no detection at all: fully hidden. */
  hidden?: ReadonlyArray<readonly [number, number]>;
  /** Step ranges with only a weak (low-score) detection: partly hidden. */
  weak?: ReadonlyArray<readonly [number, number]>;
  /** Other labels the detector sometimes gives this actor (e.g. a car seen as a truck), with that probability. */
  flicker?: { labels: readonly string[]; probability: number };
}

export interface SceneNoise {
  /** Standard deviation of every box edge, as a fraction of the box width (x) / height (y). */
  jitter: number;
  /** Chance that a visible actor gets no detection in a step. */
  missRate: number;
  /** Mean number of isolated false positives per step. */
  falsePositivesPerStep: number;
  scoreRange: readonly [number, number];
  weakScoreRange: readonly [number, number];
  falsePositiveScoreRange: readonly [number, number];
  /** An actor at least half covered by a nearer one (lower bottom edge) gets only a weak detection. */
  occludeBehind: boolean;
}

export const DEFAULT_NOISE: SceneNoise = {
  jitter: 0.03,
  missRate: 0,
  falsePositivesPerStep: 0,
  scoreRange: [0.45, 0.7],
  weakScoreRange: [0.25, 0.38],
  falsePositiveScoreRange: [0.4, 0.5],
  occludeBehind: true,
};

export interface TruthObject {
  id: string;
  label: string;
  box: Box;
}

export interface SceneStep {
  input: TrackerInput;
  truth: TruthObject[];
  /** Which actor produced each detection (same index as `input.detections`); undefined for a false positive. */
  sources: Array<string | undefined>;
}

export interface Scene {
  name: string;
  size: Size;
  actors: Actor[];
  steps: SceneStep[];
}

export interface RenderOptions {
  name: string;
  seed: number;
  steps: number;
  actors: Actor[];
  noise?: Partial<SceneNoise>;
  size?: Size;
}

export function renderScene(options: RenderOptions): Scene {
  const size = options.size ?? SCENE_SIZE;
  const noise = { ...DEFAULT_NOISE, ...options.noise };
  const random = seededRandom(options.seed);
  const steps: SceneStep[] = [];
  let frameIndex = 0;
  let previousFalsePositives: Box[] = [];
  for (let step = 0; step < options.steps; step++) {
    frameIndex += random.chance(0.2) ? random.int(2, 4) : 1;
    const truth: TruthObject[] = [];
    for (const actor of options.actors) {
      if (step < actor.firstStep || step > actor.lastStep) continue;
      const box = actorBox(actor, step, size);
      const cx = (box.x1 + box.x2) / 2;
      const cy = (box.y1 + box.y2) / 2;
      if (cx < 0 || cx > size.width || cy < 0 || cy > size.height) continue;
      truth.push({ id: actor.id, label: actor.label, box: clipBox(box, size) });
    }

    const detections: Array<{ detection: Detection; source: string | undefined }> = [];
    for (const t of truth) {
      const actor = options.actors.find((a) => a.id === t.id) as Actor;
      if (inRanges(step, actor.hidden)) continue;
      const weak = inRanges(step, actor.weak) || (noise.occludeBehind && isCoveredByNearer(t, truth));
      if (!weak && random.chance(noise.missRate)) continue;
      const [lo, hi] = weak ? noise.weakScoreRange : noise.scoreRange;
      const flicker = actor.flicker && random.chance(actor.flicker.probability) ? random.pick(actor.flicker.labels) : undefined;
      const detection = { label: flicker ?? t.label, score: random.uniform(lo, hi), box: jitterBox(t.box, noise.jitter, random, size) };
      detections.push({ detection, source: t.id });
    }

    const falsePositives: Box[] = [];
    const fpCount = poisson(noise.falsePositivesPerStep, random);
    for (let k = 0; k < fpCount; k++) {
      const box = isolatedBox(random, size, [...truth.map((t) => t.box), ...previousFalsePositives, ...falsePositives]);
      if (!box) continue;
      falsePositives.push(box);
      const [lo, hi] = noise.falsePositiveScoreRange;
      const detection = { label: random.chance(0.8) ? 'person' : 'car', score: random.uniform(lo, hi), box };
      detections.push({ detection, source: undefined });
    }
    previousFalsePositives = falsePositives;

    // Detectors hand out their boxes strongest first.
    detections.sort((a, b) => b.detection.score - a.detection.score);
    steps.push({
      input: { frameIndex, timestampMs: frameIndex * FRAME_MS, detections: detections.map((d) => d.detection) },
      truth,
      sources: detections.map((d) => d.source),
    });
  }
  return { name: options.name, size, actors: options.actors, steps };
}

/** Truth and tracker output of the same steps, as the metrics want them. */
export function motFrames(scene: Scene, outputs: readonly TrackerOutput[]): MotFrame[] {
  return scene.steps.map((step, i) => ({
    truth: step.truth.map((t) => ({ id: t.id, box: t.box })),
    hypotheses: (outputs[i]?.tracked ?? []).map((t) => ({ id: t.trackId, box: t.box })),
  }));
}

export function personBox(cx: number, bottom: number, height = 110): Box {
  const width = height * 0.4;
  return { x1: cx - width / 2, y1: bottom - height, x2: cx + width / 2, y2: bottom };
}

export function vehicleBox(cx: number, bottom: number, height = 90): Box {
  const width = height * 1.9;
  return { x1: cx - width / 2, y1: bottom - height, x2: cx + width / 2, y2: bottom };
}

function actorBox(actor: Actor, step: number, size: Size): Box {
  const t = step - actor.firstStep;
  const w = actor.box.x2 - actor.box.x1;
  const h = actor.box.y2 - actor.box.y1;
  if (actor.path && actor.path.length > 0) {
    const { cx, bottom } = alongPath(actor.path, step);
    return { x1: cx - w / 2, y1: bottom - h, x2: cx + w / 2, y2: bottom };
  }
  let x = actor.box.x1 + actor.velocity.x * t;
  let y = actor.box.y1 + actor.velocity.y * t;
  if (actor.bounce) {
    x = reflect(x, size.width - w);
    y = reflect(y, size.height - h);
  }
  return { x1: x, y1: y, x2: x + w, y2: y + h };
}

function alongPath(path: NonNullable<Actor['path']>, step: number): { cx: number; bottom: number } {
  const first = path[0] as (typeof path)[number];
  if (step <= first.step) return first;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1] as (typeof path)[number];
    const b = path[i] as (typeof path)[number];
    if (step <= b.step) {
      const f = (step - a.step) / (b.step - a.step);
      return { cx: a.cx + (b.cx - a.cx) * f, bottom: a.bottom + (b.bottom - a.bottom) * f };
    }
  }
  return path[path.length - 1] as (typeof path)[number];
}

/** Position bouncing between 0 and max. */
function reflect(v: number, max: number): number {
  if (max <= 0) return 0;
  const period = 2 * max;
  const m = ((v % period) + period) % period;
  return m <= max ? m : period - m;
}

function inRanges(step: number, ranges: ReadonlyArray<readonly [number, number]> | undefined): boolean {
  return (ranges ?? []).some(([a, b]) => step >= a && step <= b);
}

function isCoveredByNearer(t: TruthObject, all: readonly TruthObject[]): boolean {
  const area = boxArea(t.box);
  return all.some((o) => {
    if (o.id === t.id || o.box.y2 <= t.box.y2) return false;
    const ix = Math.max(0, Math.min(o.box.x2, t.box.x2) - Math.max(o.box.x1, t.box.x1));
    const iy = Math.max(0, Math.min(o.box.y2, t.box.y2) - Math.max(o.box.y1, t.box.y1));
    return area > 0 && (ix * iy) / area >= 0.5;
  });
}

function jitterBox(b: Box, jitter: number, random: SeededRandom, size: Size): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const x1 = b.x1 + random.normal() * jitter * w;
  const x2 = Math.max(x1 + 2, b.x2 + random.normal() * jitter * w);
  const y1 = b.y1 + random.normal() * jitter * h;
  const y2 = Math.max(y1 + 2, b.y2 + random.normal() * jitter * h);
  return clipBox({ x1, y1, x2, y2 }, size);
}

/** A person-sized box touching none of `avoid`, or undefined when none was found quickly. */
function isolatedBox(random: SeededRandom, size: Size, avoid: readonly Box[]): Box | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const h = random.uniform(50, 130);
    const box = personBox(random.uniform(30, size.width - 30), random.uniform(h, size.height), h);
    if (avoid.every((a) => intersectionOverUnion(a, box) === 0)) return box;
  }
  return undefined;
}

function poisson(mean: number, random: SeededRandom): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** People walking in separate lanes at constant velocity; only box jitter. */
export function walkersScene(seed: number, walkers = 4, steps = 60): Scene {
  const random = seededRandom(seed ^ 0x5eed);
  const actors: Actor[] = Array.from({ length: walkers }, (_, i) => {
    const bottom = 200 + (i * 360) / Math.max(1, walkers - 1);
    const direction = i % 2 === 0 ? 1 : -1;
    return {
      id: `walker${i + 1}`,
      label: 'person',
      firstStep: 0,
      lastStep: steps - 1,
      box: personBox(direction > 0 ? 80 : 690, bottom, 70 + bottom * 0.1),
      velocity: { x: direction * random.uniform(2, 6), y: random.uniform(-0.5, 0.5) },
    };
  });
  return renderScene({ name: 'walkers', seed, steps, actors });
}

/**
 * Two people walking towards each other, the nearer one lower in the image and larger; their
 * boxes overlap for about ten steps, during which the farther one is only weakly detected.
 */
export function crossingScene(seed: number, speed = 4): Scene {
  const steps = 60;
  const actors: Actor[] = [
    { id: 'near', label: 'person', firstStep: 0, lastStep: steps - 1, box: personBox(384 - 30 * speed, 430, 110), velocity: { x: speed, y: 0 } },
    { id: 'far', label: 'person', firstStep: 0, lastStep: steps - 1, box: personBox(384 + 30 * speed, 405, 95), velocity: { x: -speed, y: 0 } },
  ];
  return renderScene({ name: `crossing-${speed}`, seed, steps, actors });
}

/** One walker disappearing at step 20 for `gap` steps: weakly detected, or not at all. */
export function occlusionScene(seed: number, gap: number, during: 'weak' | 'hidden'): Scene {
  const steps = 50;
  const range = [[20, 20 + gap - 1] as const];
  const actors: Actor[] = [
    {
      id: 'walker',
      label: 'person',
      firstStep: 0,
      lastStep: steps - 1,
      box: personBox(120, 400, 100),
      velocity: { x: 4, y: 0.5 },
      ...(during === 'weak' ? { weak: range } : { hidden: range }),
    },
  ];
  return renderScene({ name: `occlusion-${during}-${gap}`, seed, steps, actors });
}

/** Two walkers and isolated single-step false positives (0.4-0.5) at `rate` per step. */
export function falsePositiveScene(seed: number, rate = 1, steps = 100): Scene {
  const actors: Actor[] = [
    { id: 'a', label: 'person', firstStep: 0, lastStep: steps - 1, box: personBox(100, 300, 90), velocity: { x: 3, y: 0 } },
    { id: 'b', label: 'person', firstStep: 0, lastStep: steps - 1, box: personBox(650, 520, 120), velocity: { x: -3, y: 0 } },
  ];
  return renderScene({ name: 'false-positives', seed, steps, actors, noise: { falsePositivesPerStep: rate } });
}

/** A car overtaking a walker in the next lane: their boxes overlap for many steps. */
export function vehicleBesidePersonScene(seed: number): Scene {
  const steps = 60;
  const actors: Actor[] = [
    { id: 'person', label: 'person', firstStep: 0, lastStep: steps - 1, box: personBox(200, 410, 110), velocity: { x: 3, y: 0 } },
    {
      id: 'car',
      label: 'car',
      firstStep: 0,
      lastStep: steps - 1,
      box: vehicleBox(60, 440, 100),
      velocity: { x: 9, y: 0 },
      flicker: { labels: ['truck'], probability: 0.15 },
    },
  ];
  return renderScene({ name: 'vehicle-beside-person', seed, steps, actors });
}

/**
 * Two people walk up from opposite sides, stand side by side `apart` pixels apart (centre to
 * centre) for `standSteps` steps, the nearer one partly covering the other (whose detections
 * turn weak), with random misses; then each walks back the way they came. Two tracks must stay
 * two, each with its own id, the whole time.
 */
export function standingTogetherScene(seed: number, apart = 20, standSteps = 60): Scene {
  const arrive = 25;
  const leave = arrive + standSteps;
  const steps = leave + 25;
  const centre = 384;
  const actors: Actor[] = [
    {
      id: 'left',
      label: 'person',
      firstStep: 0,
      lastStep: steps - 1,
      box: personBox(0, 0, 110),
      velocity: { x: 0, y: 0 },
      path: [{ step: 0, cx: centre - apart / 2 - 150, bottom: 430 }, { step: arrive, cx: centre - apart / 2, bottom: 430 }, { step: leave, cx: centre - apart / 2, bottom: 430 }, { step: steps - 1, cx: centre - apart / 2 - 150, bottom: 440 }],
    },
    {
      id: 'right',
      label: 'person',
      firstStep: 0,
      lastStep: steps - 1,
      box: personBox(0, 0, 104),
      velocity: { x: 0, y: 0 },
      path: [{ step: 0, cx: centre + apart / 2 + 150, bottom: 420 }, { step: arrive, cx: centre + apart / 2, bottom: 420 }, { step: leave, cx: centre + apart / 2, bottom: 420 }, { step: steps - 1, cx: centre + apart / 2 + 150, bottom: 410 }],
    },
  ];
  return renderScene({ name: `standing-together-${apart}px`, seed, steps, actors, noise: { missRate: 0.08 } });
}

/**
 * A walker goes behind a pillar, stops there unseen for `hiddenSteps` steps, and comes out where
 * it went in, walking on at another speed: the filter alone keeps moving the lost track at the
 * old speed and looks for it in the wrong place.
 */
export function stopBehindPillarScene(seed: number, hiddenSteps = 12): Scene {
  const enter = 20;
  const out = enter + hiddenSteps;
  const steps = out + 25;
  const actors: Actor[] = [
    {
      id: 'walker',
      label: 'person',
      firstStep: 0,
      lastStep: steps - 1,
      box: personBox(0, 0, 100),
      velocity: { x: 0, y: 0 },
      hidden: [[enter, out - 1]],
      path: [{ step: 0, cx: 150, bottom: 400 }, { step: enter, cx: 300, bottom: 404 }, { step: out, cx: 302, bottom: 404 }, { step: steps - 1, cx: 390, bottom: 410 }],
    },
    // Someone else in the scene, so that a wrongly re-found track has another person to take.
    { id: 'other', label: 'person', firstStep: 0, lastStep: steps - 1, box: personBox(620, 520, 120), velocity: { x: -2, y: 0 } },
  ];
  return renderScene({ name: `stop-behind-pillar-${hiddenSteps}`, seed, steps, actors });
}

export interface BenchmarkSceneOptions {
  steps: number;
  /** Objects in the first step; more enter from the sides later. */
  initialActors: number;
  /** Chance per step that a new object enters. */
  arrivalRate: number;
  noise: Partial<SceneNoise>;
}

const BENCHMARK_DEFAULTS: BenchmarkSceneOptions = {
  steps: 300,
  initialActors: 6,
  arrivalRate: 0.05,
  noise: { missRate: 0.03, falsePositivesPerStep: 0.3 },
};

/**
 * A street: people (3 in 4) and vehicles crossing at different depths, entering and leaving at
 * the sides; a quarter of them hidden for 3-8 steps, another quarter weakly seen for 3-6;
 * random misses and false positives; vehicles sometimes labelled truck or bus.
 */
export function benchmarkScene(seed: number, options: Partial<BenchmarkSceneOptions> = {}): Scene {
  const o = { ...BENCHMARK_DEFAULTS, ...options };
  const random = seededRandom(seed * 7919 + 17);
  const actors: Actor[] = [];
  const spawn = (step: number, atEdge: boolean) => {
    const person = random.chance(0.75);
    const bottom = random.uniform(240, 560);
    const direction = random.chance(0.5) ? 1 : -1;
    const speed = person ? random.uniform(1.5, 5) : random.uniform(5, 12);
    const height = person ? 20 + 0.2 * bottom : 10 + 0.22 * bottom;
    const cx = atEdge ? (direction > 0 ? 0 : SCENE_SIZE.width) : random.uniform(60, SCENE_SIZE.width - 60);
    const box = person ? personBox(cx, bottom, height) : vehicleBox(cx, bottom, height);
    const distance = direction > 0 ? SCENE_SIZE.width - cx : cx;
    const lastStep = Math.min(o.steps - 1, step + Math.floor(distance / speed));
    const life = lastStep - step;
    const gap = (minLen: number, maxLen: number): Array<readonly [number, number]> => {
      if (life < 20) return [];
      const start = step + random.int(5, life - 12);
      return [[start, start + random.int(minLen, maxLen) - 1]];
    };
    actors.push({
      id: `${person ? 'person' : 'vehicle'}${actors.length + 1}`,
      label: person ? 'person' : 'car',
      firstStep: step,
      lastStep,
      box,
      velocity: { x: direction * speed, y: person ? random.uniform(-0.4, 0.4) : 0 },
      hidden: random.chance(0.25) ? gap(3, 8) : [],
      weak: random.chance(0.25) ? gap(3, 6) : [],
      ...(person ? {} : { flicker: { labels: ['truck', 'bus'], probability: 0.1 } }),
    });
  };
  for (let i = 0; i < o.initialActors; i++) spawn(0, false);
  for (let step = 1; step < o.steps; step++) if (random.chance(o.arrivalRate)) spawn(step, true);
  return renderScene({ name: `benchmark-${seed}`, seed, steps: o.steps, actors, noise: o.noise });
}

/** `count` objects bouncing around a 1920x1080 frame for the timing benchmark. */
export function crowdScene(seed: number, count = 50, steps = 1000): Scene {
  const size: Size = { width: 1920, height: 1080 };
  const random = seededRandom(seed);
  const actors: Actor[] = Array.from({ length: count }, (_, i) => {
    const person = i % 4 !== 0;
    const bottom = random.uniform(200, size.height);
    const height = person ? 30 + 0.12 * bottom : 20 + 0.1 * bottom;
    const cx = random.uniform(100, size.width - 100);
    return {
      id: `${person ? 'person' : 'vehicle'}${i + 1}`,
      label: person ? 'person' : 'car',
      firstStep: 0,
      lastStep: steps - 1,
      box: person ? personBox(cx, bottom, height) : vehicleBox(cx, bottom, height),
      velocity: { x: random.uniform(-4, 4), y: random.uniform(-1, 1) },
      bounce: true,
    };
  });
  return renderScene({ name: `crowd-${count}`, seed, steps, actors, size, noise: { missRate: 0.03, falsePositivesPerStep: 1 } });
}
