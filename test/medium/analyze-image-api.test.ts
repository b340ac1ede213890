import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

let dir: string;
let images: Server;
let imageBase: string;
let ollama: FakeLlmServer;
let openai: FakeLlmServer;
const opened: Array<() => Promise<void>> = [];

function config(extra = ''): LoadedConfig {
  const text = `storage:
  data_dir: data
genai:
  enabled: true
  languages: [zh-Hant]
  providers:
    vlm: { provider: ollama, model: "llava:7b", base_url: "${ollama.url}", timeout_s: 5, concurrency: 1, max_queued: 2 }
    writer: { provider: openai, model: gpt-4o-mini, base_url: "${openai.url}/v1", api_key: "sk-test-key-123456" }
  analyze_image:
    allowed_hosts: [127.0.0.1]
    instances:
      porch: { vision: vlm, text: writer, text_prompt: "Notify: {description}" }
${extra}`;
  return { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
}

function app(loaded: LoadedConfig) {
  const vigil = createVigil(loaded, { logger: silent, clock: { now: () => Date.UTC(2026, 10, 21, 8, 0, 0) } });
  opened.push(() => vigil.close());
  return { http: vigil.httpApp(), announcements: vigil.imageAnnouncements };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-analyze-image-'));
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  images = createServer((req, res) => {
    if (req.url === '/porch.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  ollama = await startFakeLlmServer();
  openai = await startFakeLlmServer();
});
afterAll(async () => {
  for (const close of opened) await close();
  await new Promise<void>((resolve) => images.close(() => resolve()));
  await ollama.close();
  await openai.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/analyze (real adapters against local protocol servers)', () => {
  it('describes an image URL, rewrites it with the text model, announces it and keeps the latest', async () => {
    ollama.reset();
    openai.reset();
    ollama.reply({ json: { model: 'llava:7b', message: { role: 'assistant', content: '一名穿紅衣的人站在門口。' }, done: true, prompt_eval_count: 600, eval_count: 20 } });
    openai.reply({ json: { id: 'c1', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: '門口有人。' }, finish_reason: 'stop' }], usage: { prompt_tokens: 30, completion_tokens: 6, total_tokens: 36 } } });
    const { http, announcements } = app(config());
    const heard: unknown[] = [];
    const unsubscribe = announcements.subscribe((a) => heard.push(a));

    const response = await http.request('/api/analyze', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image_url: `${imageBase}/porch.jpg`, image_name: 'front_porch', use_text_model: true }),
    });
    expect(response.status).toBe(200);
    const result = await json(response);
    expect(result).toMatchObject({
      instance: 'porch',
      image_name: 'front_porch',
      image_url: `${imageBase}/porch.jpg`,
      description: '一名穿紅衣的人站在門口。',
      used_text_model: true,
      // As Home Assistant's Ollama Vision reports it: the prompt the text model got, description filled in.
      text_prompt: 'Notify: 一名穿紅衣的人站在門口。',
      final_description: '門口有人。',
      model: 'llava:7b',
    });
    // The vision model got the (re-encoded) image and the language instruction; the text model got the description.
    const visionRequest = ollama.lastRequest().json as { messages: Array<{ role: string; content: string; images?: string[] }> };
    expect(visionRequest.messages.some((m) => m.role === 'system' && m.content.includes('Traditional Chinese'))).toBe(true);
    const user = visionRequest.messages.find((m) => m.role === 'user');
    expect(Buffer.from(user!.images![0]!, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(JSON.stringify(openai.lastRequest().json)).toContain('Notify: 一名穿紅衣的人站在門口。');
    expect(heard).toEqual([{ topic: 'image_analyzed', payload: result }]);
    unsubscribe();

    // Kept across restarts: a new app over the same database still knows it.
    const restarted = app(config()).http;
    expect(await json(restarted.request('/api/analyze/latest/front_porch'))).toEqual(result);
    expect((await restarted.request('/api/analyze/latest/back_door')).status).toBe(404);

    const { providers } = await json(http.request('/api/genai/stats'));
    const vlm = providers.find((p: { provider: string }) => p.provider === 'vlm');
    expect(vlm.totals).toMatchObject({ calls: 1, successes: 1 });
  });

  it('gives clear errors: bad body, unknown instance, unreachable image, provider down', async () => {
    const { http } = app(config());
    const post = (body: unknown) => http.request('/api/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const missing = await post({ image_url: `${imageBase}/porch.jpg` });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.message).toContain('image_name');
    const unknown = await post({ image_url: `${imageBase}/porch.jpg`, image_name: 'x', instance: 'garage' });
    expect((await json(unknown)).error.message).toBe('unknown instance "garage" (configured: porch)');
    const gone = await post({ image_url: `${imageBase}/nothing.jpg`, image_name: 'x' });
    expect(gone.status).toBe(422);
    expect((await json(gone)).error.message).toMatch(/answered HTTP 404/);
    const elsewhere = await post({ image_url: 'http://192.168.1.20/snap.jpg', image_name: 'x' });
    expect((await json(elsewhere)).error.message).toBe('192.168.1.20 is not in genai.analyze_image.allowed_hosts');
    ollama.reset();
    ollama.setFallback({ status: 401, json: { error: 'unauthorized' } });
    const refused = await post({ image_url: `${imageBase}/porch.jpg`, image_name: 'x' });
    expect(refused.status).toBe(502);
    expect((await json(refused)).error.code).toBe('provider_auth');
    ollama.setFallback(undefined);
  });

  it('a burst beyond the queue gets 429 with Retry-After; every request is answered', async () => {
    ollama.reset();
    ollama.setFallback({ delayMs: 100, json: { model: 'llava:7b', message: { role: 'assistant', content: 'ok' }, done: true } });
    const { http } = app(config());
    const responses = await Promise.all(
      Array.from({ length: 12 }, async (_, i) =>
        http.request('/api/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image_url: `${imageBase}/porch.jpg`, image_name: `burst_${i}` }) }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    const rejected = responses.find((r) => r.status === 429)!;
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json(rejected)).error.code).toBe('queue_full');
    ollama.setFallback(undefined);
  });
});

describe('vigil analyze-image', () => {
  it('describes a local file through the configured provider and prints the description', async () => {
    const { runCli } = await import('../support/cli.ts');
    const { writeFileSync } = await import('node:fs');
    const file = join(dir, 'snap.png');
    writeFileSync(file, await sharp({ create: { width: 32, height: 24, channels: 3, background: '#aa0000' } }).png().toBuffer());
    const configFile = join(dir, 'cli.yml');
    writeFileSync(configFile, `storage:\n  data_dir: data\ngenai:\n  provider: ollama\n  model: "llava:7b"\n  base_url: "${ollama.url}"\n`);
    ollama.reset();
    ollama.reply({ json: { model: 'llava:7b', message: { role: 'assistant', content: 'A red square.' }, done: true } });
    const result = await runCli(['analyze-image', file, '--name', 'door', '--config', configFile], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('A red square.\n');
    expect(ollama.lastRequest().path).toBe('/api/chat');
  });
});

describe('vigil genai-stats', () => {
  it('shows the running server’s accounting per provider and camera', async () => {
    const { runCli } = await import('../support/cli.ts');
    const { startVigilServer } = await import('../../src/app.ts');
    const loaded = config();
    const server = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent });
    try {
      ollama.reset();
      ollama.reply({ json: { model: 'llava:7b', message: { role: 'assistant', content: 'A porch.' }, done: true, prompt_eval_count: 321, eval_count: 12 } });
      const analyzed = await fetch(`${server.url}/api/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ image_url: `${imageBase}/porch.jpg`, image_name: 'porch_stats' }),
      });
      expect(analyzed.status).toBe(200);
      const configFile = join(dir, 'stats.yml');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(configFile, `storage:\n  data_dir: data\n`);
      const result = await runCli(['genai-stats', '--url', server.url, '--config', configFile], { cwd: dir });
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^vlm \(ollama llava:7b\): 1 calls, 1 ok, 0 retries, failures: none; tokens in 321 \/ out 12; latency p50 \d+ ms/m);
      expect(result.stdout).toMatch(/^writer \(openai gpt-4o-mini\): 0 calls/m);
    } finally {
      await server.close();
    }
    const down = await runCli(['genai-stats', '--url', server.url], { cwd: dir });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/No Vigil server answered at http:\/\/127\.0\.0\.1:\d+/);
  });
});
