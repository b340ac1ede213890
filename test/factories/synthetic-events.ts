/**
 * Seeded synthetic events for search tests and benchmarks: many cameras with English names and
 * Chinese aliases (後門, 車庫, 停車場), a tripwire, a restricted zone and a loitering zone each,
 * and a stream of events over any span, in time order, as a year of running Vigil would store
 * them. Summaries and keywords come from the real `summarizeEvent` and `eventKeywords`; about
 * half the events also carry appearance words (colours, clothing, vehicle kinds) in English and
 * Traditional Chinese, standing in for the model descriptions search will rank one day.
 */
import type { EventActor, EventType, Evidence, EvidenceKind, VigilEvent } from '../../src/domain/events/event-types.ts';
import { sanitizeId } from '../../src/domain/events/event-record.ts';
import { evidenceText } from '../../src/domain/events/evidence-text.ts';
import { eventKeywords } from '../../src/domain/events/keywords.ts';
import { ruleDisplayName } from '../../src/domain/events/phrases.ts';
import { summarizeEvent } from '../../src/domain/events/summarize.ts';
import type { CameraRules, TripwireRule, ZoneRule } from '../../src/domain/rules/rule-types.ts';
import { classFamily, FAMILY_ID_PREFIX } from '../../src/domain/tracking/class-family.ts';
import type { StoredEvent } from '../../src/ports/analysis-store.ts';
import type { CameraInfo } from '../../src/services/search/search.service.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

/** Taipei has no daylight saving time, so a local day is always [UTC+8 midnight, +24 h). */
export const SYNTHETIC_TIME_ZONE = 'Asia/Taipei';
const ZONE_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const FPS = 5;

export interface SyntheticCamera extends CameraInfo {
  rules: CameraRules;
  /** Relative share of all events (a gate is busier than a roof). */
  weight: number;
}

type Name = readonly [key: string, en: string, zhHant: string];

/** id, name, aliases, busyness. */
const PLACES: ReadonlyArray<readonly [string, string, readonly string[], number]> = [
  ['back', 'Back door', ['後門', 'back yard door'], 1.2],
  ['front', 'Front door', ['前門', '正門'], 2],
  ['garage', 'Garage', ['車庫'], 1],
  ['parking', 'Parking lot', ['停車場'], 2.5],
  ['gate', 'Main gate', ['大門', 'gate'], 3],
  ['side', 'Side door', ['側門'], 0.8],
  ['backyard', 'Back yard', ['後院'], 0.7],
  ['frontyard', 'Front yard', ['前院'], 1.2],
  ['lobby', 'Lobby', ['大廳', '大堂'], 2.5],
  ['corridor-1f', '1F corridor', ['一樓走廊'], 1.5],
  ['corridor-2f', '2F corridor', ['二樓走廊'], 1],
  ['stairwell', 'Stairwell', ['樓梯間'], 0.6],
  ['elevator', 'Elevator hall', ['電梯間', '電梯口'], 1.4],
  ['warehouse', 'Warehouse', ['倉庫'], 0.8],
  ['loading-dock', 'Loading dock', ['卸貨區', '裝卸區'], 1.3],
  ['office', 'Office', ['辦公室'], 1],
  ['mailroom', 'Mail room', ['收發室'], 0.5],
  ['rooftop', 'Rooftop', ['屋頂', '頂樓'], 0.2],
  ['driveway', 'Driveway', ['車道'], 1.6],
  ['fence-east', 'East fence', ['東側圍牆'], 0.3],
  ['fence-west', 'West fence', ['西側圍牆'], 0.3],
  ['garden', 'Garden', ['花園'], 0.7],
  ['pool', 'Pool', ['泳池', '游泳池'], 0.6],
  ['playground', 'Playground', ['遊樂場', '兒童遊戲區'], 0.9],
  ['bike-shed', 'Bike shed', ['腳踏車棚'], 0.8],
  ['basement-b1', 'Basement B1', ['地下一樓', 'B1停車場'], 1.8],
  ['basement-b2', 'Basement B2', ['地下二樓', 'B2停車場'], 1.2],
  ['street', 'Street', ['街道', '馬路'], 3],
  ['alley', 'Alley', ['巷子', '後巷'], 0.9],
  ['porch', 'Porch', ['門廊', '玄關'], 1.1],
  ['balcony', 'Balcony', ['陽台'], 0.3],
  ['kitchen-door', 'Kitchen door', ['廚房門'], 0.6],
  ['guardhouse', 'Guard house', ['警衛室'], 1],
  ['reception', 'Reception', ['櫃台', '接待處'], 1.5],
  ['trash', 'Trash area', ['垃圾場', '垃圾區'], 0.5],
  ['machine-room', 'Machine room', ['機房'], 0.2],
  ['north-gate', 'North gate', ['北門'], 1.4],
  ['south-gate', 'South gate', ['南門'], 1.1],
  ['ev-charging', 'EV charging', ['充電站', '充電區'], 0.7],
  ['shopfront', 'Shop front', ['店面', '騎樓'], 2.2],
];

const TRIPWIRES: readonly Name[] = [
  ['door', 'door', '門口'],
  ['gate-line', 'gate', '閘門'],
  ['fence', 'fence', '圍牆'],
  ['driveway', 'driveway', '車道'],
  ['entrance', 'entrance', '入口'],
  ['exit', 'exit', '出口'],
  ['stairs', 'stairs', '樓梯'],
];
const RESTRICTED: readonly Name[] = [
  ['server-room', 'server room', '機房'],
  ['storage', 'storage', '儲藏區'],
  ['roof-edge', 'roof edge', '屋頂邊緣'],
  ['pool-deck', 'pool deck', '泳池區'],
  ['yard', 'yard', '院子'],
  ['loading-bay', 'loading bay', '卸貨區'],
];
const LOITER_ZONES: readonly Name[] = [
  ['porch', 'porch', '門廊'],
  ['entrance-area', 'entrance area', '入口區'],
  ['bench', 'bench', '長椅'],
  ['waiting-area', 'waiting area', '等候區'],
  ['car-park', 'car park', '停車區'],
  ['atm', 'ATM', '提款機'],
];

/** Share of each event type, and the labels each type is seen with (cumulative weights follow). */
const TYPE_WEIGHTS: ReadonlyArray<readonly [EventType, number]> = [
  ['object_seen', 0.4],
  ['line_crossing', 0.35],
  ['loitering', 0.15],
  ['intrusion', 0.1],
];
const LABEL_WEIGHTS: Readonly<Record<EventType, ReadonlyArray<readonly [string, number]>>> = {
  line_crossing: [['person', 75], ['car', 10], ['bicycle', 6], ['motorcycle', 4], ['truck', 3], ['dog', 2]],
  object_seen: [['person', 55], ['car', 20], ['truck', 6], ['bicycle', 5], ['motorcycle', 5], ['dog', 4], ['cat', 3], ['bus', 2]],
  intrusion: [['person', 90], ['dog', 6], ['car', 4]],
  loitering: [['person', 97], ['dog', 3]],
};
/** Events per hour of the local day, relative (quiet nights, busy mornings and evenings). */
const HOURLY = [0.25, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.4, 1.8, 1.6, 1.4, 1.4, 1.5, 1.4, 1.3, 1.4, 1.6, 1.9, 2, 1.7, 1.3, 1, 0.7, 0.4];

const COLOURS: readonly Name[] = [
  ['white', 'white', '白色'],
  ['black', 'black', '黑色'],
  ['grey', 'grey', '灰色'],
  ['blue', 'blue', '藍色'],
  ['red', 'red', '紅色'],
  ['silver', 'silver', '銀色'],
  ['green', 'green', '綠色'],
  ['yellow', 'yellow', '黃色'],
  ['brown', 'brown', '棕色'],
];
const CLOTHES: readonly Name[] = [
  ['jacket', 'jacket', '外套'],
  ['coat', 'coat', '大衣'],
  ['hoodie', 'hoodie', '連帽衫'],
  ['shirt', 'shirt', '襯衫'],
  ['t-shirt', 't-shirt', 'T恤'],
  ['dress', 'dress', '洋裝'],
  ['cap', 'cap', '帽子'],
  ['uniform', 'uniform', '制服'],
  ['raincoat', 'raincoat', '雨衣'],
];
const VEHICLE_KINDS: readonly Name[] = [
  ['van', 'van', '廂型車'],
  ['sedan', 'sedan', '轎車'],
  ['suv', 'suv', '休旅車'],
  ['pickup', 'pickup', '小貨車'],
  ['taxi', 'taxi', '計程車'],
];

function weighted<T>(random: SeededRandom, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let x = random.next() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x < 0) return item;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}

function displayName([, en, zhHant]: Name) {
  return { en, zhHant };
}

/** `count` cameras (at most 40, the places above), each with one rule of every kind. */
export function syntheticCameras(count = 40, seed = 1): SyntheticCamera[] {
  const random = seededRandom(seed);
  return PLACES.slice(0, count).map(([id, name, aliases, weight]) => {
    const wire = random.pick(TRIPWIRES);
    const restricted = random.pick(RESTRICTED);
    const loiter = random.pick(LOITER_ZONES);
    const square = [[100, 100], [400, 100], [400, 400], [100, 400]] as const;
    const tripwire: TripwireRule = {
      name: wire[0],
      displayName: displayName(wire),
      a: [0, 300],
      b: [768, 300],
      direction: 'any',
      // Half the wires know which side is inside, so their summaries say inbound / outbound.
      ...(random.chance(0.5) ? { inbound: 'a_to_b' as const } : {}),
      minTrackAgeFrames: 2,
      hysteresisPx: 4,
    };
    const zones: ZoneRule[] = [
      { name: restricted[0], displayName: displayName(restricted), polygon: square, debounceFrames: 3, restricted: true },
      {
        name: loiter[0],
        displayName: displayName(loiter),
        polygon: square,
        debounceFrames: 3,
        restricted: false,
        loitering: { minSeconds: 30, maxSpeedPxPerSecond: 20, backAndForth: 0 },
      },
    ];
    const rules: CameraRules = {
      cameraId: id,
      cameraName: name,
      timeZone: SYNTHETIC_TIME_ZONE,
      frameWidth: 768,
      frameHeight: 576,
      zones,
      tripwires: [tripwire],
      objectSeenLabels: ['person', 'car', 'truck', 'bicycle', 'motorcycle', 'bus', 'dog', 'cat'],
      cooldownSeconds: 30,
      mergeSeconds: 5,
    };
    return { id, name, aliases, timeZone: SYNTHETIC_TIME_ZONE, rules, weight };
  });
}

export interface SyntheticEventOptions {
  seed: number;
  count: number;
  cameras: readonly SyntheticCamera[];
  /** Events start in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** The analysis run each camera's events belong to (default: 1 + the camera's index). */
  runIdOf?: (cameraId: string) => number;
}

/** Appearance words for one actor, English and Traditional Chinese, or none. */
function appearance(label: string, random: SeededRandom): string[] {
  const family = classFamily(label);
  if (family === 'person' && random.chance(0.45)) {
    const colour = random.pick(COLOURS);
    const clothes = random.pick(CLOTHES);
    return [colour[1], clothes[1], `${colour[2]}${clothes[2]}`];
  }
  if (family === 'vehicle' && random.chance(0.7)) {
    const colour = random.pick(COLOURS);
    const words = [colour[1], colour[2]];
    if ((label === 'car' || label === 'truck') && random.chance(0.35)) {
      const kind = random.pick(VEHICLE_KINDS);
      words.push(kind[1], kind[2]);
    }
    return words;
  }
  return [];
}

function actorsFor(type: EventType, random: SeededRandom, nextTrack: (label: string) => string): EventActor[] {
  const main = weighted(random, LABEL_WEIGHTS[type]);
  const labels = [main];
  const extra = random.next();
  if (extra < 0.03) labels.push(main, main);
  else if (extra < 0.1) labels.push(main);
  else if (extra < 0.14 && main === 'person') labels.push(random.pick(['bicycle', 'dog', 'car']));
  return labels.map((label) => ({ trackId: nextTrack(label), label, family: classFamily(label) }));
}

function durationMs(type: EventType, random: SeededRandom): number {
  switch (type) {
    case 'line_crossing':
      return random.chance(0.7) ? 0 : random.int(1, 4) * 1000;
    case 'intrusion':
      return random.int(3, 120) * 1000;
    case 'loitering':
      return Math.round(30 + 400 * random.next() ** 2) * 1000;
    case 'object_seen':
      return Math.round(3 + 300 * random.next() ** 3) * 1000;
  }
}

const EVIDENCE_KINDS: Readonly<Record<EventType, readonly EvidenceKind[]>> = {
  line_crossing: ['crossing', 'best_view'],
  intrusion: ['zone_enter', 'best_view', 'zone_exit'],
  loitering: ['zone_enter', 'loitering_confirmed', 'best_view'],
  object_seen: ['first_seen', 'best_view', 'last_seen'],
};

/** Local days in [fromMs, toMs), each with its share of `count` (weekends quieter, some noise). */
function eventsPerDay(options: SyntheticEventOptions, random: SeededRandom): Array<{ dayStartMs: number; n: number }> {
  const firstDay = Math.floor((options.fromMs + ZONE_OFFSET_MS) / DAY_MS) * DAY_MS - ZONE_OFFSET_MS;
  const days: Array<{ dayStartMs: number; weight: number }> = [];
  for (let d = firstDay; d < options.toMs; d += DAY_MS) {
    const weekday = new Date(d + ZONE_OFFSET_MS).getUTCDay();
    const inside = (Math.min(d + DAY_MS, options.toMs) - Math.max(d, options.fromMs)) / DAY_MS;
    days.push({ dayStartMs: d, weight: inside * (weekday === 0 || weekday === 6 ? 0.8 : 1) * random.uniform(0.7, 1.3) });
  }
  const total = days.reduce((sum, d) => sum + d.weight, 0);
  let cumulative = 0;
  let given = 0;
  return days.map((d) => {
    cumulative += d.weight;
    const upTo = Math.round((cumulative / total) * options.count);
    const n = upTo - given;
    given = upTo;
    return { dayStartMs: d.dayStartMs, n };
  });
}

/**
 * Exactly `count` events in start-time order. Lazy, so a million of them never sit in memory
 * at once; the same options always give the same events.
 */
export function* syntheticEvents(options: SyntheticEventOptions): Generator<StoredEvent> {
  const random = seededRandom(options.seed);
  const cameraWeights = options.cameras.map((c) => [c, c.weight] as const);
  const hourWeights = HOURLY.map((w, h) => [h, w] as const);
  const runIdOf = options.runIdOf ?? ((id: string) => 1 + options.cameras.findIndex((c) => c.id === id));
  const trackCounters = new Map<string, number>();
  const nextTrack = (cameraId: string) => (label: string) => {
    const key = `${cameraId}:${classFamily(label)}`;
    const n = (trackCounters.get(key) ?? 0) + 1;
    trackCounters.set(key, n);
    return `${FAMILY_ID_PREFIX[classFamily(label)]}${n}`;
  };

  for (const { dayStartMs, n } of eventsPerDay(options, random)) {
    const starts: number[] = [];
    for (let i = 0; i < n; i++) {
      let t: number;
      // Days cut by the span's ends draw again until the time falls inside it.
      do t = dayStartMs + weighted(random, hourWeights) * 3_600_000 + Math.floor(random.next() * 3_600_000);
      while (t < options.fromMs || t >= options.toMs);
      starts.push(t);
    }
    starts.sort((a, b) => a - b);
    for (const startMs of starts) {
      const camera = weighted(random, cameraWeights);
      yield syntheticEvent(camera, startMs, random, nextTrack(camera.id), runIdOf(camera.id), options.fromMs);
    }
  }
}

function syntheticEvent(
  camera: SyntheticCamera,
  startMs: number,
  random: SeededRandom,
  nextTrack: (label: string) => string,
  runId: number,
  runStartMs: number,
): StoredEvent {
  const type = weighted(random, TYPE_WEIGHTS);
  const actors = actorsFor(type, random, nextTrack);
  const first = actors[0] as EventActor;
  const { rules } = camera;
  const rule =
    type === 'object_seen'
      ? first.label
      : type === 'line_crossing'
        ? (rules.tripwires[0] as TripwireRule).name
        : ((type === 'intrusion' ? rules.zones[0] : rules.zones[1]) as ZoneRule).name;
  const endMs = startMs + durationMs(type, random);
  const frame = (ms: number) => Math.floor(((ms - runStartMs) * FPS) / 1000);
  const details: VigilEvent['details'] = {};
  if (type === 'line_crossing') {
    details.direction = random.chance(0.5) ? 'a_to_b' : 'b_to_a';
    const inbound = rules.tripwires[0]?.inbound;
    if (inbound !== undefined) details.inbound = details.direction === inbound;
  }
  if (type === 'loitering') {
    details.dwellSeconds = Math.round((endMs - startMs) / 1000);
    details.averageSpeedPxPerSecond = random.uniform(2, 18);
    details.midlineCrossings = random.int(0, 6);
  }
  const event: VigilEvent = {
    id: sanitizeId(`r${runId}-${type}-${rule}-${frame(startMs)}-${first.trackId}`),
    cameraId: camera.id,
    type,
    rule,
    status: 'closed',
    labels: [...new Set(actors.map((a) => a.label))],
    actors,
    startMs,
    endMs,
    startFrameIndex: frame(startMs),
    endFrameIndex: frame(endMs),
    evidence: [],
    snapshotFrameIndex: frame(startMs),
    summary: { en: '', zhHant: '' },
    keywords: [],
    details,
  };
  event.summary = summarizeEvent(event, rules);
  const looks = actors.flatMap((a) => appearance(a.label, random));
  event.keywords = [...new Set([...eventKeywords(event, rules), ...looks])];
  const ruleName = ruleDisplayName(type, rule, rules);
  event.evidence = EVIDENCE_KINDS[type].map((kind, i): Evidence => {
    const ms = i === 0 ? startMs : i === 1 ? Math.round((startMs + endMs) / 2) : endMs;
    const x = random.uniform(0, 600);
    const y = random.uniform(0, 400);
    return {
      kind,
      timestampMs: ms,
      frameIndex: frame(ms),
      trackId: first.trackId,
      box: { x1: x, y1: y, x2: x + random.uniform(30, 160), y2: y + random.uniform(60, 170) },
      score: random.uniform(0.45, 0.9),
      text: evidenceText({ kind, actor: first, ruleName, ...details }),
    };
  });
  const dir = `runs/run-${runId}/events/${event.id}`;
  return {
    runId,
    event,
    snapshotPath: `${dir}/snapshot.jpg`,
    thumbnails: Object.fromEntries(actors.map((a) => [a.trackId, `${dir}/${a.trackId}.jpg`])),
  };
}
