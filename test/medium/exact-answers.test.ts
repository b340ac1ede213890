import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { searchResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T = Date.parse('2026-11-20T21:00:00+08:00');
const MIN = 60_000;

// The gate's tripwire: side A is the parking lot, side B the lobby; a_to_b (into the lobby) is inbound.
// Another camera is called 大廳 (lobby) too, to check that 走進大廳 is read as the side, not the camera.
const CONFIG = `
storage: { data_dir: data }
search: { timezone: Asia/Taipei }
cameras:
  gate:
    name: Gate
    aliases: [大門]
    input: gate.mp4
    tripwires:
      gate_line:
        points: [[0, 300], [768, 300]]
        inbound: a_to_b
        display_name: gate line
        display_name_zh: 門口警戒線
        side_a: { name: parking lot, name_zh: 停車場, aliases: [car park] }
        side_b: { name: lobby, name_zh: 大廳 }
    zones:
      server_room: { points: [[0, 0], [100, 0], [100, 100]], restricted: true, display_name: server room, display_name_zh: 機房 }
  hall:
    name: Hall camera
    aliases: [大廳]
    input: hall.mp4
`;

const crossing = (id: string, minute: number, direction: 'a_to_b' | 'b_to_a') =>
  storedEvent({
    id,
    cameraId: 'gate',
    rule: 'gate_line',
    startMs: T + minute * MIN,
    details: { direction, inbound: direction === 'a_to_b' },
    en: `Person ${id} crossed the gate line ${direction === 'a_to_b' ? 'from parking lot to lobby' : 'from lobby to parking lot'}`,
    zhHant: `人物 ${id} ${direction === 'a_to_b' ? '從停車場往大廳' : '從大廳往停車場'}穿越門口警戒線`,
  });

/** Two people crossing into the lobby together: one event, two crossings. */
function together() {
  const stored = crossing('in-pair', 30, 'a_to_b');
  const event = stored.event;
  event.labels = ['person'];
  event.actors = [
    { trackId: 'p3', label: 'person', family: 'person' },
    { trackId: 'p4', label: 'person', family: 'person' },
  ];
  const first = event.evidence[0]!;
  event.evidence = [{ ...first, trackId: 'p3' }, { ...first, trackId: 'p4', timestampMs: first.timestampMs + 2_000 }];
  return stored;
}

let dir: string;
let loaded: LoadedConfig;
let vigil: ReturnType<typeof createVigil>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-exact-answers-'));
  loaded = { ...parseConfigText(CONFIG, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  await seedDatabase(
    loaded.config.storage.data_dir,
    [
      together(),
      crossing('in-1', 1, 'a_to_b'),
      crossing('out-1', 5, 'b_to_a'),
      crossing('in-2', 20, 'a_to_b'),
      crossing('out-2', 40, 'b_to_a'),
      storedEvent({ id: 'intrusion-1', cameraId: 'gate', type: 'intrusion', rule: 'server_room', startMs: T + 50 * MIN, durationMs: 10_000, en: 'Person p9 entered the restricted zone server room', zhHant: '人物 p9 闖入禁區「機房」' }),
      storedEvent({ id: 'intrusion-short', cameraId: 'gate', type: 'intrusion', rule: 'server_room', startMs: T + 60 * MIN, durationMs: 2_000, stays: [2], en: 'Person p11 entered the restricted zone server room and stayed 2 s', zhHant: '人物 p11 闖入禁區「機房」，停留 2 秒' }),
      storedEvent({ id: 'intrusion-long', cameraId: 'gate', type: 'intrusion', rule: 'server_room', startMs: T + 70 * MIN, durationMs: 130_000, stays: [130], en: 'Person p12 entered the restricted zone server room and stayed 130 s', zhHant: '人物 p12 闖入禁區「機房」，停留 130 秒' }),
      storedEvent({ id: 'loiter-2', cameraId: 'hall', type: 'loitering', rule: 'bench', labels: ['person', 'person'], startMs: T + 80 * MIN, durationMs: 90_000, stays: [90, 40], en: '2 people (p1, p2) loitered in bench for 90 s', zhHant: '人物 p1、p2 在「長椅」徘徊 90 秒' }),
      storedEvent({ id: 'loiter-1', cameraId: 'hall', type: 'loitering', rule: 'bench', startMs: T + 55 * MIN, en: 'Person p10 loitered in bench for 60 s', zhHant: '人物 p10 在「長椅」徘徊 60 秒' }),
    ],
    cameraDirectory(loaded.config),
  );
  vigil = createVigil(loaded, { clock: { now: () => T + 2 * 3_600_000 }, logger: silent });
});
afterAll(async () => {
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(q: string) {
  const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent(q)}`)).json());
  return {
    ids: body.events.map((e) => e.id).sort(),
    directions: body.interpretation.directions,
    terms: body.interpretation.terms,
    cameras: body.interpretation.cameras,
    unknownPlaces: body.interpretation.unknown_places,
    answer: body.answer.text,
    total: body.total,
  };
}

describe('questions about one direction of a crossing', () => {
  it.each([
    ['有誰從停車場走進大廳', ['in-1', 'in-2', 'in-pair'], [{ camera: 'gate', rule: 'gate_line', direction: 'a_to_b' }]],
    ['有人从大厅走回停车场吗', ['out-1', 'out-2'], [{ camera: 'gate', rule: 'gate_line', direction: 'b_to_a' }]],
    ['who walked from the car park into the lobby', ['in-1', 'in-2', 'in-pair'], [{ camera: 'gate', rule: 'gate_line', direction: 'a_to_b' }]],
    ['did anyone go back to the parking lot?', ['out-1', 'out-2'], [{ camera: 'gate', rule: 'gate_line', direction: 'b_to_a' }]],
    ['who came in through the gate', ['in-1', 'in-2', 'in-pair'], [{ inbound: true }]],
    ['who went out', ['out-1', 'out-2'], [{ inbound: false }]],
    ['有人出去嗎', ['out-1', 'out-2'], [{ inbound: false }]],
    ['有人進來嗎', ['in-1', 'in-2', 'in-pair'], [{ inbound: true }]],
  ] as const)('%s', async (q, ids, directions) => {
    const answer = await ask(q);
    expect(answer.ids).toEqual([...ids]);
    expect(answer.total).toBe(ids.length);
    expect(answer.directions).toEqual(directions);
  });

  it('reads a side named like a camera as the side when a word of direction comes before it', async () => {
    expect((await ask('有誰從停車場走進大廳')).cameras).toEqual([]);
    // Without one, it is the camera.
    expect((await ask('大廳有人嗎')).cameras).toEqual(['hall']);
  });

  it('leaves entering a zone to the zone: no crossing direction for an intrusion question', async () => {
    const answer = await ask('有人進入禁區嗎');
    expect(answer.directions).toEqual([]);
    expect(answer.ids).toEqual(['intrusion-1', 'intrusion-long', 'intrusion-short']);
  });

  it('leaves entering a named zone to the zone, though the camera has a way in', async () => {
    for (const q of ['who entered the server room', '誰進入了機房', '谁进入了机房']) {
      const answer = await ask(q);
      expect(answer.directions).toEqual([]);
      // The entering is the zone's: not a word its events must contain (they say 闖入, "entered").
      expect(answer.terms.filter((t) => /enter|進入|进入/.test(t)), q).toEqual([]);
      expect(answer.ids).toEqual(['intrusion-1', 'intrusion-long', 'intrusion-short']);
    }
  });

  it('keeps the "in" of "came in" when a time phrase follows it ("came in today")', async () => {
    const answer = await ask('who came in today');
    expect(answer.directions).toEqual([{ inbound: true }]);
    expect(answer.ids).toEqual(['in-1', 'in-2', 'in-pair']);
  });
});

describe('places', () => {
  it('says that a place no camera, zone or line is called is unknown, and lists nothing', async () => {
    const answer = await ask('did anyone loiter by the loading dock?');
    expect(answer).toMatchObject({ ids: [], total: 0, unknownPlaces: ['loading dock'] });
    expect(answer.answer).toBe('No camera, zone or line is called "loading dock", and no event mentions it, so nothing was found. The cameras are: Gate, Hall camera.');
  });

  it('answers none for a known place without such events, instead of events from elsewhere', async () => {
    const answer = await ask('anyone loitering in the server room?');
    expect(answer).toMatchObject({ ids: [], total: 0, unknownPlaces: [] });
  });

  it('names the label when there is none of it', async () => {
    expect((await ask('any dogs?')).answer).toBe('No matching dog events.');
    expect((await ask('有狗嗎')).answer).toBe('沒有找到狗的事件。');
  });

  it('knows rooms and basements as places in Chinese too', async () => {
    expect(await ask('有人在地下室嗎')).toMatchObject({ ids: [], total: 0, unknownPlaces: ['地下室'] });
    expect(await ask('儲藏室有人嗎')).toMatchObject({ ids: [], total: 0, unknownPlaces: ['儲藏室'] });
    // Quoted as written: the Traditional reader reads 儲藏室 back, not the Simplified form searched.
    expect((await ask('儲藏室有人嗎')).answer).toContain('「儲藏室」');
  });

  it('still drops filler words that match nothing when they name no place', async () => {
    const answer = await ask('did anybody loiter whatsoever?');
    expect(answer).toMatchObject({ ids: ['loiter-1', 'loiter-2'], unknownPlaces: [] });
  });
});

describe('how long people stayed', () => {
  it.each([
    ['who stayed longer than 45 seconds', ['intrusion-long', 'loiter-2'], { op: 'gt', seconds: 45 }],
    ['有人闖入機房不到3秒就走了嗎', ['intrusion-short'], { op: 'lt', seconds: 3 }],
    ['anyone loitering for more than a minute?', ['loiter-2'], { op: 'gt', seconds: 60 }],
    // p1 stayed exactly 90 s: not more than 90.
    ['徘徊超過一分半鐘', [], { op: 'gt', seconds: 90 }],
    ['徘徊一分半以上', ['loiter-2'], { op: 'gte', seconds: 90 }],
    // p2's own 40 s, though the event lasted 90 s; loiter-1 keeps no stays and lasted 0 s.
    ['anyone loitering for under 45 seconds', ['loiter-1', 'loiter-2'], { op: 'lt', seconds: 45 }],
    ['intrusions of 2 minutes or more', ['intrusion-long'], { op: 'gte', seconds: 120 }],
    // 停留 with a duration is how long, not loitering: the intrusion zone's stays answer it.
    ['在機房停留不到5秒的人', ['intrusion-short'], { op: 'lt', seconds: 5 }],
    ['在机房待了超过一分钟', ['intrusion-long'], { op: 'gt', seconds: 60 }],
  ] as const)('%s', async (q, ids, stay) => {
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent(q)}`)).json());
    expect(body.interpretation.stay).toEqual(stay);
    expect(body.events.map((e) => e.id).sort()).toEqual([...ids]);
  });

  it("lists each person's own stay with the event", async () => {
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent('anyone loitering for more than a minute?')}`)).json());
    expect(body.events[0]?.actors.map((a) => [a.track_id, a.stay_seconds])).toEqual([
      ['p1', 90],
      ['p2', 40],
    ]);
  });
});

describe('how many', () => {
  const counted = async (q: string) => {
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent(q)}`)).json());
    return { count: body.count, answer: body.answer.text, events: body.total };
  };

  it('counts crossings, two people crossing together as two', async () => {
    // in-1 (p1), in-2 (p1 of another event), in-pair (p3, p4), out-1, out-2: 6 crossings in 5 events.
    const times = await counted('how many times did someone cross the gate line?');
    expect(times.count).toEqual({ kind: 'times', value: 6, exact: true });
    expect(times.answer).toMatch(/^6 times\. Found 5 line crossing events/);
    const inbound = await counted('門口警戒線有幾次有人進來');
    expect(inbound.count).toEqual({ kind: 'times', value: 4, exact: true });
    expect(inbound.answer).toMatch(/^共 4 次。找到 3 個越線事件/);
  });

  it('counts people once each, by run and track', async () => {
    // Seeded one run per camera: p1 of in-1 and p1 of in-2 are one track id in one run, counted once.
    const people = await counted('how many people came in?');
    expect(people.count).toEqual({ kind: 'actors', value: 3, exact: true });
    expect(people.answer).toMatch(/^3 people\./);
    const zh = await counted('有幾個人進來');
    expect(zh.answer).toMatch(/^共 3 人。/);
  });

  it("counts only the people whose own stay passes the question's test", async () => {
    // loiter-2: p1 90 s and p2 40 s; only p1 stayed longer than a minute.
    const long = await counted('how many people loitered for more than a minute?');
    expect(long.count).toEqual({ kind: 'actors', value: 1, exact: true });
  });

  it('answers zero with the number too', async () => {
    const none = await counted('how many dogs?');
    expect(none.count).toEqual({ kind: 'actors', value: 0, exact: true });
    expect(none.answer).toMatch(/^0 dogs\./);
  });
});

describe('together', () => {
  it.each([
    ['were several people there together?', ['in-pair', 'loiter-2'], 2],
    ['有人一起徘徊嗎', ['loiter-2'], 2],
    ['a group of 3 at the gate', [], 3],
  ] as const)('%s', async (q, ids, minActors) => {
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent(q)}`)).json());
    expect(body.interpretation.min_actors).toBe(minActors);
    expect(body.events.map((e) => e.id).sort()).toEqual([...ids]);
  });
});

describe('the earliest, the latest, the longest', () => {
  it.each([
    ['who was the earliest to come in?', 'in-1', 'earliest', /^The earliest of 3\. Found 1 line crossing event/],
    ['最晚進來的人', 'in-pair', 'latest', /^3 個中最晚的一個。找到 1 個越線事件/],
    ['who stayed the longest in the server room?', 'intrusion-long', 'longest', /^The longest stay of 3\./],
    ['the shortest intrusion', 'intrusion-short', 'shortest', /^The shortest stay of 3\./],
  ] as const)('%s', async (q, id, extreme, answer) => {
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent(q)}`)).json());
    expect(body.interpretation.extreme).toBe(extreme);
    expect({ ids: body.events.map((e) => e.id), total: body.total }).toEqual({ ids: [id], total: 1 });
    expect(body.answer.text).toMatch(answer);
  });
});

describe('words one reader takes are not taken from the others', () => {
  it('takes "last" as a word, not out of "plastic"', async () => {
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent('who came last with a plastic bag')}`)).json());
    expect(body.interpretation.extreme).toBe('latest');
    expect(body.interpretation.terms).toContain('plastic');
  });

  it('reads entering words as a crossing direction only where a tripwire says which way is in', async () => {
    // The hall camera has no tripwire: 進來 stays a word about zones.
    const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?q=${encodeURIComponent('大廳有人進來嗎')}`)).json());
    expect(body.interpretation).toMatchObject({ cameras: ['hall'], directions: [] });
  });
});
