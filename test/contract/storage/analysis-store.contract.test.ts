import { afterEach, describe, expect, it } from 'vitest';
import type { NewRun, StoredFrame } from '../../../src/ports/analysis-store.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import type { VideoInfo } from '../../../src/ports/video-input.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { type StorageBackend, storageBackends, type TestStorage, wordsDocument } from './backends.ts';

const FILE: VideoInfo = { uri: 'a.mp4', kind: 'file', fingerprint: 'f1', codec: 'h264', width: 640, height: 480, fps: 10 };
const stream = (cameraId: string): VideoInfo => ({ uri: `rtsp://${cameraId}`, kind: 'stream', fingerprint: `url:rtsp://${cameraId}`, codec: 'h264', width: 640, height: 480, fps: 10 });
const newRun = (sourceId: number, overrides: Partial<NewRun> = {}): NewRun => ({
  sourceId,
  cameraId: 'cam',
  settingsKey: 'k',
  settings: { fps: 5 },
  startTimeMs: 0,
  startTimeSource: 'clock',
  startedAt: 0,
  ...overrides,
});
const frame = (index: number, overrides: Partial<StoredFrame> = {}): StoredFrame => ({
  index,
  timestampMs: index * 100,
  ptsSeconds: index / 10,
  detected: false,
  changedFraction: 0,
  detections: [],
  ...overrides,
});
const box = (x: number) => ({ x1: x, y1: x + 1, x2: x + 10.5, y2: x + 20.25 });
const words = (text: string) => ({ text: { groups: text.split(' ').map((w) => [w]), mode: 'all' as const }, limit: 10, order: 'oldest' as const });

describe.each(await storageBackends())('AnalysisStore on %s', (backend: StorageBackend) => {
  const opened: TestStorage[] = [];
  const create = async (...args: Parameters<StorageBackend['create']>) => {
    const test = await backend.create(...args);
    opened.push(test);
    return test;
  };
  afterEach(async () => {
    for (const test of opened.splice(0)) await test.dispose();
  });

  describe('runs, frames and detections', () => {
    it('commits batches atomically with their progress, and reads them back in order for a resume', async () => {
      const { storage } = await create();
      const sourceId = await storage.analyses.upsertSource(FILE, 'cam');
      expect(await storage.analyses.upsertSource({ ...FILE, uri: 'moved.mp4', mtimeMs: 1234.5 }, 'cam')).toBe(sourceId);
      const run = await storage.analyses.createRun(newRun(sourceId, { settings: { fps: 5, zones: ['door'] } }));
      expect(run).toMatchObject({ status: 'running', lastFrameIndex: -1, settingsKey: 'k', settings: { fps: 5, zones: ['door'] } });
      expect(await storage.analyses.findRun(sourceId, 'cam', 'k')).toEqual(run);
      expect(await storage.analyses.findRun(sourceId, 'cam', 'other')).toBeUndefined();

      const frames = [
        frame(0, {
          detected: true,
          changedFraction: 0.25,
          imagePath: 'frames/0.jpg',
          detections: [
            { label: 'person', score: 0.9, box: box(1), trackId: 't1', confident: true },
            { label: 'person', score: 0.2, box: box(2), confident: false },
            { label: 'car', score: 0.3, box: box(3), trackId: 't2', confident: false },
          ],
        }),
        frame(1),
        frame(2, { detected: true, detections: [{ label: 'person', score: 0.8, box: box(4), trackId: 't1', confident: true }] }),
      ];
      const tracks = [
        { trackId: 't1', label: 'person', family: 'person' as const, firstMs: 0, lastMs: 200, firstFrame: 0, lastFrame: 2, hits: 2 },
        { trackId: 't2', label: 'car', family: 'vehicle' as const, firstMs: 0, lastMs: 0, firstFrame: 0, lastFrame: 0, hits: 1 },
      ];
      const after = await storage.analyses.commitFrames(run.id, frames.slice(0, 2), { tracks });
      expect(after).toMatchObject({ lastFrameIndex: 1, counts: { framesDecoded: 2, framesDetected: 1, framesSkipped: 1, detections: 2 } });
      const later = await storage.analyses.commitFrames(run.id, frames.slice(2), { tracks: [{ ...tracks[0]!, hits: 3 }] });
      expect(later).toMatchObject({ lastFrameIndex: 2, counts: { framesDecoded: 3, framesDetected: 2, framesSkipped: 1, detections: 3 } });

      expect(await storage.analyses.readFrames(run.id, 2)).toEqual(frames);
      expect(await storage.analyses.readFrames(run.id, 0)).toEqual(frames.slice(0, 1));
      expect(await storage.analyses.detectionCountsByLabel(run.id)).toEqual({ car: 1, person: 2 });
      expect(await storage.analyses.countTracks(run.id)).toBe(2);
    });

    it('a failed batch stores nothing and leaves the run where it was', async () => {
      const { storage } = await create();
      const sourceId = await storage.analyses.upsertSource(FILE, 'cam');
      const run = await storage.analyses.createRun(newRun(sourceId));
      await storage.analyses.commitFrames(run.id, [frame(0)]);
      // Frame 0 again: the batch breaks the frames' key, after frame 1 was written.
      await expect(storage.analyses.commitFrames(run.id, [frame(1), frame(0)], { events: [storedEvent({ id: 'e1', runId: run.id, startMs: 0, en: 'x', zhHant: 'x' })] })).rejects.toThrow();
      expect(await storage.analyses.findRun(sourceId, 'cam', 'k')).toMatchObject({ lastFrameIndex: 0, counts: { framesDecoded: 1 } });
      expect(await storage.analyses.readFrames(run.id, 10)).toEqual([frame(0)]);
      expect(await storage.events.getEvent('e1')).toBeUndefined();
    });

    it('finishes, reopens (dropping frames past the last commit), re-settles and deletes runs', async () => {
      const { storage } = await create();
      const sourceId = await storage.analyses.upsertSource(FILE, 'cam');
      const run = await storage.analyses.createRun(newRun(sourceId));
      const other = await storage.analyses.createRun(newRun(sourceId, { settingsKey: 'k2' }));
      await storage.analyses.commitFrames(run.id, [frame(0), frame(1)]);
      expect(await storage.analyses.finishRun(run.id, 'failed', 50, 'decoder crashed')).toMatchObject({ status: 'failed', finishedAt: 50, error: 'decoder crashed' });
      const reopened = await storage.analyses.reopenRun(run.id, 60);
      expect(reopened).toMatchObject({ status: 'running', startedAt: 60, lastFrameIndex: 1 });
      expect(reopened.finishedAt).toBeUndefined();
      expect(reopened.error).toBeUndefined();
      expect(await storage.analyses.markInputIncomplete(run.id, 'the last 2 s are missing')).toMatchObject({ inputIncomplete: 'the last 2 s are missing' });
      await storage.analyses.updateRunSettings(run.id, { fps: 5, renamed: true });
      expect((await storage.analyses.findRun(sourceId, 'cam', 'k'))?.settings).toEqual({ fps: 5, renamed: true });
      expect(await storage.analyses.otherRuns(sourceId, 'cam', run.id)).toEqual([other.id]);

      await storage.analyses.commitFrames(other.id, [], { events: [storedEvent({ id: 'gone', runId: other.id, startMs: 0, en: 'x', zhHant: 'x' })] });
      await storage.analyses.deleteRun(other.id);
      await storage.analyses.deleteRun(other.id); // already gone: nothing to do
      expect(await storage.analyses.otherRuns(sourceId, 'cam', run.id)).toEqual([]);
      expect(await storage.events.getEvent('gone')).toBeUndefined();
      await expect(storage.analyses.finishRun(other.id, 'complete', 1)).rejects.toThrow(`Analysis run ${other.id} does not exist`);
    });

    it('gives run ids never given before, even after the newest run is deleted', async () => {
      const { storage } = await create();
      const sourceId = await storage.analyses.upsertSource(FILE, 'cam');
      const createRun = async (key: string) => (await storage.analyses.createRun(newRun(sourceId, { settingsKey: key }))).id;
      const first = await createRun('a');
      const second = await createRun('b');
      await storage.analyses.deleteRun(second);
      const third = await createRun('c');
      expect([second, third]).toEqual([first + 1, first + 2]);
    });
  });

  describe('interruptAbandonedSessions', () => {
    it('marks only live sessions of the given cameras still running with no live writer', async () => {
      const test = await create({ runOwner: { owner: { host: 'here', pid: 101 }, processExists: () => true } });
      const store = test.storage.analyses;
      const run = async (cameraId: string, settings: Record<string, unknown>, key: string) =>
        store.createRun({ ...newRun(await store.upsertSource(stream(cameraId), cameraId), { cameraId, settings, settingsKey: key }) });
      const abandoned = await run('door', { session: 1000 }, 'a');
      const ended = await run('door', { session: 900 }, 'b');
      await store.finishRun(ended.id, 'complete', 950);
      const file = await run('door', { fps: 5 }, 'c');
      const frigate = await run('door', { source: 'frigate', camera: 'door' }, 'frigate');
      const nullSession = await run('door', { session: null }, 'n');
      const otherCamera = await run('yard', { session: 1000 }, 'd');
      // Sessions a live process writes: another one sharing the database, and this one.
      const doorSource = await store.upsertSource(stream('door'), 'door');
      const worker = test.another({ runOwner: { owner: { host: 'elsewhere', pid: 7 } } });
      const byWorker = await worker.analyses.claimRun(newRun(doorSource, { cameraId: 'door', settings: { session: 1100 }, settingsKey: 'w', startedAt: Date.now() }));
      const byThis = await store.claimRun(newRun(doorSource, { cameraId: 'door', settings: { session: 1200 }, settingsKey: 't' }));

      expect(await store.interruptAbandonedSessions(['door'], Date.now())).toBe(1);
      const status = async (cameraId: string, key: string) => {
        const found = await store.findRun(await store.upsertSource(stream(cameraId), cameraId), cameraId, key);
        return { status: found?.status, finishedAt: found?.finishedAt };
      };
      expect((await status('door', 'a')).status).toBe('interrupted');
      expect(await status('door', 'b')).toEqual({ status: 'complete', finishedAt: 950 });
      for (const [camera, key] of [['door', 'c'], ['door', 'frigate'], ['door', 'n'], ['yard', 'd'], ['door', 'w'], ['door', 't']] as const) {
        expect(await status(camera, key), `${camera}/${key}`).toEqual({ status: 'running', finishedAt: undefined });
      }
      expect([abandoned, file, frigate, nullSession, otherCamera].every((r) => r.id > 0)).toBe(true);
      expect([byWorker.kind, byThis.kind]).toEqual(['created', 'created']);
    });
  });

  describe('claimRun', () => {
    async function setup(options: { alive?: (pid: number) => boolean } = {}) {
      let now = 1_000_000;
      const clock = { now: () => now, advance: (ms: number) => (now += ms) };
      const processExists = options.alive ?? (() => true);
      const test = await create({ now: clock.now, runOwner: { owner: { host: 'here', pid: 101 }, processExists } });
      /** Another process on the same database. */
      const store = (pid: number, host = 'here') => test.another({ runOwner: { owner: { host, pid }, processExists } }).analyses;
      const first = test.storage.analyses;
      const sourceId = await first.upsertSource(FILE, 'cam');
      return { clock, store, first, sourceId };
    }

    it('refuses a run another live process is writing, naming it, and changes nothing', async () => {
      const { store, first, sourceId } = await setup();
      const created = await first.claimRun(newRun(sourceId));
      expect(created.kind).toBe('created');
      await first.commitFrames(created.run.id, [frame(0), frame(1)]);
      const second = await store(202).claimRun(newRun(sourceId));
      expect(second).toMatchObject({ kind: 'busy', owner: { host: 'here', pid: 101 }, heartbeatAgeMs: 0, run: { id: created.run.id, lastFrameIndex: 1 } });
      // The first process goes on writing undisturbed.
      expect((await first.commitFrames(created.run.id, [frame(2)])).lastFrameIndex).toBe(2);
    });

    it('is busy for the same store while it still writes the run, and reopens it once finished', async () => {
      const { first, sourceId } = await setup();
      const created = await first.claimRun(newRun(sourceId));
      expect((await first.claimRun(newRun(sourceId))).kind).toBe('busy');
      await first.finishRun(created.run.id, 'interrupted', 5);
      expect(await first.claimRun(newRun(sourceId, { startedAt: 9 }))).toMatchObject({ kind: 'reopened', run: { id: created.run.id, status: 'running', startedAt: 9 } });
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
    });

    it('keeps a run alive with heartbeats, and stops a writer whose run was taken over', async () => {
      const { clock, store, first, sourceId } = await setup();
      const run = (await first.claimRun(newRun(sourceId))).run;
      clock.advance(25_000);
      await first.heartbeat(run.id);
      clock.advance(25_000);
      expect((await store(202, 'elsewhere').claimRun(newRun(sourceId))).kind).toBe('busy');
      clock.advance(31_000);
      const other = store(202, 'elsewhere');
      expect((await other.claimRun(newRun(sourceId))).kind).toBe('reopened');
      await expect(first.commitFrames(run.id, [frame(0)])).rejects.toThrow(/taken over by another process/);
      await expect(first.commitFrames(run.id, [])).rejects.toThrow(/taken over by another process/);
      expect((await other.commitFrames(run.id, [frame(0)])).lastFrameIndex).toBe(0);
      // The old writer's heartbeats no longer count.
      clock.advance(31_000);
      await first.heartbeat(run.id);
      expect((await store(303, 'third').claimRun(newRun(sourceId))).kind).toBe('reopened');
    });

    it('reports a complete run, and finds a run stored under a legacy key (re-keying it)', async () => {
      const { first, sourceId } = await setup();
      const legacy = await first.createRun(newRun(sourceId, { settingsKey: 'old' }));
      await first.finishRun(legacy.id, 'complete', 5);
      const claim = await first.claimRun(newRun(sourceId), { legacyKeys: ['older', 'old'] });
      expect(claim).toMatchObject({ kind: 'complete', run: { id: legacy.id, settingsKey: 'k', settings: { fps: 5 } } });
      expect(await first.claimRun(newRun(sourceId))).toMatchObject({ kind: 'complete', run: { id: legacy.id } });
      expect(await first.findRun(sourceId, 'cam', 'old')).toBeUndefined();
    });

    it('resumes a run that never recorded a heartbeat (created unclaimed) as before', async () => {
      const { store, first, sourceId } = await setup();
      const old = await first.createRun(newRun(sourceId));
      expect(await store(202).claimRun(newRun(sourceId))).toMatchObject({ kind: 'reopened', run: { id: old.id } });
    });

    it('lets exactly one of several processes claiming at once create each run', async () => {
      const { store, sourceId } = await setup();
      const processes = [store(201), store(202), store(203), store(204)];
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const claims = await Promise.all(keys.flatMap((key) => processes.map((p) => p.claimRun(newRun(sourceId, { settingsKey: key })))));
      for (const [n, key] of keys.entries()) {
        const ofKey = claims.slice(n * processes.length, (n + 1) * processes.length);
        expect(ofKey.map((c) => c.kind).sort(), key).toEqual(['busy', 'busy', 'busy', 'created']);
        expect(new Set(ofKey.map((c) => c.run.id)).size, key).toBe(1);
      }
    });
  });

  describe('events and their search entries', () => {
    /** An indexer that puts plain words in the search document: names from `names`. */
    const indexerNaming = (names: string) => (stored: { event: { summary: { en: string }; keywords: readonly string[] } }) =>
      wordsDocument({ summary: stored.event.summary.en.toLowerCase(), keywords: stored.event.keywords.join(' '), names });

    async function seeded(names = 'backyard') {
      const test = await create({ indexer: indexerNaming(names) });
      const { analyses } = test.storage;
      const sourceId = await analyses.upsertSource(FILE, 'back');
      const runId = (await analyses.createRun(newRun(sourceId, { cameraId: 'back' }))).id;
      const event = (id: string, en: string, cameraId = 'back') => storedEvent({ id, cameraId, runId, startMs: 1_000, en, zhHant: en });
      return { test, storage: test.storage, runId, event };
    }
    const found = async (storage: Storage, text: string) => (await storage.search.search(words(text))).hits.map((h) => h.stored.event.id).sort();

    it('rewrites events and their search entries together', async () => {
      const { storage, runId, event } = await seeded();
      await storage.analyses.commitFrames(runId, [], { events: [event('e1', 'heron landed'), event('e2', 'heron left')] });
      expect(await found(storage, 'heron')).toEqual(['e1', 'e2']);
      await storage.analyses.rewriteEvents([{ ...event('e1', 'egret landed'), thumbnails: { p1: 't.jpg' } }]);
      expect(await found(storage, 'heron')).toEqual(['e2']);
      expect(await found(storage, 'egret')).toEqual(['e1']);
      expect((await storage.events.getEvent('e1'))?.thumbnails).toEqual({ p1: 't.jpg' });
      await storage.analyses.rewriteEvents([]);
    });

    it('stores an event given twice in one batch once: its last content, where and when it first started', async () => {
      const { storage, runId, event } = await seeded();
      const first = event('e1', 'heron');
      const last = event('e1', 'heron and egret');
      last.event.startMs = 500;
      last.event.endMs = 9_000;
      last.event.labels = ['person', 'car'];
      await storage.analyses.commitFrames(runId, [], { events: [first, last] });
      expect(await storage.events.getEvent('e1')).toEqual({ ...last, event: { ...last.event, startMs: 1_000 } });
      expect((await storage.events.listEvents({ label: 'car' })).map((e) => e.event.id)).toEqual(['e1']);
      expect(await found(storage, 'egret')).toEqual(['e1']);
    });

    it('re-indexes every event, or one camera, with the names now configured, keeping descriptions searchable', async () => {
      const { test, storage, runId, event } = await seeded('backyard');
      await storage.analyses.commitFrames(runId, [], { events: [event('e1', 'heron'), event('e2', 'egret'), event('f1', 'crane', 'front')] });
      expect(await storage.descriptions.save('e1', { provider: 'p', model: 'm', flagged: false, rawText: 'zebra', textForSearch: 'zebra' })).toBe(true);
      expect(await found(storage, 'zebra')).toEqual(['e1']);
      expect(await storage.searchIndex.reindexEvents(false)).toBe(0);

      // Another process configured with new names for the cameras.
      const renamed = test.another({ indexer: indexerNaming('garden') });
      const progress: number[] = [];
      expect(await renamed.searchIndex.reindexCamera('back', (done) => progress.push(done))).toBe(2);
      expect(progress).toEqual([2]);
      expect(await found(storage, 'garden')).toEqual(['e1', 'e2']);
      expect(await found(storage, 'backyard')).toEqual(['f1']);
      expect(await found(storage, 'zebra')).toEqual(['e1']);
      expect(await renamed.searchIndex.reindexEvents(true)).toBe(3);
      expect(await found(storage, 'garden')).toEqual(['e1', 'e2', 'f1']);
      expect(await found(storage, 'zebra garden')).toEqual(['e1']);
    });

    it('tells which cameras were indexed with other names than those configured now', async () => {
      const { storage } = await seeded();
      expect(await storage.searchIndex.changedCameraNames(new Map([['back', '["Back"]']]))).toEqual([]);
      await storage.searchIndex.recordCameraNames(new Map([['back', '["Back"]'], ['front', '["Front"]']]));
      expect(await storage.searchIndex.changedCameraNames(new Map([['back', '["Back","Yard"]'], ['front', '["Front"]'], ['side', '["Side"]']]))).toEqual(['back']);
      await storage.searchIndex.recordCameraNames(new Map([['back', '["Back","Yard"]']]));
      expect(await storage.searchIndex.changedCameraNames(new Map([['back', '["Back","Yard"]']]))).toEqual([]);
    });

    it("gives a new event the old one's description and finished job, never overwriting one it has", async () => {
      const { storage, event } = await seeded();
      const { analyses, descriptions, jobs } = storage;
      const sourceId = await analyses.upsertSource(FILE, 'back');
      const [oldRun, newRunId] = [(await analyses.createRun(newRun(sourceId, { cameraId: 'back', settingsKey: 'a' }))).id, (await analyses.createRun(newRun(sourceId, { cameraId: 'back', settingsKey: 'b' }))).id];
      const at = (id: string, runId: number) => ({ ...event(id, 'x'), runId });
      await analyses.commitFrames(oldRun, [], { events: [at('old-1', oldRun), at('old-2', oldRun)] });
      await analyses.commitFrames(newRunId, [], { events: [at('new-1', newRunId), at('new-2', newRunId)] });
      const description = (model: string) => ({ provider: 'p', model, flagged: false, rawText: 'text', textForSearch: 'okapi' });
      // old-1's description came from its finished job; new-1's own job is still queued.
      await jobs.enqueue({ kind: 'describe_event', key: 'old-1', payload: { requestedBy: 'auto' } });
      const lease = await jobs.claim('describe_event', 'old-1', { leaseMs: 60_000 });
      expect(await jobs.complete(lease!, { output: { kind: 'description', description: description('old-model') } })).toBe('done');
      await descriptions.save('old-2', description('old-model'));
      await descriptions.save('new-2', description('new-model'));
      await jobs.enqueue({ kind: 'describe_event', key: 'new-1', payload: { requestedBy: 'auto' } });

      expect(await analyses.carryOverDescriptions([{ from: 'old-1', to: 'new-1' }, { from: 'old-2', to: 'new-2' }, { from: 'old-1', to: 'missing' }])).toBe(1);
      await analyses.deleteRun(oldRun);
      expect((await descriptions.get('new-1'))?.model).toBe('old-model');
      expect((await descriptions.get('new-2'))?.model).toBe('new-model');
      expect(await descriptions.get('old-1')).toBeUndefined();
      // The queued job that would have paid for the same description again is done.
      expect((await jobs.get('describe_event', 'new-1'))?.status).toBe('done');
      expect(await jobs.get('describe_event', 'old-1')).toBeUndefined();
      // The carried description is searchable with its event.
      expect(await found(storage, 'okapi')).toEqual(['new-1', 'new-2']);
    });
  });
});
