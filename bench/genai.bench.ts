/**
 * What generative AI costs Vigil, against a local server that speaks Ollama's protocol with a
 * fixed latency (no real model runs here):
 *   vlm_calls / events  vision-model calls Vigil makes to describe the sample clip's events
 *                       (key frames only: one call per event)
 *   naive_calls         calls a "describe every sampled frame" design would make on the same clip
 *   overhead_p50_ms     analyze_image time beyond the provider's own latency (upload, image
 *                       preparation, queue, storage, announcement), p50 (p95 on stderr)
 *
 *   npm run bench:genai   (env BENCH_LATENCY_MS, BENCH_REQUESTS)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createLogger, createVigil } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { cameraSettings, detectorSettings } from '../src/config/settings/index.ts';
import { SAMPLE_CLIP, REPO_ROOT } from '../test/support/media.ts';

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const requests = Number(process.env.BENCH_REQUESTS ?? 200);
const log = (line: string) => process.stderr.write(`${line}\n`);

// A fake Ollama: /api/chat answers valid description JSON after a fixed latency, and records timing.
let chatCalls = 0;
const providerTimes: number[] = [];
const description = JSON.stringify({
  scene: 'People walk along a footpath.',
  actions: ['walking'],
  attributes: {},
  suspicion: { score: 5, reasons: ['ordinary foot traffic'] },
  uncertain: [],
  summaries: { en: 'People walk along a footpath.' },
});
const fake = createServer((req, res) => {
  const started = performance.now();
  req.resume();
  req.on('end', () => {
    chatCalls++;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: 'fake-vlm', message: { role: 'assistant', content: description }, done: true }));
      providerTimes.push(performance.now() - started);
    }, latencyMs);
  });
});
await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-genai-'));
try {
  const demo = join(REPO_ROOT, 'samples', 'vigil.demo.yml');
  const configFile = join(dir, 'vigil.yml');
  // The demo's camera and rules, a private data directory, and the fake provider for descriptions.
  const { readFileSync } = await import('node:fs');
  const demoText = readFileSync(demo, 'utf8').replace('data_dir: ../vigil-data', `data_dir: ${join(dir, 'data')}`).replace('input: vtest-street.mp4', `input: ${SAMPLE_CLIP}`);
  writeFileSync(configFile, `${demoText}\ngenai:\n  enabled: true\n  provider: ollama\n  model: fake-vlm\n  base_url: "${fakeUrl}"\n  concurrency: 2\n`);
  const loaded = await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir });
  const logger = createLogger('warn');

  // 1. Analyze the clip: closed events are queued for description in the database.
  const analysis = createVigil(loaded, { logger });
  const camera = loaded.config.cameras['street']!;
  const summary = await analysis.analysis.analyze({
    input: SAMPLE_CLIP,
    camera: cameraSettings('street', camera, loaded.config),
    detectorSettings: detectorSettings(loaded.config.detector),
    signal: new AbortController().signal,
  });
  await analysis.close();
  log(`clip: ${summary.video.durationSeconds} s, ${summary.framesDecoded} frames sampled at ${summary.sampleFps} fps, ${summary.events.length} events`);

  // 2. Describe them with the job runner, as vigil serve does.
  const vigil = createVigil(loaded, { logger });
  const stop = new AbortController();
  const worker = vigil.runJobs(stop.signal);
  const described = async () => (await vigil.jobs.status()).kinds.find((k) => k.kind === 'describe_event');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const pending = await described();
    if (pending && pending.queued === 0 && pending.running === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  stop.abort();
  await worker;
  const status = await described();
  const counts = { queued: status?.queued ?? 0, running: status?.running ?? 0, done: status?.done ?? 0, failed: status?.failed ?? 0 };
  const vlmCalls = chatCalls;
  const naiveCalls = summary.framesDecoded;
  const hours = (summary.video.durationSeconds ?? 1) / 3600;
  log(`descriptions: ${JSON.stringify(counts)}; VLM calls ${vlmCalls} (${(vlmCalls / hours).toFixed(0)} per hour of footage) vs naive ${naiveCalls} (${(naiveCalls / hours).toFixed(0)} per hour)`);

  // 3. analyze_image overhead beyond the provider, through the real HTTP app in-process.
  const http = vigil.httpApp();
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#556677' } }).jpeg().toBuffer();
  const overheads: number[] = [];
  providerTimes.length = 0;
  for (let i = 0; i < requests + 10; i++) {
    const form = new FormData();
    form.set('image_name', `bench_${i % 5}`);
    form.set('image', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'x.jpg');
    const t0 = performance.now();
    const response = await http.request('/api/analyze', { method: 'POST', body: form });
    await response.arrayBuffer();
    const total = performance.now() - t0;
    if (response.status !== 200) throw new Error(`analyze answered ${response.status}`);
    if (i >= 10) overheads.push(total - providerTimes[providerTimes.length - 1]!);
  }
  overheads.sort((a, b) => a - b);
  const pct = (p: number) => overheads[Math.min(overheads.length - 1, Math.floor(p * overheads.length))]!;
  log(`analyze_image: ${requests} requests, provider latency ${latencyMs} ms, overhead p50 ${pct(0.5).toFixed(2)} ms, p95 ${pct(0.95).toFixed(2)} ms`);
  await vigil.close();
  const round = (n: number) => Math.round(n * 100) / 100;
  console.log(`BENCH ${JSON.stringify({ vlm_calls: vlmCalls, naive_calls: naiveCalls, events: summary.events.length, overhead_p50_ms: round(pct(0.5)) })}`);
} finally {
  fake.close();
  rmSync(dir, { recursive: true, force: true });
}
