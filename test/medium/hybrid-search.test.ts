import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from '../support/fake-llm-server.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();
const T = Date.UTC(2026, 10, 20, 6, 0, 0);

/** A stand-in embedding model: texts about deliveries point one way, everything else another. */
function embedReply(request: RecordedRequest) {
  const inputs = (request.json as { input: string[] }).input;
  const vector = (text: string) => (/parcel|package|box|delivery|包裹|快遞/i.test(text) ? [0.9, 0.1, 0] : [0.1, 0.9, 0]);
  return { json: { model: 'bge-m3', embeddings: inputs.map(vector) } };
}

let dir: string;
let ollama: FakeLlmServer;
let loaded: LoadedConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-hybrid-'));
  ollama = await startFakeLlmServer();
  ollama.setFallback(embedReply);
  const text = `storage:\n  data_dir: data\ngenai:\n  providers:\n    local: { provider: ollama, model: "qwen2.5vl:7b", embedding_model: bge-m3, base_url: "${ollama.url}" }\n  roles: { embeddings: local }\ncameras:\n  front:\n    input: front.mp4\n`;
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  await seedDatabase(
    loaded.config.storage.data_dir,
    [
      storedEvent({ id: 'front-1', cameraId: 'front', startMs: T, en: 'Person p1 crossed the door line carrying a box', zhHant: '人物 p1 搬著箱子穿越門口警戒線' }),
      storedEvent({ id: 'front-2', cameraId: 'front', startMs: T + 60_000, en: 'Person p2 crossed the door line', zhHant: '人物 p2 穿越門口警戒線' }),
    ],
    cameraDirectory(loaded.config),
  );
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hybrid search (keywords fused with vectors)', () => {
  it('embeds stored events in the background and ranks by meaning too, saying so', async () => {
    const vigil = createVigil(loaded, { logger: silent });
    const stop = new AbortController();
    const jobs = vigil.runJobs(stop.signal);
    for (let i = 0; i < 100 && ((await vigil.embeddings?.status())?.index?.count ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await jobs;
    expect((await vigil.embeddings?.status())?.index).toMatchObject({ model: 'bge-m3', dimension: 3, count: 2 });

    // The same events without an embeddings model: keywords only, and no event says "delivery".
    const keywordOnly = createVigil({ ...loaded, config: { ...loaded.config, genai: { ...loaded.config.genai, roles: {} } } }, { logger: silent });
    const before = await json(keywordOnly.httpApp().request(`/api/search?q=${encodeURIComponent('delivery')}`));
    await keywordOnly.close();
    expect(before.interpretation).toMatchObject({ retrieval: 'keyword' });
    expect(before.events).toEqual([]);

    // No event says "delivery", but the one with a box means it.
    const body = await json(vigil.httpApp().request(`/api/search?q=${encodeURIComponent('delivery')}`));
    expect(body.interpretation).toMatchObject({ retrieval: 'hybrid', retrieval_note: null });
    expect(body.events[0].id).toBe('front-1');
    await vigil.close();
  });
});
