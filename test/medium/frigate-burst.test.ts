/**
 * Issue 12: a burst of `frigate/events` as Frigate sends them (QoS 0, thousands in a fraction of a
 * second) through a private broker with its default limits. Vigil must read every message, count
 * what arrived per camera and the gaps it can infer, show both in /metrics, and keep the
 * description backlog per camera bounded (newest kept, the rest dropped and counted).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { DATABASE_FILE, startVigilServer, type RunningServer } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeFrigate, type FakeFrigate } from '../support/fake-frigate.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { waitFor } from '../support/live.ts';
import { startTestBroker, type TestBroker } from '../support/mqtt-broker.ts';

const run = promisify(execFile);
const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

/** Objects per camera, and updates per object: 2 x 150 x (1 + 31 + 1) = 9,900 messages, plus 3 from lost objects. */
const CAMERAS = ['Front_Door', 'garage'] as const;
const OBJECTS = 150;
const UPDATES = 31;
const MAX_BACKLOG = 100;

let dir: string;
let broker: TestBroker;
let fake: FakeFrigate;
let llm: FakeLlmServer;
let loaded: LoadedConfig;
let server: RunningServer;
let db: Database.Database;

function message(type: 'new' | 'update' | 'end', id: string, camera: string, startS: number, frame: number): string {
  const after = {
    id,
    camera,
    label: 'person',
    sub_label: null,
    score: 0.8,
    top_score: 0.85,
    start_time: startS,
    end_time: type === 'end' ? startS + 30 : null,
    frame_time: startS + frame,
    box: [10, 20, 110, 220],
    false_positive: false,
    current_zones: [],
    entered_zones: [],
    has_snapshot: true,
    has_clip: false,
    snapshot: { frame_time: startS + 1 },
  };
  return JSON.stringify({ type, before: after, after });
}

const scrape = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
const metric = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

// Each (once per try: the test is retried, see vitest.config.ts) with its own broker, server and database.
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-frigate-burst-'));
  [broker, fake, llm] = await Promise.all([startTestBroker(), startFakeFrigate(), startFakeLlmServer()]);
  // A model far slower than Frigate's events: descriptions back up.
  llm.setFallback({ delayMs: 5_000, json: { model: 'qwen2.5vl:7b', message: { role: 'assistant', content: '{"scene":"x"}' }, done: true } });
  const text = [
    'storage: { data_dir: data }',
    `genai: { enabled: true, provider: ollama, model: "qwen2.5vl:7b", base_url: "${llm.url}" }`,
    `mqtt: { host: ${broker.host}, port: ${broker.port}, client_id: vigil-burst }`,
    'frigate:',
    `  url: ${fake.url}`,
    '  triggers: [new, update, end]',
  ].join('\n');
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  server = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent, pollMs: 20 });
  await server.integrationsReady;
  db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
});

afterEach(async () => {
  await server?.close();
  db?.close();
  await Promise.all([broker.stop(), fake.close(), llm.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('a burst of Frigate events', () => {
  it(`reads all of them, counts them per camera with the gaps, and keeps at most ${MAX_BACKLOG} descriptions waiting per camera`, async () => {
    const startS = Date.now() / 1000;
    const burst: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < OBJECTS; i++) {
      for (const [c, camera] of CAMERAS.entries()) {
        const id = `${startS.toFixed(6)}-c${c}o${String(i).padStart(4, '0')}`;
        ids.push(id);
        fake.addEvent(id);
        burst.push(message('new', id, camera, startS, 0));
        for (let u = 1; u <= UPDATES; u++) burst.push(message('update', id, camera, startS, u / 10));
        burst.push(message('end', id, camera, startS, 30));
      }
    }
    // Objects whose first messages were lost before Vigil: one heard of only in updates, one only at its end.
    burst.push(message('update', `${startS.toFixed(6)}-lost01`, 'garage', startS, 1), message('update', `${startS.toFixed(6)}-lost01`, 'garage', startS, 2));
    burst.push(message('end', `${startS.toFixed(6)}-lost02`, 'garage', startS, 30));
    fake.addEvent(`${startS.toFixed(6)}-lost02`);

    // As Frigate publishes: QoS 0, as fast as the socket takes them, from another process (as
    // Frigate is): in this one the publisher could only go as fast as Vigil reads.
    const file = join(dir, 'burst.jsonl');
    writeFileSync(file, burst.join('\n'));
    const publisher = [
      "import { connectAsync } from 'mqtt';",
      "import { readFileSync } from 'node:fs';",
      `const lines = readFileSync(${JSON.stringify(file)}, 'utf8').split('\\n');`,
      `const client = await connectAsync(${JSON.stringify(broker.url)}, { clientId: 'frigate-burst' });`,
      'const began = performance.now();',
      "for (const line of lines.slice(0, -1)) client.publish('frigate/events', line, { qos: 0 });",
      "await client.publishAsync('frigate/events', lines.at(-1), { qos: 0 });",
      'console.log(Math.round(performance.now() - began));',
      'await client.endAsync();',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', publisher], { cwd: process.cwd() });
    const publishedMs = Number(stdout.trim());

    const total = burst.length;
    const counted = (text: string) =>
      CAMERAS.reduce((n, camera) => n + (['new', 'update', 'end'] as const).reduce((m, type) => m + (metric(text, 'vigil_frigate_messages', { frigate_camera: camera, type }) ?? 0), 0), 0);
    await waitFor(scrape, (text) => counted(text) === total, 30_000).catch(async () => {
      throw new Error(`Vigil counted ${counted(await scrape())} of ${total} messages (published in ${Math.round(publishedMs)} ms)`);
    });
    const text = await scrape();
    expect(metric(text, 'vigil_frigate_messages', { frigate_camera: 'Front_Door', type: 'update' })).toBe(OBJECTS * UPDATES);
    expect(metric(text, 'vigil_frigate_messages', { frigate_camera: 'garage', type: 'end' })).toBe(OBJECTS + 1);
    // Only the objects whose first messages never came count as gaps; none were lost on the way here.
    expect(metric(text, 'vigil_frigate_message_gaps', { frigate_camera: 'Front_Door', kind: 'update_without_new' })).toBe(0);
    expect(metric(text, 'vigil_frigate_message_gaps', { frigate_camera: 'garage', kind: 'update_without_new' })).toBe(1);
    expect(metric(text, 'vigil_frigate_message_gaps', { frigate_camera: 'garage', kind: 'end_without_new' })).toBe(1);
    expect(metric(text, 'vigil_frigate_messages_skipped', { reason: 'overflow' })).toBe(0);

    // Every end became an ingest job; once they are worked, the description backlog is bounded per camera.
    const ingest = () => db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'frigate_ingest' AND status = 'done'").get() as { n: number };
    await waitFor(async () => ingest().n, (n) => n === OBJECTS * 2 + 2, 60_000);
    const waiting = db
      .prepare("SELECT e.camera_id AS camera, COUNT(*) AS n FROM jobs j JOIN events e ON e.id = j.key WHERE j.kind = 'describe_event' AND j.status = 'queued' GROUP BY e.camera_id")
      .all() as Array<{ camera: string; n: number }>;
    expect(waiting.length).toBeGreaterThan(0);
    for (const { n } of waiting) expect(n).toBeLessThanOrEqual(MAX_BACKLOG);
    const after = await scrape();
    const dropped = (camera: string) => metric(after, 'vigil_description_backlog_dropped', { camera }) ?? 0;
    // 150 (or 151) closed events per camera, at most 100 waiting and a few being described: the rest dropped and counted.
    expect(dropped('front_door')).toBeGreaterThanOrEqual(OBJECTS - MAX_BACKLOG - 10);
    expect(dropped('garage')).toBeGreaterThanOrEqual(OBJECTS - MAX_BACKLOG - 10);
    // Dropped jobs say why; the newest events are the ones still waiting.
    const failed = db.prepare("SELECT last_error FROM jobs WHERE kind = 'describe_event' AND status = 'failed' LIMIT 1").get() as { last_error: string } | undefined;
    expect(failed?.last_error).toMatch(/too many descriptions waiting/);
    expect(ids.length).toBe(OBJECTS * 2);
  }, 120_000);
});
