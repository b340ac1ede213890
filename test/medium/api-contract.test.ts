/**
 * The wire contract holds end to end: every route the OpenAPI document lists answers, for real, a
 * body that its documented schema (src/contract) accepts, and the document refers to those schemas
 * rather than to a bare `{ type: object }`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { apiSchema, apiSchemaIds, errorBodySchema } from '../../src/contract/api.schemas.ts';
import { createHttpApp } from '../../src/http/http-app.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T = Date.UTC(2026, 10, 20, 14, 5, 0);

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApi {
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

let dir: string;
let ollama: FakeLlmServer;
let loaded: LoadedConfig;
let vigil: ReturnType<typeof createVigil>;
let http: ReturnType<typeof createHttpApp>;
/** The same parts, with a live camera standing in for one (the contract of LiveState). */
let withLive: ReturnType<typeof createHttpApp>;
let jpeg: Buffer;

const DESCRIPTION = {
  scene: 'A man in a yellow raincoat walks through the back door.',
  actions: ['walks in'],
  attributes: { people: [{ id: 'p1', clothing_colors: ['yellow'], clothing: 'raincoat' }] },
  suspicion: { score: 10, reasons: ['calm walk'] },
  uncertain: [],
  summaries: { en: 'A man in a yellow raincoat came in through the back door.' },
};

const chat = (content: string) => ({ json: { model: 'qwen2.5vl:7b', message: { role: 'assistant', content }, done: true, prompt_eval_count: 10, eval_count: 5 } });

/** One real request per documented operation (`METHOD path-template`), and what it needs first. */
const EXAMPLES: Record<string, { url: string; init?: () => RequestInit; before?: () => void }> = {
  'get /api/workers': { url: '/api/workers' },
  'get /api/health': { url: '/api/health' },
  'get /api/cameras': { url: '/api/cameras' },
  'get /api/events': { url: '/api/events?limit=5' },
  'get /api/events/{id}': { url: '/api/events/back-crossing-1' },
  'post /api/events/{id}/description/regenerate': {
    url: '/api/events/back-crossing-1/description/regenerate',
    init: () => ({ method: 'POST' }),
    before: () => ollama.reply(chat(JSON.stringify(DESCRIPTION))),
  },
  'get /api/search': { url: `/api/search?q=${encodeURIComponent('後門有人嗎')}` },
  'post /api/analyze': {
    url: '/api/analyze',
    init: () => {
      const form = new FormData();
      form.set('image_name', 'porch');
      form.set('image', new Blob([jpeg], { type: 'image/jpeg' }), 'porch.jpg');
      return { method: 'POST', body: form };
    },
    before: () => ollama.reply(chat('A porch with a parcel on the mat.')),
  },
  'get /api/analyze/latest/{image_name}': { url: '/api/analyze/latest/porch' },
  'get /api/genai/stats': { url: '/api/genai/stats' },
  'get /api/jobs': { url: '/api/jobs' },
  'get /api/gateway/usage': { url: '/api/gateway/usage?days=30' },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-contract-'));
  ollama = await startFakeLlmServer();
  jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#557799' } }).jpeg().toBuffer();
  const text = `storage:\n  data_dir: data\ngenai:\n  provider: ollama\n  model: "qwen2.5vl:7b"\n  base_url: "${ollama.url}"\ncameras:\n  back:\n    name: Back door\n    input: back.mp4\n    genai: { enabled: false }\n`;
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  const dataDir = loaded.config.storage.data_dir;
  const snapshot = 'runs/run-1/events/back-crossing-1/snapshot.jpg';
  mkdirSync(join(dataDir, 'runs/run-1/events/back-crossing-1'), { recursive: true });
  writeFileSync(join(dataDir, snapshot), jpeg);
  await seedDatabase(
    dataDir,
    [
      storedEvent({ id: 'back-crossing-1', startMs: T, en: 'Person p1 crossed the door line inbound at 22:05:00', zhHant: '人物 p1 於 22:05:00 由外向內穿越門警戒線', snapshotPath: snapshot }),
      storedEvent({ id: 'back-loiter-1', type: 'loitering', rule: 'porch', startMs: T + 60_000, durationMs: 70_000, en: 'Person p2 loitered in porch for 70 s', zhHant: '人物 p2 在「門廊」徘徊 70 秒' }),
    ],
    cameraDirectory(loaded.config),
  );
  vigil = createVigil(loaded, { logger: silent, clock: { now: () => T + 120_000 } });
  // A gateway key with a day of use, so that GatewayUsage is checked with rows in every list.
  const { key } = await vigil.gatewayKeys.create('contract', { models: ['claude-*'], requestsPerMinute: 30 });
  await vigil.gatewayKeys.recordUsage({ keyId: key.id, model: 'claude-sonnet-4', at: T + 60_000, ok: true, inputTokens: 1200, outputTokens: 80, queueWaitMs: 15, latencyMs: 900 });
  http = vigil.httpApp();
  withLive = createHttpApp({
    search: vigil.search,
    events: vigil.events,
    cameras: vigil.cameras,
    dataDir,
    webRoot: join(dir, 'web'),
    version: 'test',
    logger: silent,
    toSimplified: (t) => t,
    providerStats: () => [...vigil.providerStats, { embeddings: { provider: 'default', model: 'nomic-embed-text', jobs: { queued: 1, running: 0, done: 2, failed: 0 } } }],
    liveState: (id) =>
      id === 'back'
        ? { cameraId: 'back', status: 'waiting', inputFps: 0, processedFps: 0, framesIn: 120, framesProcessed: 118, framesDropped: 2, queueDepth: 0, reconnects: 3, lastError: 'connection refused', lastErrorAtMs: T, nextAttemptAtMs: T + 5_000 }
        : undefined,
  });
});
afterAll(async () => {
  await vigil?.close();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openApi(): Promise<OpenApi> {
  return (await (await http.request('/api/openapi.json')).json()) as OpenApi;
}

/** The component a JSON response refers to, e.g. `EventDetail`. */
function jsonSchemaName(operation: Operation, status: string): string | undefined {
  const ref = operation.responses[status]?.content?.['application/json']?.schema?.$ref;
  return ref?.replace('#/components/schemas/', '');
}

describe('the API contract', () => {
  it('documents every JSON response with a named schema of the contract', async () => {
    const doc = await openApi();
    expect(Object.keys(doc.components.schemas).sort()).toEqual(apiSchemaIds().sort());
    const documented: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = jsonSchemaName(operation, '200');
        if (!name) continue;
        documented.push(`${method} ${path}`);
        expect(apiSchema(name), `${method} ${path} → ${name}`).toBeDefined();
        expect(doc.components.schemas[name], name).toMatchObject({ type: 'object', properties: expect.any(Object) });
      }
    }
    // Every documented JSON route has an example below, and every example is documented.
    expect(documented.sort()).toEqual(Object.keys(EXAMPLES).sort());
    expect(doc.paths['/api/events/{id}']?.['get']?.responses['404']).toEqual({ $ref: '#/components/responses/Error' });
  });

  it('answers every documented route with a body its schema accepts', async () => {
    const doc = await openApi();
    // In order: the analysis has to exist before the latest one is read.
    for (const key of Object.keys(EXAMPLES)) {
      const example = EXAMPLES[key]!;
      const [method, path] = key.split(' ') as [string, string];
      const name = jsonSchemaName(doc.paths[path]![method]!, '200')!;
      example.before?.();
      const response = await http.request(example.url, example.init?.());
      const body: unknown = await response.json();
      expect(response.status, `${key}: ${JSON.stringify(body)}`).toBe(200);
      const parsed = apiSchema(name)!.safeParse(body);
      expect(parsed.success ? [] : parsed.error.issues, `${key} → ${name}`).toEqual([]);
    }
  });

  it('gives live state and embedding statistics in the documented shapes', async () => {
    const cameras = apiSchema('CamerasResponse')!.safeParse(await (await withLive.request('/api/cameras')).json());
    expect(cameras.success && JSON.stringify(cameras.data)).toContain('"status":"waiting"');
    const stats = apiSchema('GenaiStats')!.safeParse(await (await withLive.request('/api/genai/stats')).json());
    expect(stats.success ? [] : stats.error.issues).toEqual([]);
  });

  it('answers errors with the error body, on every route', async () => {
    for (const url of ['/api/events/nope', '/api/events?limit=0', '/api/analyze/latest/nothing-yet', '/api/nowhere', '/api/media/runs/none.jpg']) {
      const response = await http.request(url);
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(errorBodySchema.safeParse(await response.json()).success, url).toBe(true);
    }
    // A body that is not what its content type says is the client's mistake, not a 500.
    for (const [type, body] of [['multipart/form-data; boundary=x', 'not multipart at all'], ['application/json', '{"image_name":']] as const) {
      const response = await http.request('/api/analyze', { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status, type).toBe(400);
      expect(errorBodySchema.parse(await response.json()).error.code).toBe('invalid_argument');
    }
  });
});
