/**
 * Fixture data for the mock API, shaped exactly like docs/api.md. The street events are copied from
 * an analysis of samples/vtest-street.mp4 (demo config); the "back" camera is made up and carries
 * hostile names on purpose, so the UI is always seen rendering markup-looking data as text.
 */

export interface Localized {
  en: string;
  zh_hant: string;
  zh_hans: string;
}

export interface MockEvent {
  id: string;
  camera: string;
  camera_name: string;
  type: 'line_crossing' | 'intrusion' | 'loitering' | 'object_seen';
  rule: string;
  status: 'open' | 'closed';
  start: string;
  end: string;
  labels: string[];
  actors: { track_id: string; label: string; family: string }[];
  summary: Localized;
  keywords: string[];
  details: Record<string, unknown>;
  evidence: {
    kind: string;
    time: string;
    frame_index: number;
    track_id: string;
    box: { x1: number; y1: number; x2: number; y2: number };
    score: number;
    text: Localized;
  }[];
  snapshot_url: string | null;
  thumbnails: Record<string, string>;
  frame_size: { width: number; height: number };
}

export interface MockCamera {
  id: string;
  name: string;
  aliases: string[];
  timezone: string;
  zones: string[];
  tripwires: string[];
}

export const HOSTILE_CAMERA_NAME = '<img src=x onerror="window.__xss=1">';
export const HOSTILE_ZONE_NAME = '<script>window.__xss=2</script>';

export const CAMERAS: MockCamera[] = [
  { id: 'street', name: 'Street (sample clip)', aliases: ['street', '街道'], timezone: 'Europe/Paris', zones: ['lawn', 'entrance'], tripwires: ['path'] },
  { id: 'back', name: HOSTILE_CAMERA_NAME, aliases: ['back', 'back door', '後門', '后门'], timezone: 'Asia/Taipei', zones: ['door'], tripwires: [] },
];

const L = (en: string, zh_hant: string, zh_hans = zh_hant): Localized => ({ en, zh_hant, zh_hans });

type EvidenceSpec = [kind: string, ms: number, frame: number, track: string, box: [number, number, number, number], text: Localized];

function event(spec: {
  id: string;
  camera: string;
  type: MockEvent['type'];
  rule: string;
  startMs: number;
  endMs: number;
  actors: string[];
  label?: string;
  summary: Localized;
  details?: Record<string, unknown>;
  evidence: EvidenceSpec[];
  thumbs?: string[];
}): MockEvent {
  const camera = CAMERAS.find((c) => c.id === spec.camera)!;
  const base = `/api/media/runs/run-1/events/${spec.id}`;
  const label = spec.label ?? 'person';
  return {
    id: spec.id,
    camera: camera.id,
    camera_name: camera.name,
    type: spec.type,
    rule: spec.rule,
    status: 'closed',
    start: new Date(spec.startMs).toISOString(),
    end: new Date(spec.endMs).toISOString(),
    labels: [label],
    actors: spec.actors.map((track_id) => ({ track_id, label, family: label === 'person' ? 'person' : 'vehicle' })),
    summary: spec.summary,
    keywords: [label, spec.type, spec.rule],
    details: spec.details ?? {},
    evidence: spec.evidence.map(([kind, ms, frame_index, track_id, [x1, y1, x2, y2], text]) => ({
      kind,
      time: new Date(ms).toISOString(),
      frame_index,
      track_id,
      box: { x1, y1, x2, y2 },
      score: 0.61,
      text,
    })),
    snapshot_url: `${base}/snapshot.jpg`,
    thumbnails: Object.fromEntries((spec.thumbs ?? spec.actors).map((a) => [a, `${base}/thumb-${a}.jpg`])),
    frame_size: { width: 768, height: 576 },
  };
}

const T0 = Date.parse('2026-11-20T21:00:00Z'); // 22:00:00 in Paris
const TB = Date.parse('2026-11-20T14:20:00Z'); // 22:20:00 in Taipei, "last night" for the back door

export const EVENTS: MockEvent[] = [
  event({
    id: 'street-r1-line_crossing-path-4-p3', camera: 'street', type: 'line_crossing', rule: 'path', startMs: T0 + 800, endMs: T0 + 800, actors: ['p3'],
    summary: L('Person p3 crossed the footpath line inbound at 22:00:00', '人物 p3 於 22:00:00 由外向內穿越步道警戒線', '人物 p3 于 22:00:00 由外向内穿越步道警戒线'),
    details: { direction: 'b_to_a', inbound: true },
    evidence: [
      ['crossing', T0 + 800, 4, 'p3', [301.7, 213.9, 336.3, 294.5], L('Person p3 crossed the footpath line inbound', '人物 p3 由外向內穿越步道警戒線', '人物 p3 由外向内穿越步道警戒线')],
      ['best_view', T0 + 800, 4, 'p3', [301.7, 213.9, 336.3, 294.5], L('Best view of person p3', '人物 p3 最清楚的畫面', '人物 p3 最清楚的画面')],
    ],
  }),
  event({
    id: 'street-r1-line_crossing-path-36-p8', camera: 'street', type: 'line_crossing', rule: 'path', startMs: T0 + 7200, endMs: T0 + 7200, actors: ['p8'],
    summary: L('Person p8 crossed the footpath line outbound at 22:00:07', '人物 p8 於 22:00:07 由內向外穿越步道警戒線', '人物 p8 于 22:00:07 由内向外穿越步道警戒线'),
    details: { direction: 'a_to_b', inbound: false },
    evidence: [['crossing', T0 + 7200, 36, 'p8', [270, 200, 305, 290], L('Person p8 crossed the footpath line outbound', '人物 p8 由內向外穿越步道警戒線', '人物 p8 由内向外穿越步道警戒线')]],
  }),
  event({
    id: 'street-r1-loitering-entrance-59-p6', camera: 'street', type: 'loitering', rule: 'entrance', startMs: T0 + 11800, endMs: T0 + 27000, actors: ['p6'],
    summary: L(
      'Person p6 loitered in entrance for 15 s (22:00:11–22:00:27), moving slowly (avg 14 px/s)',
      '人物 p6 於 22:00:11–22:00:27 在「入口」徘徊 15 秒',
      '人物 p6 于 22:00:11–22:00:27 在「入口」徘徊 15 秒',
    ),
    details: { dwellSeconds: 15.2, averageSpeedPxPerSecond: 14 },
    evidence: [
      ['zone_enter', T0 + 11800, 59, 'p6', [600, 90, 640, 190], L('Person p6 entered entrance', '人物 p6 進入「入口」', '人物 p6 进入「入口」')],
      ['loitering_confirmed', T0 + 26800, 134, 'p6', [610, 95, 650, 195], L('Person p6 stayed in entrance for 15 s', '人物 p6 在「入口」停留 15 秒', '人物 p6 在「入口」停留 15 秒')],
    ],
  }),
  event({
    id: 'street-r1-line_crossing-path-86-p17', camera: 'street', type: 'line_crossing', rule: 'path', startMs: T0 + 17200, endMs: T0 + 31000,
    actors: ['p17', 'p14', 'p18', 'p21', 'p22', 'p23'], thumbs: ['p14', 'p17', 'p18', 'p21', 'p22', 'p23'],
    summary: L(
      '6 people (p17, p14, p18, p21, p22, p23) crossed the footpath line outbound between 22:00:17 and 22:00:31',
      '人物 p17、p14、p18、p21、p22、p23 於 22:00:17 至 22:00:31 間 由內向外穿越步道警戒線',
      '人物 p17、p14、p18、p21、p22、p23 于 22:00:17 至 22:00:31 间 由内向外穿越步道警戒线',
    ),
    details: { direction: 'a_to_b', inbound: false },
    evidence: [
      ['crossing', T0 + 17200, 86, 'p17', [280, 190, 320, 280], L('Person p17 crossed the footpath line outbound', '人物 p17 由內向外穿越步道警戒線', '人物 p17 由内向外穿越步道警戒线')],
      ['crossing', T0 + 24000, 120, 'p18', [282, 200, 318, 290], L('Person p18 crossed the footpath line outbound', '人物 p18 由內向外穿越步道警戒線', '人物 p18 由内向外穿越步道警戒线')],
    ],
  }),
  event({
    id: 'street-r1-intrusion-lawn-254-p35', camera: 'street', type: 'intrusion', rule: 'lawn', startMs: T0 + 50800, endMs: T0 + 78600, actors: ['p35', 'p36', 'p38', 'p47'],
    summary: L(
      '4 people (p35, p36, p38, p47) entered the restricted zone lawn at 22:00:50 and stayed 28 s',
      '人物 p35、p36、p38、p47 於 22:00:50 闖入禁區「草坪」，停留 28 秒',
      '人物 p35、p36、p38、p47 于 22:00:50 闯入禁区「草坪」，停留 28 秒',
    ),
    details: { dwellSeconds: 27.8 },
    evidence: [
      ['zone_enter', T0 + 50800, 254, 'p35', [653.6, 448.3, 760.7, 575.4], L('Person p35 entered lawn', '人物 p35 進入「草坪」', '人物 p35 进入「草坪」')],
      ['zone_enter', T0 + 53800, 269, 'p36', [239.2, 396.7, 302.4, 531.3], L('Person p36 entered lawn', '人物 p36 進入「草坪」', '人物 p36 进入「草坪」')],
      ['zone_exit', T0 + 60200, 301, 'p35', [462.6, 303.4, 510.5, 414.6], L('Person p35 left lawn', '人物 p35 離開「草坪」', '人物 p35 离开「草坪」')],
      ['zone_exit', T0 + 78600, 393, 'p47', [392.3, 263.7, 437.2, 371.0], L('Person p47 left lawn', '人物 p47 離開「草坪」', '人物 p47 离开「草坪」')],
    ],
  }),
  event({
    id: 'street-r1-line_crossing-path-330-p37', camera: 'street', type: 'line_crossing', rule: 'path', startMs: T0 + 66000, endMs: T0 + 78600,
    actors: ['p37', 'p45', 'p47', 'p46', 'p49'],
    summary: L(
      '5 people (p37, p45, p47, p46, p49) crossed the footpath line outbound between 22:01:06 and 22:01:18',
      '人物 p37、p45、p47、p46、p49 於 22:01:06 至 22:01:18 間 由內向外穿越步道警戒線',
      '人物 p37、p45、p47、p46、p49 于 22:01:06 至 22:01:18 间 由内向外穿越步道警戒线',
    ),
    details: { direction: 'a_to_b', inbound: false },
    evidence: [['crossing', T0 + 66000, 330, 'p37', [285, 195, 318, 285], L('Person p37 crossed the footpath line outbound', '人物 p37 由內向外穿越步道警戒線', '人物 p37 由内向外穿越步道警戒线')]],
  }),
  // The made-up back door, with a zone whose display name is markup.
  event({
    id: 'back-r2-loitering-door-40-p2', camera: 'back', type: 'loitering', rule: 'door', startMs: TB + 61_000, endMs: TB + 156_000, actors: ['p2'],
    summary: L(
      `Person p2 loitered in ${HOSTILE_ZONE_NAME} for 95 s (22:21:01–22:22:36), moving slowly (avg 3 px/s)`,
      `人物 p2 於 22:21:01–22:22:36 在「${HOSTILE_ZONE_NAME}」徘徊 95 秒`,
      `人物 p2 于 22:21:01–22:22:36 在「${HOSTILE_ZONE_NAME}」徘徊 95 秒`,
    ),
    details: { dwellSeconds: 95, averageSpeedPxPerSecond: 3 },
    evidence: [
      ['zone_enter', TB + 61_000, 40, 'p2', [320, 200, 400, 420], L(`Person p2 entered ${HOSTILE_ZONE_NAME}`, `人物 p2 進入「${HOSTILE_ZONE_NAME}」`, `人物 p2 进入「${HOSTILE_ZONE_NAME}」`)],
      ['loitering_confirmed', TB + 91_000, 190, 'p2', [330, 210, 405, 425], L('Person p2 stayed for 30 s', '人物 p2 停留 30 秒', '人物 p2 停留 30 秒')],
    ],
  }),
  event({
    id: 'back-r2-object_seen-car-12-v1', camera: 'back', type: 'object_seen', rule: 'car', startMs: TB + 20_000, endMs: TB + 44_000, actors: ['v1'], label: 'car',
    summary: L('Car v1 seen from 22:20:20 to 22:20:44', '汽車 v1 於 22:20:20 至 22:20:44 出現', '汽车 v1 于 22:20:20 至 22:20:44 出现'),
    evidence: [['first_seen', TB + 20_000, 12, 'v1', [100, 250, 420, 470], L('Car v1 first seen', '汽車 v1 首次出現', '汽车 v1 首次出现')]],
  }),
];

/** Model-written text that is markup: it must show as text, and nothing of it may run. */
export const HOSTILE_SCENE = '<img src=x onerror=alert(1)>';
export const HOSTILE_REASON = '<img src=x onerror="window.__xss=3">';
export const HOSTILE_RAW = '{"scene": "<script>window.__xss=4</script> a person by the line", "actions": [<b>oops</b>';

export interface MockDescriptionJson {
  scene: string;
  actions: string[];
  attributes: {
    people?: { id?: string; clothing_colors?: string[]; clothing?: string; carrying?: string[] }[];
    vehicles?: { id?: string; type?: string; color?: string }[];
  };
  suspicion: { score: number; reasons: string[] };
  uncertain: string[];
  summaries: { en?: string; 'zh-Hant'?: string; 'zh-Hans'?: string };
}

/** `description` of `GET /api/events/:id` (docs/api.md); null means no descriptions model is configured. */
export interface MockDescriptionState {
  status: 'none' | 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  requested_by: 'auto' | 'manual' | null;
  last_error: string | null;
  next_attempt_at: string | null;
  description: null | {
    provider: string;
    model: string;
    created_at: string;
    flagged: boolean;
    json: MockDescriptionJson | null;
    raw_text: string | null;
  };
}

const VISION = { provider: 'ollama', model: 'qwen2.5vl:7b' };

export function doneDescription(json: MockDescriptionJson, createdMs: number, requestedBy: 'auto' | 'manual' = 'auto'): MockDescriptionState {
  return {
    status: 'done',
    attempts: 1,
    requested_by: requestedBy,
    last_error: null,
    next_attempt_at: null,
    description: { ...VISION, created_at: new Date(createdMs).toISOString(), flagged: false, json, raw_text: null },
  };
}

/**
 * One of each state the UI shows. Events not listed here were never described (`none`); the
 * last street crossing stands for a server without a descriptions model (`null`).
 */
export const DESCRIPTIONS: Record<string, MockDescriptionState | null> = {
  'street-r1-line_crossing-path-4-p3': doneDescription(
    {
      scene: `A paved footpath at night beside a lawn; a sign reads ${HOSTILE_SCENE}`,
      actions: ['walks from the road towards the building', 'crosses the footpath line'],
      attributes: { people: [{ id: 'p3', clothing_colors: ['dark blue', 'white'], clothing: 'hooded jacket, jeans', carrying: ['backpack'] }] },
      suspicion: { score: 22, reasons: ['walks at a normal pace along the path', `carries something labelled ${HOSTILE_REASON}`] },
      uncertain: ['the face is not visible', 'whether the backpack is full'],
      summaries: {
        en: 'A person in a dark hooded jacket with a backpack crosses the footpath towards the building.',
        'zh-Hant': '一名穿深色連帽外套、背著背包的人穿越步道走向建築物。',
        'zh-Hans': '一名穿深色连帽外套、背着背包的人穿越步道走向建筑物。',
      },
    },
    T0 + 95_000,
  ),
  'street-r1-line_crossing-path-36-p8': {
    status: 'done',
    attempts: 2,
    requested_by: 'auto',
    last_error: null,
    next_attempt_at: null,
    description: { ...VISION, created_at: new Date(T0 + 120_000).toISOString(), flagged: true, json: null, raw_text: HOSTILE_RAW },
  },
  'street-r1-loitering-entrance-59-p6': {
    status: 'queued',
    attempts: 2,
    requested_by: 'auto',
    last_error: 'the model is unreachable (provider_unavailable): connect ECONNREFUSED 127.0.0.1:11434',
    next_attempt_at: new Date(T0 + 300_000).toISOString(),
    description: null,
  },
  'street-r1-line_crossing-path-86-p17': {
    status: 'failed',
    attempts: 1,
    requested_by: 'manual',
    last_error: `the model rejected the request (provider_bad_request): image too large ${HOSTILE_ZONE_NAME}`,
    next_attempt_at: null,
    description: null,
  },
  'street-r1-intrusion-lawn-254-p35': { status: 'running', attempts: 1, requested_by: 'auto', last_error: null, next_attempt_at: null, description: null },
  'street-r1-line_crossing-path-330-p37': null,
  'back-r2-loitering-door-40-p2': doneDescription(
    {
      scene: `A back door under a porch light; a person stands by ${HOSTILE_ZONE_NAME}`,
      actions: ['stands by the door', 'looks at the lock', 'walks away'],
      attributes: { people: [{ id: 'p2', clothing_colors: ['black'], clothing: 'long coat', carrying: [] }, { clothing_colors: ['grey'] }] },
      suspicion: { score: 78, reasons: ['stays at the door for over a minute late at night', 'looks at the lock several times', HOSTILE_REASON] },
      uncertain: [],
      // Only Traditional Chinese: English and Simplified fall back to it.
      summaries: { 'zh-Hant': '一名穿黑色長大衣的人在後門徘徊超過一分鐘，多次查看門鎖。' },
    },
    TB + 200_000,
    'manual',
  ),
};

/** What "Describe now" writes for an event that had no description yet. */
export function freshDescription(event: MockEvent, nowMs: number): MockDescriptionState {
  const vehicle = event.labels.includes('car');
  return doneDescription(
    {
      scene: vehicle ? 'A driveway by the back door, lit by a street lamp.' : 'A footpath beside a lawn.',
      actions: vehicle ? ['drives in slowly', 'stops by the door', 'drives off'] : ['walks along the path'],
      attributes: vehicle ? { vehicles: [{ id: event.actors[0]?.track_id ?? 'v1', type: 'van', color: 'white' }] } : { people: event.actors.map((a) => ({ id: a.track_id })) },
      suspicion: { score: vehicle ? 41 : 8, reasons: vehicle ? ['stops by the door at night with the engine running'] : [] },
      uncertain: vehicle ? ['the number plate is not readable'] : [],
      summaries: {
        en: vehicle ? 'A white van stops briefly by the back door and drives off.' : 'A person walks along the footpath.',
        'zh-Hant': vehicle ? '一輛白色廂型車在後門短暫停留後離開。' : '一名行人沿步道行走。',
        'zh-Hans': vehicle ? '一辆白色厢型车在后门短暂停留后离开。' : '一名行人沿步道行走。',
      },
    },
    nowMs,
    'manual',
  );
}
