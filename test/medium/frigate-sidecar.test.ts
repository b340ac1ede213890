/**
 * The Frigate sidecar end to end: a private MQTT broker, a stand-in for Frigate's HTTP API, a
 * stand-in Ollama for descriptions, real SQLite. Recorded-style `frigate/events` sequences drive
 * it; each assertion waits for what Vigil publishes on `vigil/events` (no sleeps).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteEventStore } from '../../src/adapters/storage/sqlite/sqlite-event-store.ts';
import { SqliteJobQueue } from '../../src/adapters/storage/sqlite/sqlite-job-queue.ts';
import { createVigil, DATABASE_FILE, startVigilServer, type RunningServer } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { camerasResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeFrigate, type FakeFrigate } from '../support/fake-frigate.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { waitFor } from '../support/live.ts';
import { sampleExcerpt } from '../support/media.ts';
import { startTestBroker, type TestBroker } from '../support/mqtt-broker.ts';
import { startProbe, type MqttProbe, type ProbeMessage } from '../support/mqtt-probe.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T0 = 1_795_000_000; // seconds, as Frigate sends them

/** A Frigate 0.14-shaped message (with keys Vigil ignores, as real ones have). */
function frigate(type: 'new' | 'update' | 'end', id: string, after: Record<string, unknown> = {}) {
  const object = {
    id,
    camera: 'Front_Door',
    frame_time: T0 + 5,
    snapshot: { frame_time: T0 + 4, box: [10, 20, 110, 220], area: 20000, region: [0, 0, 320, 320], score: 0.88, attributes: [] },
    label: 'person',
    sub_label: null,
    top_score: 0.88,
    false_positive: false,
    start_time: T0,
    end_time: type === 'end' ? T0 + 12 : null,
    score: 0.85,
    box: [10, 20, 110, 220],
    area: 20000,
    ratio: 0.5,
    region: [0, 0, 320, 320],
    active: true,
    stationary: false,
    motionless_count: 0,
    position_changes: 2,
    current_zones: [],
    entered_zones: [],
    has_clip: true,
    has_snapshot: true,
    attributes: {},
    current_attributes: [],
    pending_loitering: false,
    max_severity: 'alert',
    ...after,
  };
  return JSON.stringify({ type, before: object, after: object });
}

const DESCRIPTION = {
  scene: 'A person in a red jacket stands at the front door holding a parcel.',
  actions: ['stands at the door'],
  attributes: { people: [{ id: 'p1', clothing_colors: ['red'], clothing: 'jacket', carrying: ['parcel'] }] },
  suspicion: { score: 10, reasons: ['delivery'] },
  uncertain: [],
  summaries: { en: 'A courier in a red jacket delivered a parcel at the front door.' },
};

let dir: string;
let broker: TestBroker;
let fake: FakeFrigate;
let ollama: FakeLlmServer;
let probe: MqttProbe;
let loaded: LoadedConfig;
/** The test's own connection, to look at what Vigil stored. */
let db: Database.Database;
let server: RunningServer;

/** `vigil serve` as users run it (API, job runner, MQTT integrations), with quick retries and polling. */
async function start(): Promise<RunningServer> {
  const running = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent, frigateRetry: { baseMs: 50, maxMs: 200 }, pollMs: 20 });
  await running.integrationsReady;
  return running;
}

const frigateJob = (id: string) => new SqliteJobQueue(db).get('frigate_ingest', id);

/** The `vigil/events` message about `eventId` that satisfies `check`. */
function vigilEvent(eventId: string, check: (event: Record<string, unknown>) => boolean = () => true, after = 0): Promise<ProbeMessage> {
  return probe.waitFor(
    (m, i = probe.messages.indexOf(m)) => {
      if (i < after || m.topic !== 'vigil/events') return false;
      const body = JSON.parse(m.text) as { event: Record<string, unknown> };
      return body.event['id'] === eventId && check(body.event);
    },
    20_000,
    `vigil/events about ${eventId}`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-frigate-'));
  [broker, fake, ollama] = await Promise.all([startTestBroker(), startFakeFrigate({ auth: { user: 'vigil', password: 's3cret-pass' } }), startFakeLlmServer()]);
  ollama.setFallback({ json: { model: 'qwen2.5vl:7b', message: { role: 'assistant', content: JSON.stringify(DESCRIPTION) }, done: true } });
  const text = [
    'storage: { data_dir: data }',
    `genai: { enabled: true, provider: ollama, model: "qwen2.5vl:7b", base_url: "${ollama.url}" }`,
    `mqtt: { host: ${broker.host}, port: ${broker.port}, client_id: vigil-frigate-test }`,
    'frigate:',
    `  url: ${fake.url}`,
    '  user: vigil',
    '  password: "{FRIGATE_PASSWORD}"',
    '  triggers: [new, end]',
    '  write_description: true',
    '  clip_frames: 2',
    '  cameras:',
    '    Front_Door: { camera: front, restricted_zones: [porch] }',
    '    garage: { objects: [car] }',
  ].join('\n');
  loaded = { ...parseConfigText(text, { env: { FRIGATE_PASSWORD: 's3cret-pass' }, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  probe = await startProbe(broker.url);
  await probe.subscribe('vigil/#');
  await probe.subscribe('frigate/tracked_object_update');
  server = await start();
  db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
});

afterAll(async () => {
  await server?.close();
  db?.close();
  await probe.close();
  await Promise.all([broker.stop(), fake.close(), ollama.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('Frigate sidecar', () => {
  it('follows new -> update -> end into one described Vigil event and writes the description back to Frigate', async () => {
    const id = '1795000000.123456-abc123';
    fake.addEvent(id);
    const written = fake.nextDescription();
    await probe.publish('frigate/events', frigate('new', id));
    const created = await vigilEvent('frigate-1795000000_123456-abc123');
    expect(JSON.parse(created.text)).toMatchObject({ type: 'new', event: { camera: 'front', status: 'open', type: 'object_seen', rule: 'person' } });

    await probe.publish('frigate/events', frigate('update', id, { frame_time: T0 + 8 }));
    await probe.publish('frigate/events', frigate('end', id, { sub_label: ['Alice', 0.91] }));
    const closed = await vigilEvent('frigate-1795000000_123456-abc123', (e) => e['status'] === 'closed');
    expect(JSON.parse(closed.text).event.snapshot_url).toMatch(/^\/api\/media\/runs\/run-\d+\/events\/frigate-1795000000_123456-abc123\/snapshot\.jpg$/);

    const stored = await new SqliteEventStore(db).getEvent('frigate-1795000000_123456-abc123');
    expect(stored?.event).toMatchObject({ status: 'closed', startMs: T0 * 1000, endMs: (T0 + 12) * 1000, labels: ['person'] });
    expect(stored?.event.summary.en).toBe('Person p1 seen from 11:06:40 to 11:06:52, recognised as Alice');
    expect(existsSync(join(loaded.config.storage.data_dir, stored!.snapshotPath!))).toBe(true);
    // Searchable at once.
    const reader = createVigil(loaded, { logger: silent });
    const found = await reader.search.search({ q: 'Alice person', limit: 20 });
    await reader.close();
    expect(found.hits.map((h) => h.stored.event.id)).toContain('frigate-1795000000_123456-abc123');

    // Described by the vision model, published, and shown in Frigate's own UI.
    const description = await probe.waitFor((m) => m.topic === 'vigil/front/description', 20_000, 'description');
    expect(JSON.parse(description.text)).toMatchObject({ event_id: 'frigate-1795000000_123456-abc123', description: DESCRIPTION.summaries.en });
    expect(await written).toEqual({ id, description: DESCRIPTION.summaries.en });
    // And announced as Frigate's own GenAI announces descriptions (issue 12).
    const update = await probe.waitFor((m) => m.topic === 'frigate/tracked_object_update', 20_000, 'tracked_object_update');
    expect(JSON.parse(update.text)).toEqual({ type: 'description', id, description: DESCRIPTION.summaries.en, camera: 'Front_Door' });
    // What arrived from Frigate for the camera, on /api/cameras (and the cameras page).
    const cameras = camerasResponseSchema.parse(await (await fetch(`${server.url}/api/cameras`)).json()).cameras;
    expect(cameras.find((c) => c.id === 'front')?.frigate).toMatchObject({ messages: { new: 1, update: 1, end: 1 }, gaps: { update_without_new: 0, end_without_new: 0 } });
    // Logged in once, then Bearer.
    expect(fake.requests.filter((r) => r.path === '/api/login')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path.startsWith('/api/events')).every((r) => r.authorization === 'Bearer header.payload.signature')).toBe(true);
  });

  it('never duplicates: replays, duplicates and late messages change nothing', async () => {
    const id = '1795000100.000001-dup001';
    fake.addEvent(id);
    await probe.publish('frigate/events', frigate('end', id));
    await vigilEvent('frigate-1795000100_000001-dup001', (e) => e['status'] === 'closed');
    const before = await frigateJob(id);
    const mark = probe.messages.length;

    await probe.publish('frigate/events', frigate('end', id)); // duplicate
    await probe.publish('frigate/events', frigate('new', id)); // out of order
    await probe.publish('frigate/events', frigate('update', id, { frame_time: T0 + 9 })); // late (and not a trigger)
    // A sentinel behind them: once it is stored, the messages before it were handled.
    fake.addEvent('1795000100.000002-sentry');
    await probe.publish('frigate/events', frigate('end', '1795000100.000002-sentry'));
    await vigilEvent('frigate-1795000100_000002-sentry', (e) => e['status'] === 'closed', mark);

    expect(await frigateJob(id)).toMatchObject({ payload: { progress: before!.payload.progress }, status: 'done' });
    expect((await new SqliteEventStore(db).getEvent('frigate-1795000100_000001-dup001'))?.event.status).toBe('closed');
    const republished = probe.messages.slice(mark).filter((m) => m.topic === 'vigil/events' && m.text.includes('dup001'));
    expect(republished).toEqual([]);
  });

  it('skips malformed messages and filtered ones, and keeps going', async () => {
    const mark = probe.messages.length;
    await probe.publish('frigate/events', 'not json at all');
    await probe.publish('frigate/events', JSON.stringify({ type: 'end' }));
    await probe.publish('frigate/events', JSON.stringify({ type: 'finished', after: { id: 'x' } }));
    await probe.publish('frigate/events', frigate('end', '1795000200.000001-badbox', { start_time: 'yesterday' }));
    await probe.publish('frigate/events', frigate('end', '1795000200.000002-garage', { camera: 'garage', label: 'person' })); // objects: [car]
    await probe.publish('frigate/events', frigate('end', '1795000200.000003-fpos', { false_positive: true }));
    fake.addEvent('1795000200.000004-intrude');
    await probe.publish('frigate/events', frigate('end', '1795000200.000004-intrude', { entered_zones: ['porch'], current_zones: [] }));
    const intrusion = await vigilEvent('frigate-1795000200_000004-intrude', () => true, mark);
    expect(JSON.parse(intrusion.text).event).toMatchObject({ type: 'intrusion', rule: 'porch', camera: 'front' });
    for (const skipped of ['badbox', 'garage', 'fpos']) expect(probe.messages.slice(mark).some((m) => m.text.includes(skipped))).toBe(false);
  });

  it('takes every sub_label shape Frigate sends, so no end is lost (issue 12)', async () => {
    const mark = probe.messages.length;
    const shapes: Array<[string, unknown, string | undefined]> = [
      ['1795000250.000001-subbob', ['Bob', null], 'Bob'],
      ['1795000250.000002-subnul', [null, null], undefined],
      ['1795000250.000003-substr', 'Carol', 'Carol'],
      ['1795000250.000004-subsco', ['Dave', 0.93], 'Dave'],
    ];
    for (const [id, subLabel] of shapes) {
      fake.addEvent(id);
      await probe.publish('frigate/events', frigate('end', id, { sub_label: subLabel }));
    }
    for (const [id, , name] of shapes) {
      const eventId = `frigate-${id.replace('.', '_')}`;
      const closed = await vigilEvent(eventId, (e) => e['status'] === 'closed', mark);
      const summary = (JSON.parse(closed.text) as { event: { summary: { en: string } } }).event.summary.en;
      if (name) expect(summary).toContain(`recognised as ${name}`);
      else expect(summary).not.toContain('recognised');
    }
  });

  it('stores the event while Frigate is down, fetches the snapshot when it is back, also across a restart', async () => {
    const id = '1795000300.000001-outage';
    fake.addEvent(id);
    await fake.down('refuse');
    const mark = probe.messages.length;
    await probe.publish('frigate/events', frigate('end', id));
    const early = await vigilEvent('frigate-1795000300_000001-outage', () => true, mark);
    expect(JSON.parse(early.text).event.snapshot_url).toBeNull();
    expect((await frigateJob(id))?.status).not.toBe('done');

    // Vigil restarts while Frigate is still down: the job is in the database, not in memory.
    await server.close();
    server = await start();
    await fake.down('503');
    await fake.up();
    const later = await vigilEvent('frigate-1795000300_000001-outage', (e) => e['snapshot_url'] !== null, mark);
    expect(JSON.parse(later.text)).toMatchObject({ type: 'update', event: { status: 'closed' } });
    expect((await frigateJob(id))?.status).toBe('done');
    expect((await frigateJob(id))?.attempts).toBeGreaterThanOrEqual(1);
  });

  it("describes an ended event from its snapshot and two frames of its clip, waiting for a clip Frigate has not written yet", async () => {
    const clip = readFileSync(sampleExcerpt('street', 10, 6));
    const frames = async (eventId: string) => (await new SqliteEventStore(db).getEvent(eventId))?.clipFrames ?? [];
    const imagesSent = () =>
      ollama.requests.map((r) => ((r.json as { messages?: Array<{ images?: string[] }> }).messages ?? []).reduce((n, m) => n + (m.images?.length ?? 0), 0));

    // The clip is there: two frames taken from it, stored beside the snapshot, all three described.
    const ready = '1795000400.000001-clipok';
    ollama.reset();
    fake.addEvent(ready);
    fake.addClip(ready, clip);
    await probe.publish('frigate/events', frigate('end', ready));
    const closed = await vigilEvent('frigate-1795000400_000001-clipok', (e) => (e['clip_frames'] as unknown[] | undefined)?.length === 2);
    expect(JSON.parse(closed.text).event.clip_frames).toEqual([
      expect.stringMatching(/^\/api\/media\/runs\/run-\d+\/events\/frigate-1795000400_000001-clipok\/clip-1\.jpg$/),
      expect.stringMatching(/clip-2\.jpg$/),
    ]);
    for (const path of await frames('frigate-1795000400_000001-clipok')) {
      expect([...readFileSync(join(loaded.config.storage.data_dir, path)).subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    }
    await probe.waitFor((m) => m.topic === 'vigil/front/description' && m.text.includes('clipok'), 20_000, 'description of clipok');
    // Snapshot + 2 clip frames (every other Frigate event here is described from its snapshot alone).
    expect(imagesSent()).toContain(3);

    // Just ended: Frigate has not written the clip yet (404). The event is stored at once, the
    // job comes back for the clip, and the description waits for it.
    const nowSeconds = Date.now() / 1000;
    const late = `${nowSeconds.toFixed(6)}-cliplate`;
    const lateId = `frigate-${late.replace('.', '_')}`;
    fake.addEvent(late);
    const mark = probe.messages.length;
    await probe.publish('frigate/events', frigate('end', late, { start_time: nowSeconds - 10, end_time: nowSeconds - 1 }));
    const first = await vigilEvent(lateId, () => true, mark);
    expect(JSON.parse(first.text).event.clip_frames).toEqual([]);
    await waitFor(async () => (await frigateJob(late))?.attempts ?? 0, (attempts) => attempts >= 2, 10_000);
    expect((await frigateJob(late))?.status).not.toBe('done');
    fake.addClip(late, clip);
    await vigilEvent(lateId, (e) => (e['clip_frames'] as unknown[] | undefined)?.length === 2, mark);
    expect((await frigateJob(late))?.status).toBe('done');
    expect(await frames(lateId)).toHaveLength(2);
  });
});
