/**
 * The accuracy benchmark's world: two cameras over three days, visited by scripted people and
 * cars, with the truth of what happened taken from the scripted boxes, never from Vigil.
 *
 * Each visit is rendered as a detector would see it (synthetic-scenes: jittered boxes, weak
 * detections for people half hidden behind others, misses) and run through Vigil's real tracker
 * and rule/event engine, camera settings and all; the stored events are what questions search.
 * The truth: a crossing is the moment a scripted foot point passes the tripwire's segment, with
 * its direction; a stay is the time from the first to the last step a scripted foot point is in
 * a zone. Both come from the same boxes the detections were jittered from.
 */
import { createLogger } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraSettings } from '../../src/config/settings/index.ts';
import { EventEngine } from '../../src/domain/events/event-engine.ts';
import type { Box } from '../../src/domain/geometry.ts';

type Point = readonly [number, number];
import { resolveRules } from '../../src/domain/rules/rule-spec.ts';
import type { CameraRules } from '../../src/domain/rules/rule-types.ts';
import type { StoredEvent } from '../../src/ports/analysis-store.ts';
import { cameraTracker } from '../../src/services/camera-tracker.ts';
import { EventAssembly } from '../../src/services/event-assembly.ts';
import { seededRandom, type SeededRandom } from '../../test/factories/seeded-random.ts';
import { personBox, renderScene, SCENE_SIZE, vehicleBox, type Actor } from '../../test/factories/synthetic-scenes.ts';
import type { Incident } from './score.ts';

export const TIME_ZONE = 'Asia/Taipei';
/** Midnight starting the first of the three days, Taipei time. */
export const DAY0 = Date.parse('2026-11-19T00:00:00+08:00');
export const DAY_MS = 86_400_000;
/** When the questions are asked: the morning after the third day. */
export const NOW = DAY0 + 3 * DAY_MS + 9 * 3_600_000;
const FPS = 5;
/** Empty frames after each visit: longer than the tracker keeps a lost track (3 s). */
const QUIET_FRAMES = 5 * FPS;

/**
 * gate: a line across the entrance, the parking lot above it (side A), the lobby below (side B);
 * walking down the picture is coming in. yard: a back door where loitering is watched, and a
 * storeroom nobody may enter.
 */
export const WORLD_CONFIG = `
storage: { data_dir: data }
search: { timezone: ${TIME_ZONE} }
cameras:
  gate:
    name: Gate
    aliases: [大門]
    input: gate.mp4
    timezone: ${TIME_ZONE}
    tripwires:
      gate_line:
        points: [[60, 300], [708, 300]]
        inbound: a_to_b
        display_name: gate line
        display_name_zh: 門口警戒線
        side_a: { name: parking lot, name_zh: 停車場, aliases: [car park] }
        side_b: { name: lobby, name_zh: 大廳 }
  yard:
    name: Yard
    aliases: [後院]
    input: yard.mp4
    timezone: ${TIME_ZONE}
    zones:
      back_door:
        points: [[440, 380], [768, 380], [768, 576], [440, 576]]
        labels: [person]
        display_name: back door
        display_name_zh: 後門
        loitering: { min_seconds: 30, max_speed: 0.02 }
      storeroom:
        points: [[0, 400], [260, 400], [260, 576], [0, 576]]
        labels: [person]
        restricted: true
        display_name: storeroom
        display_name_zh: 倉庫
`;

export type VisitKind = 'walk_in' | 'walk_out' | 'pair_in' | 'car_in' | 'car_out' | 'pass_by' | 'loiter' | 'pair_loiter' | 'brief' | 'intrude';

/** One thing that happened, as the script says. */
/** An incident of the scripted world, with the visit it came from. */
export interface TruthIncident extends Incident {
  visit: number;
  kind: VisitKind;
  camera: 'gate' | 'yard';
  label: 'person' | 'car';
}

export interface Visit {
  index: number;
  kind: VisitKind;
  camera: 'gate' | 'yard';
  startMs: number;
  actors: Actor[];
  steps: number;
}

export interface World {
  loaded: LoadedConfig;
  visits: Visit[];
  truth: TruthIncident[];
  events: StoredEvent[];
}

/**
 * The visits of each day: every kind on every day at a random time, more of the common ones; in
 * the evening more than in the day, as at a shop's back door.
 */
const PER_DAY: ReadonlyArray<[VisitKind, number]> = [
  ['walk_in', 4],
  ['walk_out', 3],
  ['pair_in', 1],
  ['car_in', 1],
  ['car_out', 1],
  ['pass_by', 2],
  ['loiter', 2],
  ['pair_loiter', 1],
  ['brief', 2],
  ['intrude', 2],
];

export async function buildWorld(baseDir: string, seed = 1): Promise<World> {
  const loaded = { ...parseConfigText(WORLD_CONFIG, { env: {}, baseDir, fileLabel: 'accuracy world' }), baseDir };
  const random = seededRandom(seed);
  const visits: Visit[] = [];
  for (let day = 0; day < 3; day++) {
    for (const [kind, count] of PER_DAY) {
      for (let i = 0; i < count; i++) {
        // 07:00-23:30, half of them after 18:00; never two visits of one camera within 10 minutes.
        const evening = random.chance(0.5);
        const minute = evening ? random.int(18 * 60, 23 * 60 + 30) : random.int(7 * 60, 18 * 60);
        visits.push(scriptVisit(visits.length, kind, DAY0 + day * DAY_MS + minute * 60_000 + random.int(0, 59) * 1000, random));
      }
    }
  }
  spreadOut(visits);
  visits.sort((a, b) => a.startMs - b.startMs);

  const rulesOf = new Map<string, CameraRules>();
  const settingsOf = (camera: string) => cameraSettings(camera, loaded.config.cameras[camera] ?? {}, loaded.config, { fps: FPS });
  for (const camera of ['gate', 'yard']) rulesOf.set(camera, resolveRules(settingsOf(camera).rules, SCENE_SIZE));

  // Each camera runs on, as a live camera does: one tracker and one rule engine over all three
  // days (track ids count on, p1 to p57), fed the visits' frames and, after each, a few seconds
  // of empty frames (the motion gate's forced checks of a quiet scene), so tracks end and events close.
  const cameras = new Map(
    ['gate', 'yard'].map((camera) => {
      const rules = rulesOf.get(camera) as CameraRules;
      const assembly = new EventAssembly({
        runId: 1,
        rules,
        tracker: cameraTracker(settingsOf(camera), FPS),
        engine: new EventEngine(rules, { idPrefix: camera }),
        logger: createLogger('silent'),
      });
      return [camera, assembly];
    }),
  );
  const latest = new Map<string, StoredEvent>();
  const frameAt = (ms: number) => Math.round(((ms - DAY0) * FPS) / 1000);
  const timeOf = (frame: number) => DAY0 + (frame * 1000) / FPS;
  const truth: TruthIncident[] = [];
  for (const visit of visits) {
    const scene = renderScene({ name: `visit-${visit.index}`, seed: seed * 1000 + visit.index, steps: visit.steps, actors: visit.actors, noise: { missRate: 0.03 } });
    const first = frameAt(visit.startMs);
    truth.push(...visitTruth(visit, scene.steps.map((st) => ({ ms: timeOf(first + st.input.frameIndex), truth: st.truth }))));
    const assembly = cameras.get(visit.camera) as EventAssembly;
    const frames = scene.steps.map((st) => ({ index: first + st.input.frameIndex, detections: st.input.detections }));
    const last = frames.at(-1)?.index ?? first;
    for (let k = 1; k <= QUIET_FRAMES; k++) frames.push({ index: last + k, detections: [] });
    for (const { index, detections } of frames) {
      const frame = { index, timestampMs: timeOf(index), detected: true, candidates: detections.map((d) => ({ ...d, confident: d.score >= 0.4 })) };
      for (const e of (await assembly.step(frame, { render: false })).events) latest.set(e.event.id, e);
    }
  }
  const end = frameAt(NOW);
  for (const assembly of cameras.values()) for (const e of assembly.finish(timeOf(end), end).events) latest.set(e.event.id, e);
  const events = [...latest.values()];
  return { loaded, visits, truth, events };
}

/** Moves visits of one camera apart so that two never overlap (each is a few minutes at most). */
function spreadOut(visits: Visit[]): void {
  for (const camera of ['gate', 'yard']) {
    const own = visits.filter((v) => v.camera === camera).sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < own.length; i++) {
      const previous = own[i - 1] as Visit;
      const minimum = previous.startMs + Math.ceil(previous.steps / FPS) * 1000 + 10 * 60_000;
      if ((own[i] as Visit).startMs < minimum) (own[i] as Visit).startMs = minimum;
    }
  }
}

type Way = Array<{ step: number; cx: number; bottom: number }>;

function person(id: string, path: Way, height = 110): Actor {
  const last = path.at(-1) as Way[number];
  return { id, label: 'person', firstStep: path[0]?.step ?? 0, lastStep: last.step, box: personBox(0, 0, height), velocity: { x: 0, y: 0 }, path };
}

function car(id: string, path: Way): Actor {
  const last = path.at(-1) as Way[number];
  return { id, label: 'car', firstStep: path[0]?.step ?? 0, lastStep: last.step, box: vehicleBox(0, 0, 80), velocity: { x: 0, y: 0 }, path };
}

/** Seconds to steps at the analysed rate. */
const s = (seconds: number) => Math.round(seconds * FPS);

function scriptVisit(index: number, kind: VisitKind, startMs: number, random: SeededRandom): Visit {
  const x = random.uniform(200, 560);
  const walk = random.uniform(6, 10); // seconds to walk through the picture
  const camera = kind === 'loiter' || kind === 'pair_loiter' || kind === 'brief' || kind === 'intrude' ? 'yard' : 'gate';
  let actors: Actor[];
  switch (kind) {
    case 'walk_in':
      actors = [person('p', [{ step: 0, cx: x, bottom: 150 }, { step: s(walk), cx: x + random.uniform(-60, 60), bottom: 560 }])];
      break;
    case 'walk_out':
      actors = [person('p', [{ step: 0, cx: x, bottom: 560 }, { step: s(walk), cx: x + random.uniform(-60, 60), bottom: 150 }])];
      break;
    case 'pair_in':
      actors = [
        person('p1', [{ step: 0, cx: x, bottom: 150 }, { step: s(walk), cx: x, bottom: 560 }]),
        person('p2', [{ step: 0, cx: x + 70, bottom: 140 }, { step: s(walk), cx: x + 70, bottom: 550 }], 104),
      ];
      break;
    case 'car_in':
      actors = [car('c', [{ step: 0, cx: x, bottom: 130 }, { step: s(walk / 2), cx: x, bottom: 570 }])];
      break;
    case 'car_out':
      actors = [car('c', [{ step: 0, cx: x, bottom: 570 }, { step: s(walk / 2), cx: x, bottom: 130 }])];
      break;
    case 'pass_by':
      // Along the parking lot, never reaching the line.
      actors = [person('p', [{ step: 0, cx: 20, bottom: 220 }, { step: s(walk), cx: 750, bottom: 240 }], 80)];
      break;
    case 'loiter':
    case 'brief': {
      const stay = kind === 'loiter' ? random.uniform(40, 300) : random.uniform(5, 15);
      actors = [person('p', lingerPath(stay, 0, random))];
      break;
    }
    case 'pair_loiter': {
      const stay = random.uniform(60, 240);
      actors = [person('p1', lingerPath(stay, 0, random)), person('p2', lingerPath(stay * random.uniform(0.5, 1), 25, random), 104)];
      break;
    }
    case 'intrude': {
      const stay = random.uniform(3, 120);
      actors = [
        person('p', [
          { step: 0, cx: 330, bottom: 300 },
          { step: s(4), cx: 130, bottom: 480 },
          { step: s(4 + stay), cx: 140, bottom: 490 },
          { step: s(8 + stay), cx: 330, bottom: 300 },
        ]),
      ];
      break;
    }
  }
  const steps = Math.max(...actors.map((a) => a.lastStep)) + 1;
  return { index, kind, camera, startMs, actors, steps };
}

/** In from the top of the yard, a stay of `stay` seconds by the back door (slight sway), out again. */
function lingerPath(stay: number, offset: number, random: SeededRandom): Way {
  const spot = { cx: 600 + offset, bottom: 470 + offset / 2 };
  const path: Way = [{ step: 0, cx: 380, bottom: 280 }, { step: s(5), cx: spot.cx, bottom: spot.bottom }];
  // Shifting weight now and then: a few pixels, slow enough to stay under the loitering speed.
  for (let t = 15; t < stay; t += 15) path.push({ step: s(5 + t), cx: spot.cx + random.uniform(-6, 6), bottom: spot.bottom + random.uniform(-3, 3) });
  path.push({ step: s(5 + stay), cx: spot.cx, bottom: spot.bottom }, { step: s(10 + stay), cx: 380, bottom: 280 });
  return path;
}

/** What happened in a visit, from the scripted boxes of every step. */
function visitTruth(visit: Visit, steps: Array<{ ms: number; truth: Array<{ id: string; label: string; box: Box }> }>): TruthIncident[] {
  const foot = (b: Box): Point => [(b.x1 + b.x2) / 2, b.y2];
  const incidents: TruthIncident[] = [];
  const base = { visit: visit.index, kind: visit.kind, camera: visit.camera };
  const people = visit.actors.length;
  for (const actor of visit.actors) {
    const seen = steps.flatMap((st) => st.truth.filter((t) => t.id === actor.id).map((t) => ({ ms: st.ms, at: foot(t.box) })));
    const label = actor.label as 'person' | 'car';
    if (visit.camera === 'gate') {
      for (let i = 1; i < seen.length; i++) {
        const a = seen[i - 1] as (typeof seen)[number];
        const b = seen[i] as (typeof seen)[number];
        const crossesAt = crossingOfGateLine(a.at, b.at);
        if (crossesAt === undefined) continue;
        const direction = a.at[1] < 300 ? 'a_to_b' : 'b_to_a';
        incidents.push({ ...base, type: 'line_crossing', rule: 'gate_line', label, startMs: b.ms, endMs: b.ms, direction, people });
      }
    } else {
      for (const zone of YARD_ZONES) {
        const inside = seen.filter((p) => zone.contains(p.at));
        if (inside.length === 0) continue;
        const first = (inside[0] as (typeof inside)[number]).ms;
        const last = (inside.at(-1) as (typeof inside)[number]).ms;
        const staySeconds = (last - first) / 1000;
        // Loitering is an event only past its minimum time; a restricted zone at once.
        if (zone.type === 'loitering' && staySeconds < 30) continue;
        incidents.push({ ...base, type: zone.type, rule: zone.rule, label, startMs: first, endMs: last, staySeconds, people });
      }
    }
  }
  return incidents;
}

/** The foot point's step from `a` to `b` passes through the gate line's segment (y = 300, x 60-708). */
function crossingOfGateLine(a: Point, b: Point): boolean | undefined {
  if ((a[1] < 300) === (b[1] < 300)) return undefined;
  const f = (300 - a[1]) / (b[1] - a[1]);
  const x = a[0] + (b[0] - a[0]) * f;
  return x >= 60 && x <= 708 ? true : undefined;
}

const YARD_ZONES = [
  { rule: 'back_door', type: 'loitering' as const, contains: ([x, y]: Point) => x >= 440 && x <= 768 && y >= 380 && y <= 576 },
  { rule: 'storeroom', type: 'intrusion' as const, contains: ([x, y]: Point) => x >= 0 && x <= 260 && y >= 400 && y <= 576 },
];
