/**
 * The web UI's client (web/src/api.ts) against the real HTTP app, in-process: it reads every
 * response the server gives through the shared contract, and keeps the UI's leniency where a part
 * of a response must not sink the page (an unreadable live state, a description JSON it cannot read).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { createApiClient, type ApiClient } from '../../web/src/api.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T = Date.UTC(2026, 10, 20, 14, 0, 0);
const noTokens = { get: () => null, set: () => {}, clear: () => {} };

let dir: string;
let loaded: LoadedConfig;
let vigil: ReturnType<typeof createVigil> | undefined;

function client(fetch: (path: string, init?: RequestInit) => Response | Promise<Response>): ApiClient {
  return createApiClient({ tokens: noTokens, askToken: async () => null, fetch: (input, init) => Promise.resolve(fetch(String(input), init)) });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-web-client-'));
  const text = `storage:\n  data_dir: data\ncameras:\n  back:\n    name: Back door\n    input: back.mp4\n    timezone: Asia/Taipei\n`;
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  await seedDatabase(
    loaded.config.storage.data_dir,
    [storedEvent({ id: 'back-crossing-1', startMs: T, en: 'Person p1 crossed the back-door line at 22:00:00', zhHant: '人物 p1 於 22:00:00 穿越後門警戒線' })],
    cameraDirectory(loaded.config),
  );
});
afterAll(async () => {
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web client over the real API', () => {
  it('reads cameras, a search and an event as the server gives them', async () => {
    vigil = createVigil(loaded, { logger: silent, clock: { now: () => T + 3_600_000 } });
    const http = vigil.httpApp();
    const api = client((path, init) => http.request(path, init));
    expect((await api.cameras()).map((c) => [c.id, c.name, c.live])).toEqual([['back', 'Back door', null]]);
    const found = await api.search({ q: '後門有人嗎' });
    expect(found.events.map((e) => e.id)).toEqual(['back-crossing-1']);
    const event = await api.event('back-crossing-1');
    expect(event).toMatchObject({ id: 'back-crossing-1', description: null, summary: { zh_hans: '人物 p1 于 22:00:00 穿越后门警戒线' } });
    await expect(api.event('nope')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(api.search({ q: '', from: 'yesterday' })).rejects.toMatchObject({ status: 400, code: 'invalid_argument' });
  });
});

describe('the web client’s leniency', () => {
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const camera = { id: 'door', name: 'Door', aliases: [], timezone: 'UTC', zones: [], tripwires: [], events: 0, first_event: null, last_event: null, analysed_until: null };

  it('shows a live state it cannot read as unknown, and keeps the camera', async () => {
    const cameras = await client(() => json({ cameras: [{ ...camera, live: { status: 'streaming', input_fps: 'fast' } }] })).cameras();
    expect(cameras[0]?.live).toMatchObject({ status: 'unknown', connected: false });
  });

  it('shows a description JSON it cannot read as flagged raw text', async () => {
    const description = { provider: 'p', model: 'm', created_at: null, flagged: false, raw_text: null, json: { scene: 42 } };
    const state = await client(() => json({ status: 'done', attempts: 1, requested_by: 'manual', last_error: null, next_attempt_at: null, description })).regenerateDescription('x');
    expect(state.description).toMatchObject({ flagged: true, json: null, raw_text: JSON.stringify({ scene: 42 }, null, 2) });
  });

  it('names the first field that does not fit when a response is not the contract’s', async () => {
    await expect(client(() => json({ cameras: [{ ...camera, events: 'many', live: null }] })).cameras()).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringContaining('cameras[0].events'),
    });
  });
});
