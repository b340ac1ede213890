/**
 * `vigil migrate --to postgres://...`: a real SQLite store (events, frames, a description, jobs,
 * a gateway key with usage, an image analysis, vectors) copied into a real PostgreSQL database,
 * ids kept, searchable at once, and a second run changes nothing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, sharedTextAnalysis } from '../../src/app.ts';
import { migrateSqliteToPostgres } from '../../src/adapters/storage/migrate/sqlite-to-postgres.ts';
import { createSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { loadConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { createEventIndexer } from '../../src/services/search/event-indexer.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../support/postgres.ts';

const T = Date.UTC(2026, 10, 20, 14, 0, 0);
const PASSWORD = 'hunter2-not-needed';
/** Components a float32 holds exactly only once rounded (0.1), tiny ones vec_to_json would print as 0, negatives. */
const VECTORS: Record<string, number[]> = {
  'back-umbrella-1': [0.1, 1e-7, -3.25, 0.333],
  'back-cross-1': [1, 0, 0, 0],
  'front-car-1': [0, 0.5, 0.5, 1e-30],
};
const TABLES = [
  'sources', 'analysis_runs', 'frames', 'detections', 'tracks', 'events', 'event_labels', 'event_descriptions', 'indexed_camera_names',
  'jobs', 'vector_meta', 'event_vectors', 'image_analyses', 'gateway_keys', 'gateway_usage',
];

const skip = await skipWithoutPostgres('vigil migrate into PostgreSQL');

describe.skipIf(skip)('vigil migrate --to postgres://', () => {
  let dir: string;
  let configFile: string;
  let pgConfigFile: string;
  let database: TestDatabase;
  /** The target's URL with a password in it (trust auth ignores it): it must never be printed. */
  let url: string;
  let client: pg.Client;
  const migrate = (...extra: string[]) => runCli(['migrate', '--to', url, '--config', configFile, ...extra], { cwd: dir });
  const one = async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0] as R;
  const counts = async () => {
    const found: Record<string, number> = {};
    for (const table of TABLES) found[table] = Number((await one<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`)).n);
    return found;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-migrate-cli-'));
    configFile = join(dir, 'vigil.yml');
    const cameras = 'cameras:\n  back:\n    name: Back door\n    aliases: [後門]\n    input: back.mp4\n  front:\n    input: front.mp4\n';
    writeFileSync(configFile, `storage:\n  data_dir: data\n${cameras}`);
    database = await createTestDatabase();
    const parsed = new URL(database.url);
    parsed.password = PASSWORD;
    url = parsed.toString();
    pgConfigFile = join(dir, 'vigil-pg.yml');
    writeFileSync(pgConfigFile, `storage:\n  data_dir: data\n  database: "${url}"\n${cameras}`);
    await seedStore(join(dir, 'data'), (await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir })).config);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a --to that is not a PostgreSQL URL, without echoing its password', async () => {
    const result = await runCli(['migrate', '--to', `mysql://root:${PASSWORD}@db/vigil`, '--config', configFile], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--to expects a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(result.stderr).not.toContain(PASSWORD);
    const garbage = await runCli(['migrate', '--to', `not a url ${PASSWORD}`, '--config', configFile], { cwd: dir });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).not.toContain(PASSWORD);
  });

  it('refuses a configuration that has no database yet, and creates none', async () => {
    const empty = join(dir, 'empty.yml');
    writeFileSync(empty, 'storage:\n  data_dir: nothing-here\n');
    const result = await runCli(['migrate', '--to', url, '--config', empty], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/There is no Vigil database at .*nothing-here.*vigil\.db to migrate/);
    expect(existsSync(join(dir, 'nothing-here'))).toBe(false);
  });

  it('copies every table with its ids, and the target is searchable at once', async () => {
    const result = await migrate();
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stdout).not.toContain(PASSWORD);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Every row is in postgres:\/\/postgres:\*\*\*@/);
    expect(result.stdout).toMatch(/Search: 3 events indexed/);
    expect(result.stdout).toMatch(/Media files .* were not copied: they stay in .*data/);
    expect(await counts()).toEqual({
      sources: 2, analysis_runs: 2, frames: 2, detections: 3, tracks: 1, events: 3, event_labels: 4, event_descriptions: 1,
      // Not in SQLite yet (no search had run there); recorded with the names the copy was indexed with.
      indexed_camera_names: 2, jobs: 2, vector_meta: 1, event_vectors: 3, image_analyses: 1, gateway_keys: 1, gateway_usage: 1,
    });
    // The report's table says the same: SQLite and PostgreSQL counts, all copied now.
    expect(result.stdout).toMatch(/^detections\s+3\s+3\s+3$/m);
    expect(result.stdout).toMatch(/^event_vectors\s+3\s+3\s+3$/m);

    // Ids, rowids and media paths as in SQLite; flags as booleans.
    expect((await client.query('SELECT id, camera_id FROM analysis_runs ORDER BY id')).rows).toEqual([{ id: '1', camera_id: 'back' }, { id: '2', camera_id: 'front' }]);
    expect((await client.query('SELECT id, rowid, run_id, snapshot_path FROM events ORDER BY rowid')).rows).toEqual([
      { id: 'back-umbrella-1', rowid: '1', run_id: '1', snapshot_path: 'runs/run-1/events/back-umbrella-1.jpg' },
      { id: 'back-cross-1', rowid: '2', run_id: '1', snapshot_path: null },
      { id: 'front-car-1', rowid: '3', run_id: '2', snapshot_path: 'runs/run-2/events/front-car-1.jpg' },
    ]);
    expect((await client.query('SELECT frame_index, detected, image_path FROM frames ORDER BY frame_index')).rows).toEqual([
      { frame_index: '0', detected: true, image_path: 'runs/run-1/frames/000000.jpg' },
      { frame_index: '1', detected: false, image_path: null },
    ]);
    expect((await client.query('SELECT label, confident, track_id FROM detections ORDER BY id')).rows).toEqual([
      { label: 'person', confident: true, track_id: 'p1' },
      { label: 'person', confident: false, track_id: null },
      { label: 'umbrella', confident: true, track_id: null },
    ]);
    expect(await one('SELECT flagged, text_for_search FROM event_descriptions')).toEqual({ flagged: false, text_for_search: 'a red raincoat by the door' });
    expect(await one('SELECT name, rowid FROM gateway_keys')).toEqual({ name: 'alice', rowid: '1' });
    expect(await one('SELECT requests, input_tokens FROM gateway_usage')).toEqual({ requests: '1', input_tokens: '120' });

    // Vectors: the very floats sqlite-vec held (float32), on the events' rowids.
    const vectors = (await client.query<{ id: string; embedding: number[] }>('SELECT e.id, v.embedding FROM event_vectors v JOIN events e ON e.rowid = v.event_rowid')).rows;
    expect(Object.fromEntries(vectors.map((v) => [v.id, v.embedding.map(Math.fround)]))).toEqual(
      Object.fromEntries(Object.entries(VECTORS).map(([id, v]) => [id, v.map(Math.fround)])),
    );
    expect(await one('SELECT model, dimension FROM vector_meta')).toEqual({ model: 'test-embed', dimension: 4 });

    // What triggers keep: facet counts of the copied rows; the high waters SQLite remembered.
    expect(await one(`SELECT events FROM facet_counts WHERE kind = 'camera' AND value = 'back'`)).toEqual({ events: '2' });
    expect(await one('SELECT id FROM run_id_high_water')).toEqual({ id: '3' });
    expect(await one('SELECT COUNT(*) AS n FROM events WHERE search IS NULL')).toEqual({ n: '0' });
  });

  it('finds the copied events by a word of their summary, in English and Chinese, and by their description', async () => {
    for (const [question, id] of [
      ['umbrella', 'back-umbrella-1'],
      ['雨傘', 'back-umbrella-1'],
      ['raincoat', 'back-umbrella-1'],
      ['truck', 'front-car-1'],
    ] as const) {
      const result = await runCli(['search', question, '--json', '--config', pgConfigFile], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      const ids = (JSON.parse(result.stdout) as { events: Array<{ id: string }> }).events.map((e) => e.id);
      expect(ids, question).toEqual([id]);
    }
  });

  it('changes nothing when run again, and exits 0', async () => {
    const before = await counts();
    const digest = async () => one<{ d: string }>("SELECT md5(string_agg(id || rowid || search::text, ',' ORDER BY rowid)) AS d FROM events");
    const eventsBefore = await digest();
    const again = await migrate();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^events\s+3\s+3\s+0$/m);
    expect(again.stdout).toMatch(/Search: every event was indexed already/);
    const after = await counts();
    expect(after).toEqual(before);
    expect(await digest()).toEqual(eventsBefore);
  });

  it('refuses a target holding other data under the same ids, before attaching anything to it', async () => {
    const other = await createTestDatabase();
    const otherClient = new pg.Client({ connectionString: other.url });
    try {
      expect((await runCli(['migrate', '--to', other.url, '--config', configFile], { cwd: dir })).code).toBe(0);
      await otherClient.connect();
      // As if another Vigil's first source had taken id 1 there.
      await otherClient.query(`UPDATE sources SET fingerprint = 'fp:elsewhere' WHERE id = 1`);
      const result = await runCli(['migrate', '--to', other.url, '--config', configFile], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/already holds other data in sources/);
      expect(result.stderr).toContain('sources: id=1 camera_id="back" fingerprint="fp:back" is something else in the target');
    } finally {
      await otherClient.end();
      await other.drop();
    }
  });

  it('carries on where a stopped copy stopped', async () => {
    const other = await createTestDatabase();
    try {
      const loaded = await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir });
      const text = sharedTextAnalysis();
      const stop = new AbortController();
      const stopped = migrateSqliteToPostgres({
        file: join(dir, 'data', 'vigil.db'),
        target: other.url,
        indexer: createEventIndexer(text, cameraDirectory(loaded.config)),
        tokenize: (t) => text.indexTokens(t).join(' '),
        cameraNames: new Map(),
        logger: createLogger('silent'),
        signal: stop.signal,
        // Stopped once the runs are in: frames and the rest are not.
        onProgress: (p) => (p.table === 'analysis_runs' ? stop.abort() : undefined),
      });
      await expect(stopped).rejects.toMatchObject({ code: 'aborted' });
      const resumed = await runCli(['migrate', '--to', other.url, '--config', configFile], { cwd: dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/^analysis_runs\s+2\s+2\s+0$/m);
      expect(resumed.stdout).toMatch(/^frames\s+2\s+2\s+2$/m);
    } finally {
      await other.drop();
    }
  });

  it('gives new runs ids past every id SQLite gave, deleted runs included', async () => {
    const { id } = await one<{ id: string }>(
      `INSERT INTO analysis_runs (source_id, camera_id, settings_key, settings_json, status, start_time_ms, start_time_source, started_at)
       VALUES (1, 'back', 'new', '{}', 'running', 0, 'config', 0) RETURNING id`,
    );
    expect(Number(id)).toBeGreaterThan(3);
  });
});

/** The SQLite store: two runs with events, frames and detections, a deleted third run, and one of everything else. */
async function seedStore(dataDir: string, config: Parameters<typeof cameraDirectory>[0]): Promise<void> {
  const text = sharedTextAnalysis();
  const storage = createSqliteStorage({
    file: join(dataDir, 'vigil.db'),
    indexer: createEventIndexer(text, cameraDirectory(config)),
    tokenize: (t) => text.indexTokens(t).join(' '),
    now: () => T,
  });
  try {
    const { analyses } = storage;
    const video = (camera: string) => ({ uri: `${camera}.mp4`, kind: 'file' as const, fingerprint: `fp:${camera}`, codec: 'h264', width: 640, height: 480, fps: 10, durationSeconds: 60 });
    const newRun = async (camera: string) => {
      const sourceId = await analyses.upsertSource(video(camera), camera);
      return (await analyses.createRun({ sourceId, cameraId: camera, settingsKey: 'k', settings: { fps: 10 }, startTimeMs: T, startTimeSource: 'config', startedAt: T })).id;
    };
    const back = await newRun('back');
    await analyses.commitFrames(
      back,
      [
        {
          index: 0, timestampMs: T, ptsSeconds: 0, detected: true, changedFraction: 0.25, imagePath: `runs/run-${back}/frames/000000.jpg`,
          detections: [
            { label: 'person', score: 0.9, box: { x1: 1, y1: 2, x2: 30, y2: 80 }, trackId: 'p1', confident: true },
            { label: 'person', score: 0.2, box: { x1: 5, y1: 5, x2: 9, y2: 9 }, confident: false },
            { label: 'umbrella', score: 0.7, box: { x1: 10, y1: 10, x2: 20, y2: 20 }, confident: true },
          ],
        },
        { index: 1, timestampMs: T + 100, ptsSeconds: 0.1, detected: false, changedFraction: 0, detections: [] },
      ],
      {
        tracks: [{ trackId: 'p1', label: 'person', family: 'person', firstMs: T, lastMs: T + 100, firstFrame: 0, lastFrame: 1, hits: 2 }],
        events: [
          storedEvent({
            id: 'back-umbrella-1', cameraId: 'back', runId: back, startMs: T, durationMs: 5000, labels: ['person', 'umbrella'],
            en: 'Person p1 with an umbrella crossed the door line', zhHant: '人物 p1 拿著雨傘穿越門口警戒線', snapshotPath: `runs/run-${back}/events/back-umbrella-1.jpg`,
          }),
          storedEvent({ id: 'back-cross-1', cameraId: 'back', runId: back, startMs: T + 60_000, en: 'Person p2 crossed the door line', zhHant: '人物 p2 穿越門口警戒線' }),
        ],
      },
    );
    const front = await newRun('front');
    await analyses.commitFrames(front, [], {
      events: [
        storedEvent({
          id: 'front-car-1', cameraId: 'front', runId: front, type: 'loitering', rule: 'driveway', startMs: T + 120_000, durationMs: 90_000, labels: ['truck'],
          en: 'A truck stayed in the driveway for 90 s', zhHant: '一輛卡車在車道停留 90 秒', snapshotPath: `runs/run-${front}/events/front-car-1.jpg`,
        }),
      ],
    });
    // A deleted newest run: SQLite never gives its id again, nor must PostgreSQL.
    await analyses.deleteRun(await newRun('yard'));

    await storage.descriptions.save('back-umbrella-1', { provider: 'local', model: 'vision', json: { summary: 'raincoat' }, flagged: false, textForSearch: 'a red raincoat by the door' });
    await storage.jobs.enqueue({ kind: 'describe_event', key: 'back-cross-1', payload: { requestedBy: 'manual' } });
    await storage.jobs.enqueue({ kind: 'embed_event', key: 'front-car-1', payload: {} });
    const key = await storage.gatewayKeys.create({
      name: 'alice', prefix: 'vk_abcde', secretHash: 'a'.repeat(64), createdAt: T,
      limits: { models: null, requestsPerMinute: 30, concurrentRequests: null, tokensPerDay: null, maxContextTokens: null, maxOutputTokens: null, priority: 'interactive' },
    });
    await storage.gatewayUsage.record({ keyId: key.id, model: 'qwen3', at: T, ok: true, inputTokens: 120, outputTokens: 30, queueWaitMs: 5, latencyMs: 900 });
    await storage.imageAnalyses.save({
      instance: 'ha', image_name: 'porch', image_url: null, prompt: 'what is there', description: 'a parcel', used_text_model: false, text_prompt: null,
      final_description: 'a parcel', created_at: new Date(T).toISOString(), model: 'vision', text_model: null,
    });
    await storage.vectors.prepare('test-embed', 4);
    for (const [id, vector] of Object.entries(VECTORS)) expect(await storage.vectors.upsert(id, vector)).toBe(true);
  } finally {
    await storage.close();
  }
}
