import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import type { z } from 'zod';
import { descriptionStateSchema, eventDetailSchema, searchResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
/** A response body read with the contract's schema: the test fails if the server strays from it. */
async function read<S extends z.ZodType>(schema: S, response: Response | Promise<Response>): Promise<z.output<S>> {
  return schema.parse(await (await response).json());
}

let dir: string;
let ollama: FakeLlmServer;
let loaded: LoadedConfig;
const T = Date.UTC(2026, 10, 20, 14, 5, 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-describe-'));
  ollama = await startFakeLlmServer();
  // genai.enabled is off and the camera's genai is off: regenerate must work anyway.
  const text = `storage:\n  data_dir: data\ngenai:\n  provider: ollama\n  model: "qwen2.5vl:7b"\n  base_url: "${ollama.url}"\ncameras:\n  back:\n    input: back.mp4\n    genai: { enabled: false }\n`;
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  const dataDir = loaded.config.storage.data_dir;
  const snapshot = 'runs/run-1/events/back-crossing-1/snapshot.jpg';
  const thumb = 'runs/run-1/events/back-crossing-1/thumb-p1.jpg';
  mkdirSync(join(dataDir, 'runs/run-1/events/back-crossing-1'), { recursive: true });
  writeFileSync(join(dataDir, snapshot), await sharp({ create: { width: 768, height: 576, channels: 3, background: '#777777' } }).jpeg().toBuffer());
  writeFileSync(join(dataDir, thumb), await sharp({ create: { width: 80, height: 160, channels: 3, background: '#aa3333' } }).jpeg().toBuffer());
  const event = storedEvent({ id: 'back-crossing-1', startMs: T, en: 'Person p1 crossed the door line inbound at 22:05:00', zhHant: '人物 p1 於 22:05:00 由外向內穿越門警戒線', snapshotPath: snapshot });
  await seedDatabase(dataDir, [{ ...event, thumbnails: { p1: thumb } }], cameraDirectory(loaded.config));
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('event descriptions through the API', () => {
  it('regenerates a description from key frames, shows it on the event, and makes it searchable', async () => {
    const vigil = createVigil(loaded, { logger: silent, clock: { now: () => T + 60_000 } });
    const http = vigil.httpApp();
    const before = await read(eventDetailSchema, http.request('/api/events/back-crossing-1'));
    expect(before.description).toMatchObject({ status: 'none', description: null });

    const answer = {
      scene: 'A man in a yellow raincoat walks through the back door carrying a ladder.',
      actions: ['walks in', 'carries a ladder'],
      attributes: { people: [{ id: 'p1', clothing_colors: ['yellow'], clothing: 'raincoat', carrying: ['ladder'] }] },
      suspicion: { score: 20, reasons: ['daytime, calm walk'] },
      uncertain: ['face not visible'],
      summaries: { en: 'A man in a yellow raincoat carried a ladder in through the back door.' },
    };
    ollama.reply({ json: { model: 'qwen2.5vl:7b', message: { role: 'assistant', content: JSON.stringify(answer) }, done: true, prompt_eval_count: 900, eval_count: 80 } });
    const regenerated = await http.request('/api/events/back-crossing-1/description/regenerate', { method: 'POST' });
    expect(regenerated.status).toBe(200);
    const view = await read(descriptionStateSchema, regenerated);
    expect(view).toMatchObject({ status: 'done', requested_by: 'manual', description: { provider: 'default', model: 'qwen2.5vl:7b', flagged: false, json: answer } });

    // Key frames only: the actor's best view and the snapshot, sent as images with the schema.
    const request = ollama.lastRequest().json as { format: unknown; messages: Array<{ images?: string[] }> };
    const images = request.messages.flatMap((m) => m.images ?? []);
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(images.length).toBeLessThanOrEqual(3);
    expect(request.format).toMatchObject({ type: 'object' });

    const after = await read(eventDetailSchema, http.request('/api/events/back-crossing-1'));
    expect(after.description?.status).toBe('done');
    const found = await read(searchResponseSchema, http.request('/api/search?q=ladder'));
    expect(found.events.map((e) => e.id)).toEqual(['back-crossing-1']);

    // An unknown event is a 404 that quotes at most 80 characters of the id it was given.
    const unknown = await http.request(`/api/events/${'x'.repeat(5000)}/description/regenerate`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()) as unknown).toEqual({ error: { code: 'not_found', message: `no event with id "${'x'.repeat(80)}…"`, details: [] } });
    await vigil.close();
  });
});
