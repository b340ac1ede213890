import { describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';

describe('SqliteAnalysisStore.interruptAbandonedSessions', () => {
  it('marks only live sessions of the given cameras that are still running', async () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteAnalysisStore(db);
    const source = (cameraId: string, uri: string) =>
      store.upsertSource({ uri, kind: 'stream', fingerprint: `url:${uri}`, codec: 'h264', width: 640, height: 480, fps: 10 }, cameraId);
    const run = async (cameraId: string, settings: Record<string, unknown>, key: string) =>
      store.createRun({ sourceId: await source(cameraId, `rtsp://${cameraId}`), cameraId, settingsKey: key, settings, startTimeMs: 0, startTimeSource: 'clock', startedAt: 0 });

    const abandoned = await run('door', { session: 1000 }, 'a');
    const ended = await run('door', { session: 900 }, 'b');
    await store.finishRun(ended.id, 'complete', 950);
    const file = await run('door', { fps: 5 }, 'c');
    const frigate = await run('door', { source: 'frigate', camera: 'door' }, 'frigate');
    const otherCamera = await run('yard', { session: 1000 }, 'd');

    expect(await store.interruptAbandonedSessions(['door'], 5000)).toBe(1);
    const status = (id: number) => db.prepare('SELECT status, finished_at AS finishedAt FROM analysis_runs WHERE id = ?').get(id);
    expect(status(abandoned.id)).toEqual({ status: 'interrupted', finishedAt: 5000 });
    expect(status(ended.id)).toEqual({ status: 'complete', finishedAt: 950 });
    expect([file, frigate, otherCamera].map((r) => status(r.id))).toEqual([
      { status: 'running', finishedAt: null },
      { status: 'running', finishedAt: null },
      { status: 'running', finishedAt: null },
    ]);
    db.close();
  });
});

describe('run ids', () => {
  it('are never given twice, even after the newest run is deleted', async () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteAnalysisStore(db);
    const sourceId = await store.upsertSource({ uri: 'a.mp4', kind: 'file', fingerprint: 'f1', codec: 'h264', width: 640, height: 480, fps: 10 }, 'cam');
    const create = async (key: string) => (await store.createRun({ sourceId, cameraId: 'cam', settingsKey: key, settings: {}, startTimeMs: 0, startTimeSource: 'clock', startedAt: 0 })).id;
    const first = await create('a');
    const second = await create('b');
    await store.deleteRun(second);
    const third = await create('c');
    expect([second, third]).toEqual([first + 1, first + 2]);
    db.close();
  });
});

describe('claimRun', () => {
  const newRun = (sourceId: number, startedAt = 0) => ({ sourceId, cameraId: 'cam', settingsKey: 'k', settings: { fps: 5 }, startTimeMs: 0, startTimeSource: 'clock', startedAt });
  async function setup(options: { alive?: (pid: number) => boolean } = {}) {
    const db = openSqliteDatabase(':memory:');
    let now = 1_000_000;
    const clock = { now: () => now, advance: (ms: number) => (now += ms) };
    const store = (pid: number, host = 'here') =>
      new SqliteAnalysisStore(db, { now: clock.now, owner: { host, pid }, processExists: options.alive ?? (() => true) });
    const first = store(101);
    const sourceId = await first.upsertSource({ uri: 'a.mp4', kind: 'file', fingerprint: 'f1', codec: 'h264', width: 640, height: 480, fps: 10 }, 'cam');
    return { db, clock, store, first, sourceId };
  }
  const frame = (index: number) => ({ index, timestampMs: index * 100, ptsSeconds: index / 10, detected: false, changedFraction: 0, detections: [] });

  it('refuses a run another live process is writing, naming it, and changes nothing', async () => {
    const { db, store, first, sourceId } = await setup();
    const created = await first.claimRun(newRun(sourceId));
    expect(created.kind).toBe('created');
    await first.commitFrames(created.run.id, [frame(0), frame(1)]);
    const second = await store(202).claimRun(newRun(sourceId));
    expect(second).toMatchObject({ kind: 'busy', owner: { host: 'here', pid: 101 }, heartbeatAgeMs: 0, run: { id: created.run.id, lastFrameIndex: 1 } });
    // The first process goes on writing undisturbed.
    expect((await first.commitFrames(created.run.id, [frame(2)])).lastFrameIndex).toBe(2);
    db.close();
  });

  it('takes over a run whose process no longer exists on this host at once, and one silent for 30 s from anywhere', async () => {
    const dead = await setup({ alive: (pid) => pid !== 101 });
    const run = (await dead.first.claimRun(newRun(dead.sourceId))).run;
    await dead.first.commitFrames(run.id, [frame(0)]);
    expect(await dead.store(202).claimRun(newRun(dead.sourceId))).toMatchObject({ kind: 'reopened', run: { id: run.id, lastFrameIndex: 0 } });

    const remote = await setup();
    const remoteRun = (await remote.store(101, 'elsewhere').claimRun(newRun(remote.sourceId))).run;
    const local = remote.store(202);
    expect((await local.claimRun(newRun(remote.sourceId))).kind).toBe('busy');
    remote.clock.advance(29_000);
    expect((await local.claimRun(newRun(remote.sourceId))).kind).toBe('busy');
    remote.clock.advance(1_000);
    expect(await local.claimRun(newRun(remote.sourceId))).toMatchObject({ kind: 'reopened', run: { id: remoteRun.id } });
    dead.db.close();
    remote.db.close();
  });

  it('keeps a run alive with heartbeats, and stops a writer whose run was taken over', async () => {
    const { db, clock, store, first, sourceId } = await setup();
    const run = (await first.claimRun(newRun(sourceId))).run;
    clock.advance(25_000);
    await first.heartbeat(run.id);
    clock.advance(25_000);
    expect((await store(202, 'elsewhere').claimRun(newRun(sourceId))).kind).toBe('busy');
    clock.advance(31_000);
    const other = store(202, 'elsewhere');
    expect((await other.claimRun(newRun(sourceId))).kind).toBe('reopened');
    await expect(first.commitFrames(run.id, [frame(0)])).rejects.toThrow(/taken over by another process/);
    expect((await other.commitFrames(run.id, [frame(0)])).lastFrameIndex).toBe(0);
    db.close();
  });

  it('reports a complete run, and finds a run stored under a legacy key (re-keying it)', async () => {
    const { db, first, sourceId } = await setup();
    const legacy = await first.createRun({ ...newRun(sourceId), settingsKey: 'old' });
    await first.finishRun(legacy.id, 'complete', 5);
    const claim = await first.claimRun(newRun(sourceId), { legacyKeys: ['old'] });
    expect(claim).toMatchObject({ kind: 'complete', run: { id: legacy.id, settingsKey: 'k' } });
    expect(await first.claimRun(newRun(sourceId))).toMatchObject({ kind: 'complete', run: { id: legacy.id } });
    db.close();
  });

  it('a run that started before heartbeats existed (none recorded) is resumed as before', async () => {
    const { db, store, first, sourceId } = await setup();
    const old = await first.createRun(newRun(sourceId));
    expect(await store(202).claimRun(newRun(sourceId))).toMatchObject({ kind: 'reopened', run: { id: old.id } });
    db.close();
  });
});

describe('carryOverDescriptions', () => {
  it("gives a new event the old one's description and finished job, never overwriting one it has", async () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteAnalysisStore(db);
    const sourceId = await store.upsertSource({ uri: 'a.mp4', kind: 'file', fingerprint: 'f1', codec: 'h264', width: 640, height: 480, fps: 10 }, 'back');
    const run = async (key: string) => (await store.createRun({ sourceId, cameraId: 'back', settingsKey: key, settings: {}, startTimeMs: 0, startTimeSource: 'clock', startedAt: 0 })).id;
    const [oldRun, newRun] = [await run('a'), await run('b')];
    const event = (id: string, runId: number) => ({ ...storedEvent({ id, startMs: 1000, en: 'x', zhHant: 'x' }), runId });
    await store.commitFrames(oldRun, [], { events: [event('old-1', oldRun), event('old-2', oldRun)] });
    await store.commitFrames(newRun, [], { events: [event('new-1', newRun), event('new-2', newRun)] });
    const describe = db.prepare(
      `INSERT INTO event_descriptions (event_id, provider, model, created_at, raw_text, text_for_search) VALUES (?, 'p', ?, 1, 'text', 'words')`,
    );
    describe.run('old-1', 'old-model');
    describe.run('old-2', 'old-model');
    describe.run('new-2', 'new-model');
    db.prepare(
      `INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
       VALUES ('describe_event', 'old-1', 'old-1', '{"requestedBy":"auto"}', 'done', 1, 1, 0, 1, 1),
              ('describe_event', 'new-1', 'new-1', '{"requestedBy":"auto"}', 'queued', 0, 0, 0, 2, 2)`,
    ).run();

    expect(await store.carryOverDescriptions([{ from: 'old-1', to: 'new-1' }, { from: 'old-2', to: 'new-2' }])).toBe(1);
    await store.deleteRun(oldRun);
    expect(db.prepare('SELECT event_id, model FROM event_descriptions ORDER BY event_id').all()).toEqual([
      { event_id: 'new-1', model: 'old-model' },
      { event_id: 'new-2', model: 'new-model' },
    ]);
    // The queued job that would have paid for the same description again is done.
    expect(db.prepare("SELECT key, status FROM jobs WHERE kind = 'describe_event'").all()).toEqual([{ key: 'new-1', status: 'done' }]);
    db.close();
  });
});
