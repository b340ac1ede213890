/**
 * The genai blocks users copy from Frigate's documentation, as they would write them in
 * vigil.yml, through the whole stack: parseConfigText (with the environment), createVigil, the
 * provider queue and the real client, against local servers speaking each provider's protocol.
 * Each test checks the exact request the server received.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { genaiStatsSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { DEFAULT_VISION_PROMPT } from '../../src/services/genai/analyze-image.service.ts';
import { languageInstruction } from '../../src/services/genai/output-language.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { azureOpenAiRoutes, azureResponsesAnswer } from '../support/fake-azure-openai.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const JPEG_BASE64 = expect.stringMatching(/^\/9j\//) as unknown;
const JPEG_DATA_URL = expect.stringMatching(/^data:image\/jpeg;base64,\/9j\//) as unknown;

let server: FakeLlmServer;
let dir: string;
let jpeg: Buffer;
const opened: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startFakeLlmServer();
  dir = mkdtempSync(join(tmpdir(), 'vigil-seed-configs-'));
  jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#446688' } }).jpeg().toBuffer();
});
afterAll(async () => {
  for (const close of opened) await close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  server.setFallback(undefined);
});

let count = 0;
/** Vigil from a YAML genai block, as `vigil serve` would build it from a file in its own data folder. */
function vigilFrom(genaiBlock: string, env: Record<string, string> = {}) {
  const dataDir = join(dir, `data-${++count}`);
  const text = `storage:\n  data_dir: ${dataDir}\n${genaiBlock}`;
  const loaded: LoadedConfig = { ...parseConfigText(text, { env, baseDir: dir, fileLabel: 'vigil.yml' }), baseDir: dir };
  const vigil = createVigil(loaded, { logger: silent });
  opened.push(() => vigil.close());
  return { vigil, dataDir };
}

const analyze = (vigil: ReturnType<typeof createVigil>) => vigil.analyzeImage.analyze({ imageName: 'porch', image: { data: new Uint8Array(jpeg) } });

describe('Ollama as in Frigate: provider_options.keep_alive and options.num_ctx', () => {
  const block = (url: string) => `genai:
  enabled: true
  provider: ollama
  base_url: ${url}
  model: qwen2.5vl:7b
  provider_options:
    keep_alive: -1
    options:
      num_ctx: 8192
`;
  const ollamaReply = (content: string) => ({ json: { model: 'qwen2.5vl:7b', created_at: '2026-12-07T10:00:00Z', message: { role: 'assistant', content }, done: true, done_reason: 'stop', prompt_eval_count: 512, eval_count: 20 } });

  it('sends keep_alive at the top of /api/chat and num_ctx inside options (analyze_image)', async () => {
    const { vigil } = vigilFrom(block(server.url));
    server.reply(ollamaReply('A person at the door.'));
    const result = await analyze(vigil);
    expect(result.description).toBe('A person at the door.');
    const request = server.lastRequest();
    expect(request.path).toBe('/api/chat');
    expect(request.json).toEqual({
      model: 'qwen2.5vl:7b',
      messages: [
        { role: 'system', content: languageInstruction('en') },
        { role: 'user', content: DEFAULT_VISION_PROMPT, images: [JPEG_BASE64] },
      ],
      stream: false,
      keep_alive: -1,
      options: { num_ctx: 8192 },
    });
  });

  it("merges options with the request's own (temperature, num_predict) on the description path", async () => {
    const { vigil, dataDir } = vigilFrom(block(server.url).replace('keep_alive: -1', 'keep_alive: 30m'));
    const snapshotPath = 'runs/run-1/events/gate-1/snapshot.jpg';
    await seedDatabase(dataDir, [storedEvent({ id: 'gate-1', startMs: Date.UTC(2026, 11, 1, 14), en: 'Person p1 crossed the gate line', zhHant: '人物 p1 穿越大門警戒線', snapshotPath })]);
    mkdirSync(dirname(join(dataDir, snapshotPath)), { recursive: true });
    writeFileSync(join(dataDir, snapshotPath), jpeg);
    const description = {
      scene: 'A person walks through the gate.',
      actions: ['walks through the gate'],
      attributes: { people: [{ id: 'p1', clothing_colors: ['red'] }] },
      suspicion: { score: 10, reasons: ['daytime, normal walk'] },
      uncertain: [],
      summaries: { en: 'A person in red walked through the gate.' },
    };
    server.reply(ollamaReply(JSON.stringify(description)));
    const state = await vigil.descriptions!.describe('gate-1', { manual: true });
    expect(state.description?.json).toMatchObject({ scene: 'A person walks through the gate.' });
    const body = server.lastRequest().json as Record<string, unknown>;
    expect(body['keep_alive']).toBe('30m');
    expect(body['options']).toEqual({ num_ctx: 8192, temperature: 0.2, num_predict: 2048 });
    expect(body['format']).toMatchObject({ type: 'object' });
    expect(body['stream']).toBe(false);
  });
});

describe('Gemini with GEMINI_BASE_URL', () => {
  it('sends generateContent to the base URL from the environment, the key in x-goog-api-key', async () => {
    const { vigil } = vigilFrom(
      `genai:
  enabled: true
  provider: gemini
  api_key: "{FRIGATE_GEMINI_API_KEY}"
  model: gemini-2.5-flash
`,
      { GEMINI_BASE_URL: `${server.url}/gemini-proxy`, FRIGATE_GEMINI_API_KEY: 'AIzaSyTESTKEY-0123456789abcdef' },
    );
    server.reply({
      json: {
        candidates: [{ content: { role: 'model', parts: [{ text: 'A cat on the porch.' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 6, totalTokenCount: 306 },
        modelVersion: 'gemini-2.5-flash',
      },
    });
    expect((await analyze(vigil)).description).toBe('A cat on the porch.');
    const request = server.lastRequest();
    expect(request.path).toBe('/gemini-proxy/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.headers['x-goog-api-key']).toBe('AIzaSyTESTKEY-0123456789abcdef');
    expect([...request.query.keys()]).toEqual([]);
    expect(request.json).toEqual({
      contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/jpeg', data: JPEG_BASE64 } }, { text: DEFAULT_VISION_PROMPT }] }],
      systemInstruction: { parts: [{ text: languageInstruction('en') }] },
    });
  });
});

describe('OpenAI and OpenAI-compatible servers', () => {
  const chatAnswer = (content: string, model: string) => ({
    json: { id: 'chatcmpl-1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 800, completion_tokens: 8, total_tokens: 808 } },
  });

  it('takes the base URL from OPENAI_BASE_URL when base_url is not set', async () => {
    const { vigil } = vigilFrom(
      `genai:
  enabled: true
  provider: openai
  api_key: "{FRIGATE_OPENAI_API_KEY}"
  model: gpt-4o
`,
      { OPENAI_BASE_URL: `${server.url}/v1`, FRIGATE_OPENAI_API_KEY: 'sk-TESTKEY-0123456789abcdef' },
    );
    server.reply(chatAnswer('A delivery van.', 'gpt-4o-2024-08-06'));
    expect((await analyze(vigil)).description).toBe('A delivery van.');
    const request = server.lastRequest();
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers['authorization']).toBe('Bearer sk-TESTKEY-0123456789abcdef');
    expect(request.json).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: languageInstruction('en') },
        { role: 'user', content: [{ type: 'text', text: DEFAULT_VISION_PROMPT }, { type: 'image_url', image_url: { url: JPEG_DATA_URL } }] },
      ],
    });
  });

  it('keeps the path prefix of a China-region compatible endpoint (…/compatible-mode/v1)', async () => {
    const { vigil } = vigilFrom(
      `genai:
  enabled: true
  provider: openai
  base_url: ${server.url}/compatible-mode/v1
  api_key: "{VIGIL_DASHSCOPE_API_KEY}"
  model: qwen-vl-max
  languages: [zh-Hans]
`,
      { VIGIL_DASHSCOPE_API_KEY: 'sk-dashscope-0123456789abcdef' },
    );
    server.reply(chatAnswer('一名男子站在门口。', 'qwen-vl-max'));
    expect((await analyze(vigil)).description).toBe('一名男子站在门口。');
    const request = server.lastRequest();
    expect(request.path).toBe('/compatible-mode/v1/chat/completions');
    expect(request.headers['authorization']).toBe('Bearer sk-dashscope-0123456789abcdef');
    expect(request.json).toMatchObject({ model: 'qwen-vl-max', messages: [{ role: 'system', content: languageInstruction('zh-Hans') }, { role: 'user' }] });
  });
});

describe("Azure OpenAI exactly as Frigate's documentation writes it", () => {
  it('calls the Responses API of the resource with the api-key and api-version of the URL', async () => {
    const { vigil } = vigilFrom(
      `genai:
  enabled: true
  provider: azure_openai
  base_url: ${server.url}/openai/responses?api-version=2025-04-01-preview
  model: gpt-5-mini
  api_key: "{FRIGATE_OPENAI_API_KEY}"
`,
      { FRIGATE_OPENAI_API_KEY: '0123456789abcdef0123456789abcdef' },
    );
    server.setFallback(
      azureOpenAiRoutes({ apiKey: '0123456789abcdef0123456789abcdef', deployments: ['gpt-5-mini'], answers: { responses: () => azureResponsesAnswer('Two people talk at the gate.') } }),
    );
    expect((await analyze(vigil)).description).toBe('Two people talk at the gate.');
    const request = server.lastRequest();
    expect(request.path).toBe('/openai/responses');
    expect(request.query.get('api-version')).toBe('2025-04-01-preview');
    expect(request.json).toEqual({
      model: 'gpt-5-mini',
      instructions: languageInstruction('en'),
      input: [{ role: 'user', content: [{ type: 'input_text', text: DEFAULT_VISION_PROMPT }, { type: 'input_image', image_url: JPEG_DATA_URL }] }],
      store: false,
    });
  });
});

describe('a fallback provider', () => {
  const chatAnswer = { json: { object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'A person, seen by the fallback.' }, finish_reason: 'stop' }] } };
  const block = (localUrl: string) => `genai:
  enabled: true
  providers:
    local: { provider: ollama, model: "qwen2.5vl:7b", base_url: "${localUrl}", fallback: cloud }
    cloud: { provider: openai, model: gpt-4o-mini, base_url: "${server.url}/v1", api_key: "sk-test-key-123456" }
  roles: { descriptions: local }
`;

  it('answers when the first provider refuses connections, and the stats say who answered', async () => {
    const { vigil } = vigilFrom(block(await unusedLocalUrl()));
    server.reply(chatAnswer);
    const result = await analyze(vigil);
    expect(result.description).toBe('A person, seen by the fallback.');
    expect(result.model).toBe('gpt-4o-mini');
    const stats = vigil.providerStats;
    const local = stats.find((s) => s.provider === 'local');
    const cloud = stats.find((s) => s.provider === 'cloud');
    expect(local?.totals).toMatchObject({ calls: 1, attempts: 1, successes: 0, failures: { provider_unavailable: 1 } });
    expect(local?.fallback).toEqual({ provider: 'cloud', handedOver: 1 });
    expect(cloud?.totals).toMatchObject({ calls: 1, successes: 1 });
    // The API shows the hand-over too (GenaiStats in the contract).
    const api = genaiStatsSchema.parse(await (await vigil.httpApp().request('/api/genai/stats')).json());
    expect(api.providers.find((p) => 'provider' in p && p.provider === 'local')).toMatchObject({ fallback: { provider: 'cloud', handedOver: 1 } });
  });

  it('is not asked when the first provider refuses the request (here: an unknown model)', async () => {
    const { vigil } = vigilFrom(block(server.url));
    server.reply({ status: 404, json: { error: 'model "qwen2.5vl:7b" not found, try pulling it first' } });
    await expect(analyze(vigil)).rejects.toMatchObject({ code: 'provider_bad_request' });
    expect(server.requests.map((r) => r.path)).toEqual(['/api/chat']);
  });
});
