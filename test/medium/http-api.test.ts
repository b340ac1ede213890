import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import type { z } from 'zod';
import {
  camerasResponseSchema,
  errorBodySchema,
  eventDetailSchema,
  eventsPageSchema,
  healthSchema,
  searchResponseSchema,
} from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { seedDatabase } from '../support/seed-database.ts';

/** A response body read with the contract's schema: the test fails if the server strays from it. */
async function read<S extends z.ZodType>(schema: S, response: Response | Promise<Response>): Promise<z.output<S>> {
  return schema.parse(await (await response).json());
}
const ids = (page: { events: ReadonlyArray<{ id: string }> }) => page.events.map((e) => e.id);

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T = Date.UTC(2026, 10, 20, 14, 0, 0); // 22:00 in Asia/Taipei

let dir: string;
let loaded: LoadedConfig;
const opened: Array<ReturnType<typeof createVigil>> = [];

/** The HTTP app as `vigil serve` builds it, over the seeded data. */
function app(options: { token?: string } = {}) {
  const vigil = createVigil(loaded, { clock: { now: () => Date.UTC(2026, 10, 21, 7, 30, 0) }, logger: silent });
  opened.push(vigil);
  return vigil.httpApp(options.token);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-http-'));
  const config = `storage:\n  data_dir: data\nsearch:\n  timezone: Asia/Taipei\n  terms: { loitering: [蹲守] }\ncameras:\n  back:\n    name: Back door\n    aliases: [後門, back yard]\n    input: back.mp4\n    timezone: Asia/Taipei\n  gate:\n    input: gate.mp4\n`;
  loaded = { ...parseConfigText(config, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  const dataDir = loaded.config.storage.data_dir;
  await seedDatabase(
    dataDir,
    [
      storedEvent({ id: 'back-crossing-1', startMs: T + 5 * 60_000, en: 'Person p1 crossed the back-door line inbound at 22:05:00', zhHant: '人物 p1 於 22:05:00 由外向內穿越後門警戒線', snapshotPath: 'runs/run-1/events/back-crossing-1/snapshot.jpg' }),
      storedEvent({ id: 'back-loiter-1', type: 'loitering', rule: 'porch', startMs: T + 20 * 60_000, durationMs: 70_000, en: 'Person p2 loitered in porch for 70 s', zhHant: '人物 p2 在「門廊」徘徊 70 秒' }),
      storedEvent({ id: 'gate-van-1', cameraId: 'gate', type: 'object_seen', rule: 'car', labels: ['car'], startMs: T - 3 * 3600_000, en: 'Car v1 seen from 19:00:00 to 19:01:00', zhHant: '汽車 v1 於 19:00:00 至 19:01:00 出現' }),
      storedEvent({ id: 'xss-1', cameraId: 'gate', startMs: T + 30 * 60_000, en: '<img src=x onerror=alert(1)> crossed', zhHant: '<script>alert(1)</script>' }),
    ],
    cameraDirectory(loaded.config),
  );
  mkdirSync(join(dataDir, 'runs/run-1/events/back-crossing-1'), { recursive: true });
  writeFileSync(join(dataDir, 'runs/run-1/events/back-crossing-1/snapshot.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  writeFileSync(join(dataDir, 'secret.txt'), 'do not serve');
  symlinkSync(join(dataDir, 'secret.txt'), join(dataDir, 'runs/run-1/escape.jpg'));
});
afterAll(async () => {
  for (const vigil of opened) await vigil.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP API (in-process)', () => {
  it('reports health and cameras with their coverage', async () => {
    const a = app();
    const health = await read(healthSchema, a.request('/api/health'));
    expect(health).toEqual({ status: 'ok', version: expect.any(String), events: 4, cameras: 2 });
    const { cameras } = await read(camerasResponseSchema, a.request('/api/cameras'));
    expect(cameras.map((c) => [c.id, c.events])).toEqual([['back', 2], ['gate', 2]]);
    expect(cameras[0]).toMatchObject({ name: 'Back door', aliases: ['後門', 'back yard'], timezone: 'Asia/Taipei' });
  });

  it('lists, filters and pages events; one event by id; 404 for an unknown id', async () => {
    const a = app();
    const all = await read(eventsPageSchema, a.request('/api/events'));
    expect(all.total).toBe(4);
    expect(ids(all)).toEqual(['gate-van-1', 'back-crossing-1', 'back-loiter-1', 'xss-1']);
    const back = await read(eventsPageSchema, a.request('/api/events?camera=back&type=loitering'));
    expect(ids(back)).toEqual(['back-loiter-1']);
    const cars = await read(eventsPageSchema, a.request('/api/events?label=car'));
    expect(ids(cars)).toEqual(['gate-van-1']);
    const page = await read(eventsPageSchema, a.request('/api/events?limit=2&offset=1'));
    expect(page).toMatchObject({ total: 4 });
    expect(ids(page)).toEqual(['back-crossing-1', 'back-loiter-1']);
    const ranged = await read(eventsPageSchema, a.request(`/api/events?from=${encodeURIComponent('2026-11-20T22:00:00+08:00')}&to=2026-11-20T14:10:00Z`));
    expect(ids(ranged)).toEqual(['back-crossing-1']);

    const one = await a.request('/api/events/back-crossing-1');
    expect(one.status).toBe(200);
    const event = await read(eventDetailSchema, one);
    expect(event).toMatchObject({
      id: 'back-crossing-1',
      camera: 'back',
      camera_name: 'Back door',
      start: '2026-11-20T14:05:00.000Z',
      snapshot_url: '/api/media/runs/run-1/events/back-crossing-1/snapshot.jpg',
      summary: { en: 'Person p1 crossed the back-door line inbound at 22:05:00', zh_hant: '人物 p1 於 22:05:00 由外向內穿越後門警戒線', zh_hans: '人物 p1 于 22:05:00 由外向内穿越后门警戒线' },
    });
    // No frames were kept for the seeded events: the evidence says so rather than guessing a URL.
    expect(event.evidence[0]).toMatchObject({ kind: 'crossing', frame_index: 0, frame_url: null });
    const missing = await a.request('/api/events/nope');
    expect(missing.status).toBe(404);
    expect((await read(errorBodySchema, missing)).error.code).toBe('not_found');
  });

  it('rejects bad parameters with 400 naming the parameter', async () => {
    const a = app();
    for (const [query, message] of [
      ['limit=0', 'limit: expected a whole number from 1 to 500'],
      ['type=fire', 'type:'],
      ['from=yesterday', 'from: expected an ISO 8601 date'],
      ['color=red', 'unknown parameter "color"'],
    ] as const) {
      const response = await a.request(`/api/events?${query}`);
      expect(response.status).toBe(400);
      const body = await read(errorBodySchema, response);
      expect(body.error.code).toBe('invalid_argument');
      expect(body.error.message).toContain(message);
    }
    const nowhere = await a.request('/api/nowhere');
    expect(nowhere.status).toBe(404);
    expect((await read(errorBodySchema, nowhere)).error.code).toBe('not_found');
  });

  it('answers questions with interpretation, timeline and events', async () => {
    const a = app();
    const res = await a.request(`/api/search?q=${encodeURIComponent('昨天晚上10點到11點後門有沒有人徘徊？')}`);
    expect(res.status).toBe(200);
    const body = await read(searchResponseSchema, res);
    expect(body.interpretation).toMatchObject({
      from: '2026-11-20T14:00:00.000Z',
      to: '2026-11-20T15:00:00.000Z',
      cameras: ['back'],
      types: ['loitering'],
      language: 'zh-Hant',
    });
    expect(ids(body)).toEqual(['back-loiter-1']);
    expect(body.answer.text).toMatch(/^找到 1 個/);
    expect(body.timeline.lanes).toEqual([{ camera: 'back', camera_name: 'Back door', events: [{ id: 'back-loiter-1', type: 'loitering', start: '2026-11-20T14:20:00.000Z', end: '2026-11-20T14:21:10.000Z' }] }]);

    // A word added in the config (search.terms) works like the built-in ones.
    const custom = await read(searchResponseSchema, a.request(`/api/search?q=${encodeURIComponent('後門有人蹲守嗎')}`));
    expect(custom.interpretation).toMatchObject({ cameras: ['back'], types: ['loitering'] });
    expect(ids(custom)).toEqual(['back-loiter-1']);

    const english = await read(searchResponseSchema, a.request(`/api/search?q=${encodeURIComponent('anyone cross the back door line last night?')}`));
    expect(english.interpretation.language).toBe('en');
    expect(ids(english)).toContain('back-crossing-1');
  });

  it('serves media with cache headers and refuses every path outside runs/', async () => {
    const a = app();
    const ok = await a.request('/api/media/runs/run-1/events/back-crossing-1/snapshot.jpg');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(ok.headers.get('etag')).toBeTruthy();
    const again = await a.request('/api/media/runs/run-1/events/back-crossing-1/snapshot.jpg', { headers: { 'if-none-match': ok.headers.get('etag')! } });
    expect(again.status).toBe(304);
    for (const path of [
      '/api/media/vigil.db',
      '/api/media/secret.txt',
      '/api/media/runs/../secret.txt',
      '/api/media/runs/..%2fsecret.txt',
      '/api/media/runs/%2e%2e/secret.txt',
      '/api/media/runs/run-1/..%5c..%5csecret.txt',
      '/api/media/%2fetc%2fpasswd',
      '/api/media/runs/run-1/escape.jpg',
      '/api/media/runs/run-1/events/back-crossing-1/missing.jpg',
    ]) {
      const response = await a.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('do not serve');
    }
  });

  it('requires the token beyond localhost, as a header, or in the query for media only', async () => {
    const a = app({ token: 'a-long-enough-test-token' });
    const refused = await a.request('/api/events');
    expect(refused.status).toBe(401);
    expect((await read(errorBodySchema, refused)).error.code).toBe('unauthorized');
    expect((await a.request('/api/events', { headers: { authorization: 'Bearer wrong-token-of-same-size!!' } })).status).toBe(401);
    expect((await a.request('/api/events', { headers: { authorization: 'Bearer a-long-enough-test-token' } })).status).toBe(200);
    expect((await a.request('/api/media/runs/run-1/events/back-crossing-1/snapshot.jpg?token=a-long-enough-test-token')).status).toBe(200);
    expect((await a.request('/api/media/runs/run-1/events/back-crossing-1/snapshot.jpg?token=wrong-token-of-same-size!!')).status).toBe(401);
    expect((await a.request('/api/health')).status).toBe(200);
    // Anywhere else a token in the URL would land in logs, history and Referer headers: it does not count.
    for (const path of ['/api/events', '/api/events/back-crossing-1', '/api/search?q=x', '/api/openapi.json', '/metrics']) {
      const inQuery = await a.request(`${path}${path.includes('?') ? '&' : '?'}token=a-long-enough-test-token`);
      expect(inQuery.status, path).toBe(401);
      expect((await read(errorBodySchema, inQuery)).error.message, path).toContain('?token= counts only for /api/media/');
    }
    // A media-looking path that leads elsewhere does not carry the query token there.
    expect((await a.request('/api/media/../events?token=a-long-enough-test-token')).status).toBe(401);
    // On localhost no token is needed, and one in the query is ignored, not an unknown parameter.
    expect((await app().request('/api/events?token=anything')).status).toBe(200);
  });

  it('quotes at most 80 characters of what the request sent in an error message', async () => {
    const a = app();
    const long = 'x'.repeat(5000);
    const capped = `"${'x'.repeat(80)}…"`;
    for (const [path, status, message] of [
      [`/api/events/${long}`, 404, `no event with id ${capped}`],
      [`/api/analyze/latest/${long}`, 404, `no analysis for image_name ${capped} yet`],
      [`/api/events?${long}=1`, 400, `unknown parameter ${capped}`],
    ] as const) {
      const response = await a.request(path);
      expect(response.status, path.slice(0, 30)).toBe(status);
      const body = await read(errorBodySchema, response);
      expect(body.error.message).toBe(message);
      expect(JSON.stringify(body).length).toBeLessThan(400);
    }
    // Many unknown names: a few are listed, the rest counted.
    const many = Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&');
    expect((await read(errorBodySchema, a.request(`/api/events?${many}`))).error.message).toBe('unknown parameter "p0", "p1", "p2", "p3", "p4" and 35 more');
    // A body's unknown field names are capped the same way.
    const posted = await a.request('/api/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image_name: 'x', [long]: 1 }) });
    expect(posted.status).toBe(400);
    expect((await read(errorBodySchema, posted)).error.message).toBe(`unknown field ${capped}`);
  });

  it('refuses a time range that ends before it starts, naming both ends', async () => {
    const a = app();
    const from = encodeURIComponent('2026-11-21T08:00:00+08:00');
    const to = encodeURIComponent('2026-11-20');
    for (const path of [`/api/events?from=${from}&to=${to}`, `/api/search?q=&from=${from}&to=${to}`]) {
      const response = await a.request(path);
      expect(response.status, path).toBe(400);
      const body = await read(errorBodySchema, response);
      expect(body.error).toMatchObject({ code: 'invalid_argument', message: 'from (2026-11-21T00:00:00.000Z) is after to (2026-11-20T00:00:00.000Z): expected from <= to' });
    }
    // An instant (from = to) is a range, and so is a range with one end.
    expect((await a.request(`/api/events?from=${to}&to=${to}`)).status).toBe(200);
    expect((await a.request(`/api/search?q=&from=${from}`)).status).toBe(200);
  });

  it('describes itself with OpenAPI, with the validated parameters', async () => {
    const doc = (await (await app().request('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, { get: { parameters: Array<{ name: string }> } }> };
    expect(doc.openapi).toBe('3.1.0');
    const names = doc.paths['/api/search']?.get.parameters.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['q', 'from', 'to', 'camera', 'type', 'label', 'limit', 'lang']));
  });
});

describe('time words', () => {
  it('searches nothing when a time word is not read, and says which', async () => {
    for (const [q, words, start] of [
      ['anyone at the back door a fortnight ago?', ['a fortnight ago'], /^I could not read the time in "a fortnight ago"/],
      ['yesterday or today, anyone loitering?', ['today'], /^I could not read the time in "today"/],
      ['上上上週後門有人嗎', ['上上上週'], /^無法理解「上上上週」所指的時間/],
      // 10:50 or from 10 to 11: neither is guessed.
      ['anyone at the gate ten to eleven last night?', ['ten to eleven'], /^I could not read the time in "ten to eleven"/],
    ] as const) {
      const body = await read(searchResponseSchema, app().request(`/api/search?q=${encodeURIComponent(q)}`));
      expect(body.interpretation.unread_time, q).toEqual(words);
      expect(body.answer.text, q).toMatch(start);
      expect({ total: body.total, events: ids(body), lanes: body.timeline.lanes }, q).toEqual({ total: 0, events: [], lanes: [] });
    }
  });

  it('reads weeks counted back as the whole week, and prints a whole day as its date', async () => {
    // Now is Saturday 2026-11-21 15:30 in Taipei: "2 weeks ago" is Monday 11-02 to Sunday 11-08.
    const weeks = await read(searchResponseSchema, app().request(`/api/search?q=${encodeURIComponent('anyone 2 weeks ago?')}`));
    expect(weeks.interpretation).toMatchObject({ from: '2026-11-01T16:00:00.000Z', to: '2026-11-08T16:00:00.000Z', unread_time: [] });
    expect(weeks.interpretation.time_notes.join(' ')).toContain('2026-11-02 – 2026-11-08');

    const day = await read(searchResponseSchema, app().request(`/api/search?q=${encodeURIComponent('昨天後門有人徘徊嗎')}`));
    expect(day.answer.text).toContain('（2026-11-20，Back door）');
    expect(day.answer.text).not.toContain('00:00');
  });
});

describe('search details that matter at scale', () => {
  it('reads 有沒有人 as a question about a person, leaving no stray character as a search word', async () => {
    const body = await read(searchResponseSchema, app().request(`/api/search?q=${encodeURIComponent('後門有沒有人')}`));
    expect(body.interpretation).toMatchObject({ cameras: ['back'], labels: ['person'], terms: [] });
  });

  it('finds an event overlapping the start of a time range even though it started before it', async () => {
    // back-loiter-1 runs 22:20:00-22:21:10 Taipei; a range starting at 22:21 still overlaps it.
    const from = encodeURIComponent('2026-11-20T22:21:00+08:00');
    const to = encodeURIComponent('2026-11-20T22:25:00+08:00');
    const body = await read(searchResponseSchema, app().request(`/api/search?q=&from=${from}&to=${to}`));
    expect(ids(body)).toEqual(['back-loiter-1']);
  });
});
