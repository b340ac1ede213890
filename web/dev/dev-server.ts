/**
 * The real `vigil serve` over a seeded, throw-away data directory, for developing the UI: the API
 * the UI talks to is the one users get, so it cannot drift from it. Development only; nothing
 * under web/src imports it.
 *
 *   node --import tsx web/dev/dev-server.ts [--port 8787] [--events 400] [--days 3]
 *                                          [--llm ok|slow|fail|flagged|none] [--live] [--token SECRET] [--keep]
 *   npx vite --config web/vite.config.ts     # the UI with hot reload, /api proxied here
 *
 * It writes synthetic events (test/factories/synthetic-events.ts: real summaries and keywords) for
 * a few cameras into a temporary data directory, draws their snapshots and thumbnails, writes a
 * config next to them and starts the server with `startVigilServer`. It also serves the built UI
 * (web/dist) when there is one. Ctrl-C stops it and removes the directory (unless --keep).
 *
 * How to see each state the UI has, for real:
 * - Descriptions: `--llm ok` (the default) starts a fake model server (test/support/fake-llm-server.ts)
 *   for the descriptions and answers roles. "Describe now" on any event writes a description;
 *   `--llm slow` answers after 8 s ("Describing…" stays up); `--llm fail` refuses every call
 *   (502 on "Describe now", the failed state with its error, answers falling back with a reason);
 *   `--llm flagged` answers descriptions with prose instead of JSON (kept, flagged, shown raw);
 *   `--llm none` configures no model ("no model is configured").
 * - Model-written answers: every search under `--llm ok`; the fallback reason under `--llm fail`.
 * - Live cameras (`#/cameras`): `--live` adds a camera whose stream cannot be reached, so it keeps
 *   reconnecting with an error ("waiting", next attempt). A streaming camera needs a real stream:
 *   add one to the written config (see README, "Live cameras") or run `npm run demo`.
 * - The gateway page (`#/gateway`): three keys (one revoked) with 30 days of usage, one model name
 *   being markup (it must show as text). The gateway is on, routing every model to the fake model,
 *   unless `--llm none` (then the page says how to turn it on). No secret is printed: the page
 *   never shows one; make a key of your own with `vigil keys create NAME --config <the written config>`.
 * - The token dialog: `--token SECRET` makes the server listen as if beyond localhost.
 * - Errors: a bad filter (`from=yesterday` in the URL) answers 400 with the parameter named; a
 *   stopped dev server shows the network error. The mock's made-up slow and 500 searches are gone.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createVigil, startVigilServer } from '../../src/app.ts';
import { loadConfig, type LoadedConfig } from '../../src/config/index.ts';
import type { StoredEvent } from '../../src/ports/analysis-store.ts';
import { syntheticCameras, syntheticEvents, type SyntheticCamera } from '../../test/factories/synthetic-events.ts';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest, type ScriptedReply } from '../../test/support/fake-llm-server.ts';
import { seedDatabase } from '../../test/support/seed-database.ts';

type LlmMode = 'ok' | 'slow' | 'fail' | 'flagged' | 'none';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8787' },
    events: { type: 'string', default: '400' },
    days: { type: 'string', default: '3' },
    cameras: { type: 'string', default: '5' },
    llm: { type: 'string', default: 'ok' },
    live: { type: 'boolean', default: false },
    token: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const SCENE = {
  scene: 'A person in a dark jacket walks past the door, looks at the camera and leaves towards the street.',
  actions: ['walks past', 'looks at the camera'],
  attributes: { people: [{ id: 'p1', clothing_colors: ['black', 'blue'], clothing: 'jacket and jeans', carrying: ['backpack'] }], vehicles: [] },
  suspicion: { score: 35, reasons: ['looks at the camera', 'late at night'] },
  uncertain: ['face not visible'],
  summaries: { en: 'A person in a dark jacket walked past the door.', 'zh-Hant': '一名穿深色外套的人走過門口。' },
};

/** Ollama's /api/chat reply with `content` as the assistant's message. */
const chat = (content: string): ScriptedReply => ({ json: { model: 'fake-vision', message: { role: 'assistant', content }, done: true, prompt_eval_count: 800, eval_count: 90 } });

/** The fake model: a description, or an answer citing nothing, by what was asked for. */
function fakeModel(mode: LlmMode) {
  return (request: RecordedRequest): ScriptedReply => {
    if (mode === 'fail') return { status: 500, json: { error: 'model crashed (fake, --llm fail)' } };
    const delayMs = mode === 'slow' ? 8_000 : 0;
    if (!request.text.includes('cited_event_ids')) return { ...chat(mode === 'flagged' ? 'Sorry, I cannot describe this image.' : JSON.stringify(SCENE)), delayMs };
    // An answer citing the first candidate event of the prompt (synthetic ids read r<run>-<type>-...).
    const cited = /\br\d+-(?:line_crossing|intrusion|loitering|object_seen)-[\w-]+/.exec(request.text)?.[0];
    const content = {
      answer: cited ? `Yes (fake model of web/dev/dev-server.ts): the most relevant event is ${cited}.` : 'Nothing relevant was found (fake model).',
      timeline: cited ? [{ event_id: cited, time: '—', what: 'the cited event' }] : [],
      missing_info: [],
      cited_event_ids: cited ? [cited] : [],
    };
    return { ...chat(JSON.stringify(content)), delayMs };
  };
}

function configText(dataDir: string, cameras: readonly SyntheticCamera[], llm: FakeLlmServer | undefined, live: boolean): string {
  const lines = ['storage:', `  data_dir: ${JSON.stringify(dataDir)}`, 'search:', '  timezone: Asia/Taipei', 'cameras:'];
  for (const camera of cameras) {
    lines.push(`  ${camera.id}:`, `    name: ${JSON.stringify(camera.name)}`, `    aliases: ${JSON.stringify(camera.aliases)}`, `    input: ${camera.id}.mp4`, '    timezone: Asia/Taipei');
  }
  // A stream on a port where nothing listens: the camera keeps reconnecting, as a dead camera would.
  if (live) lines.push('  carport:', '    name: Carport (unreachable)', '    input: rtsp://127.0.0.1:9/stream', '    live: { reconnect: { min_s: 2, max_s: 10 } }');
  if (llm) {
    lines.push(
      'genai:',
      '  enabled: true',
      '  languages: [en, zh-Hant]',
      '  providers:',
      `    fake: { provider: ollama, model: fake-vision, base_url: ${JSON.stringify(llm.url)}, timeout_s: 20 }`,
      '  roles: { descriptions: fake, answers: fake }',
      'gateway:',
      '  enabled: true',
      "  models: [{ name: '*', provider: fake }]",
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A grey frame with the event's first box drawn, and a crop-sized tile per actor. */
async function drawMedia(dataDir: string, stored: StoredEvent): Promise<void> {
  const box = stored.event.evidence[0]?.box;
  const svg = box
    ? `<svg width="768" height="576"><rect x="${box.x1}" y="${box.y1}" width="${box.x2 - box.x1}" height="${box.y2 - box.y1}" fill="none" stroke="#ffcc00" stroke-width="3"/></svg>`
    : '<svg width="768" height="576"></svg>';
  if (stored.snapshotPath) {
    const file = join(dataDir, stored.snapshotPath);
    mkdirSync(dirname(file), { recursive: true });
    await sharp({ create: { width: 768, height: 576, channels: 3, background: '#5a6470' } }).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 70 }).toFile(file);
  }
  for (const path of Object.values(stored.thumbnails)) {
    const file = join(dataDir, path);
    mkdirSync(dirname(file), { recursive: true });
    await sharp({ create: { width: 96, height: 160, channels: 3, background: '#8a6d5a' } }).jpeg({ quality: 70 }).toFile(file);
  }
}

/**
 * Gateway keys and a month of usage, made through the same service as `vigil keys` and the
 * gateway's accounting (deterministic, so the page looks the same every run).
 */
async function seedGateway(loaded: LoadedConfig): Promise<void> {
  const vigil = createVigil(loaded);
  try {
    const keys = vigil.gatewayKeys;
    const laptop = (await keys.create('laptop')).key;
    const claude = (await keys.create('claude-code', { models: ['claude-*'], requestsPerMinute: 30, concurrentRequests: 1, tokensPerDay: 2_000_000 })).key;
    const ci = (await keys.create('old-ci', { priority: 'background', maxContextTokens: 8192 })).key;
    await keys.revoke(ci.id);
    const now = Date.now();
    const models: Array<[string, string]> = [
      [laptop.id, 'qwen3:8b'],
      [laptop.id, 'llama3.2:3b'],
      [claude.id, 'claude-sonnet-4-5'],
      [claude.id, '<b>model name with markup</b>'],
      [ci.id, 'qwen3:8b'],
    ];
    let n = 0;
    for (let day = 0; day < 30; day++) {
      for (const [keyId, model] of models) {
        if (keyId === ci.id && day < 12) continue; // revoked keys stop being used
        const requests = (day * 7 + model.length * 3) % 9;
        for (let i = 0; i < requests; i++) {
          n++;
          await keys.recordUsage({
            keyId,
            model,
            at: now - day * 86_400_000 - i * 600_000,
            ok: n % 11 !== 0,
            inputTokens: 400 + ((n * 97) % 3000),
            outputTokens: 50 + ((n * 31) % 600),
            queueWaitMs: (n * 13) % 400,
            latencyMs: 300 + ((n * 211) % 6000),
          });
        }
      }
    }
  } finally {
    await vigil.close();
  }
}

async function main(): Promise<void> {
  const llmMode = args.llm as LlmMode;
  if (!['ok', 'slow', 'fail', 'flagged', 'none'].includes(llmMode)) throw new Error(`--llm must be ok, slow, fail, flagged or none (not "${args.llm}")`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dev-'));
  const dataDir = join(dir, 'data');
  const cameras = syntheticCameras(Number(args.cameras));
  const now = Date.now();
  const events = [...syntheticEvents({ seed: 7, count: Number(args.events), cameras, fromMs: now - Number(args.days) * 86_400_000, toMs: now })];
  await seedDatabase(dataDir, events, cameras);
  for (const stored of events) await drawMedia(dataDir, stored);

  const llm = llmMode === 'none' ? undefined : await startFakeLlmServer();
  llm?.setFallback(fakeModel(llmMode));
  const configFile = join(dir, 'vigil.yml');
  writeFileSync(configFile, configText(dataDir, cameras, llm, args.live));
  const loaded = await loadConfig({ file: configFile, explicit: true, env: { ...process.env, ...(args.token ? { VIGIL_API_TOKEN: args.token } : {}) }, cwd: dir });
  await seedGateway(loaded);
  const server = await startVigilServer(args.token ? { ...loaded, config: { ...loaded.config, server: { ...loaded.config.server, token: args.token } } } : loaded, {
    // A token only applies beyond localhost: listen on all interfaces to exercise the token dialog.
    host: args.token ? '0.0.0.0' : args.host,
    port: Number(args.port),
  });
  console.log(`Vigil dev server on ${server.url} (${events.length} events, ${cameras.length} cameras, model: ${llmMode}${args.token ? ', token required' : ''})`);
  console.log(`Data and config in ${dir}. UI with hot reload: npx vite --config web/vite.config.ts`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await llm?.close();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
