import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunStatus, StoredEvent, StoredFrame, TrackSummary } from '../../../src/ports/analysis-store.ts';
import type { PrunedBatch } from '../../../src/ports/retention-store.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const HOUR = 3_600_000;
/** The retention cutoff of most tests: rows of source time before it expire. */
const T = Date.UTC(2026, 0, 10);

interface EventSpec {
  id: string;
  startMs: number;
  endMs: number;
  status?: 'open' | 'closed';
  snapshotFrame: number;
  /** Frames its evidence shows (default: its snapshot frame). */
  evidenceFrames?: number[];
  /** Track ids of its actors (default: p1). */
  actors?: string[];
  label?: string;
  clipFrames?: string[];
}

interface RunSeed {
  cameraId?: string;
  /** `live`: a stream with a session; `frigate`: Frigate's stream run; `file`: `vigil analyze`. */
  kind: 'live' | 'frigate' | 'file';
  status: RunStatus;
  startedAt?: number;
  /** Frame i at frames[i].ts; with an image file unless `image` is false. */
  frames?: Array<{ ts: number; image?: boolean }>;
  events?: EventSpec[];
  tracks?: Array<{ id: string; lastMs: number }>;
  /** Another run of the source this one was seeded with. */
  sourceOf?: Seeded;
}

interface Seeded {
  runId: number;
  sourceId: number;
  cameraId: string;
  settingsKey: string;
}

const framePath = (runId: number, index: number) => `runs/${runId}/frames/${String(index).padStart(7, '0')}.jpg`;
const snapshotPath = (runId: number, eventId: string) => `runs/${runId}/events/${eventId}/snapshot.jpg`;
const thumbPath = (runId: number, eventId: string) => `runs/${runId}/events/${eventId}/thumb-p1.jpg`;

let sequence = 0;

/** Stores a run with its frames (one detection each), tracks and events, through the analysis store. */
async function seedRun(storage: Storage, seed: RunSeed): Promise<Seeded> {
  sequence++;
  const cameraId = seed.cameraId ?? 'front';
  const startedAt = seed.startedAt ?? T - 20 * HOUR;
  const sourceId =
    seed.sourceOf?.sourceId ??
    (await storage.analyses.upsertSource(
      {
        uri: seed.kind === 'frigate' ? `frigate://${cameraId}` : `${cameraId}-${sequence}`,
        kind: seed.kind === 'file' ? 'file' : 'stream',
        fingerprint: `fp-${sequence}`,
        codec: 'h264',
        width: 640,
        height: 480,
        fps: 5,
      },
      cameraId,
    ));
  const settings = seed.kind === 'live' ? { session: sequence } : seed.kind === 'frigate' ? { source: 'frigate' } : { fps: 5 };
  const settingsKey = `k${sequence}`;
  const runId = (await storage.analyses.createRun({ sourceId, cameraId, settingsKey, settings, startTimeMs: startedAt, startTimeSource: 'test', startedAt })).id;
  const frames: StoredFrame[] = (seed.frames ?? []).map((f, index) => ({
    index,
    timestampMs: f.ts,
    ptsSeconds: index,
    detected: true,
    changedFraction: 0.1,
    detections: [{ label: 'person', score: 0.9, box: { x1: 1, y1: 1, x2: 20, y2: 40 }, confident: true, trackId: 'p1' }],
    ...(f.image === false ? {} : { imagePath: framePath(runId, index) }),
  }));
  const tracks: TrackSummary[] = (seed.tracks ?? []).map((t) => ({ trackId: t.id, label: 'person', family: 'person', firstMs: t.lastMs - 1000, lastMs: t.lastMs, firstFrame: 0, lastFrame: 0, hits: 3 }));
  const events = (seed.events ?? []).map((e): StoredEvent => {
    const base = storedEvent({ id: e.id, cameraId, startMs: e.startMs, durationMs: e.endMs - e.startMs, labels: [e.label ?? 'person'], en: `Someone walked by ${e.id}`, zhHant: '有人經過', runId });
    const template = base.event.evidence[0]!;
    return {
      ...base,
      event: {
        ...base.event,
        status: e.status ?? 'closed',
        startFrameIndex: e.snapshotFrame,
        endFrameIndex: e.snapshotFrame,
        snapshotFrameIndex: e.snapshotFrame,
        actors: (e.actors ?? ['p1']).map((trackId) => ({ trackId, label: 'person', family: 'person' })),
        evidence: (e.evidenceFrames ?? [e.snapshotFrame]).map((frameIndex) => ({ ...template, frameIndex })),
      },
      snapshotPath: snapshotPath(runId, e.id),
      thumbnails: { p1: thumbPath(runId, e.id) },
      ...(e.clipFrames ? { clipFrames: e.clipFrames } : {}),
    };
  });
  await storage.analyses.commitFrames(runId, frames, { tracks, events });
  if (seed.status !== 'running') await storage.analyses.finishRun(runId, seed.status, startedAt + HOUR);
  return { runId, sourceId, cameraId, settingsKey };
}

/**
 * A live camera's running run: frames 0-9 an hour apart before T (frame 5 without an image),
 * 10-11 after; an expired closed event, an old open one (frames 2 and 3, actor p2) and one
 * across T (snapshot frame 11, evidence frame 9); tracks p1 (its actor) and p3 expired, p2 and p4 not.
 * Event ids are unique across runs: `idPrefix` tells those of a second such run apart.
 */
function liveRun(status: RunStatus = 'running', idPrefix = ''): RunSeed {
  return {
    kind: 'live',
    status,
    frames: [...Array.from({ length: 10 }, (_, i) => ({ ts: T - (10 - i) * HOUR, image: i !== 5 })), { ts: T + HOUR }, { ts: T + 2 * HOUR }],
    events: [
      { id: `${idPrefix}old-closed`, startMs: T - 10 * HOUR, endMs: T - 9 * HOUR, snapshotFrame: 0, actors: ['p1'] },
      { id: `${idPrefix}old-open`, startMs: T - 8 * HOUR, endMs: T - 7 * HOUR, status: 'open', snapshotFrame: 2, evidenceFrames: [2, 3], actors: ['p2'], label: 'car' },
      { id: `${idPrefix}straddling`, startMs: T - HOUR, endMs: T + HOUR, snapshotFrame: 11, evidenceFrames: [9, 11], actors: ['p4'] },
    ],
    tracks: [
      { id: 'p1', lastMs: T - 9 * HOUR },
      { id: 'p2', lastMs: T - 7 * HOUR },
      { id: 'p3', lastMs: T - 5 * HOUR },
      { id: 'p4', lastMs: T + 2 * HOUR },
    ],
  };
}

/** Prunes in batches until done: the batches, each checked against the limit. */
async function pruneAll(storage: Storage, runId: number, beforeMs: number, limit: number): Promise<PrunedBatch[]> {
  const batches: PrunedBatch[] = [];
  for (let done = false; !done; ) {
    const batch = await storage.retention.pruneBefore(runId, beforeMs, limit);
    for (const n of [batch.events, batch.frames, batch.tracks]) expect(n).toBeLessThanOrEqual(limit);
    batches.push(batch);
    done = batch.done;
    if (batches.length > 100) throw new Error('pruneBefore never says done');
  }
  return batches;
}

function total(batches: PrunedBatch[]): PrunedBatch {
  return batches.reduce(
    (sum, b) => ({
      events: sum.events + b.events,
      frames: sum.frames + b.frames,
      detections: sum.detections + b.detections,
      tracks: sum.tracks + b.tracks,
      files: [...sum.files, ...b.files].sort(),
      done: b.done,
    }),
    { events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true },
  );
}

const sorted = (files: string[]) => [...files].sort();

describe.each(await storageBackends())('RetentionStore on %s', (backend) => {
  let test: TestStorage;
  let storage: Storage;

  beforeEach(async () => {
    test = await backend.create();
    storage = test.storage;
  });

  afterEach(async () => {
    await test.dispose();
  });

  const eventIds = async (runId: number) => (await storage.events.listEvents({ runId })).map((e) => e.event.id).sort();
  const keptFrames = async (runId: number) => [...(await storage.events.framePaths(runId, Array.from({ length: 12 }, (_, i) => i))).keys()].sort((a, b) => a - b);

  it('lists runs with their source times, and which ones a resume would replay', async () => {
    const live = await seedRun(storage, { ...liveRun(), startedAt: T - 30 * HOUR });
    const interrupted = await seedRun(storage, { kind: 'file', status: 'interrupted', startedAt: T - 2 * HOUR, frames: [{ ts: T - 400 * HOUR }, { ts: T - 399 * HOUR }] });
    const analysing = await seedRun(storage, { kind: 'file', status: 'running', startedAt: T - HOUR, frames: [{ ts: T }] });
    const complete = await seedRun(storage, { kind: 'file', status: 'complete', startedAt: T, events: [{ id: 'clip', startMs: T - 50 * HOUR, endMs: T - 49 * HOUR, snapshotFrame: 0 }] });
    const ended = await seedRun(storage, { kind: 'live', status: 'failed', startedAt: T - 3 * HOUR });
    const frigate = await seedRun(storage, { kind: 'frigate', status: 'interrupted', cameraId: 'yard', startedAt: T - 4 * HOUR });
    expect(await storage.retention.listRuns()).toEqual([
      { runId: live.runId, cameraId: 'front', status: 'running', startedAt: T - 30 * HOUR, resumable: false, oldestMs: T - 10 * HOUR, newestMs: T + 2 * HOUR },
      { runId: interrupted.runId, cameraId: 'front', status: 'interrupted', startedAt: T - 2 * HOUR, resumable: true, oldestMs: T - 400 * HOUR, newestMs: T - 399 * HOUR },
      { runId: analysing.runId, cameraId: 'front', status: 'running', startedAt: T - HOUR, resumable: true, oldestMs: T, newestMs: T },
      { runId: complete.runId, cameraId: 'front', status: 'complete', startedAt: T, resumable: false, oldestMs: T - 49 * HOUR, newestMs: T - 49 * HOUR },
      { runId: ended.runId, cameraId: 'front', status: 'failed', startedAt: T - 3 * HOUR, resumable: false },
      { runId: frigate.runId, cameraId: 'yard', status: 'interrupted', startedAt: T - 4 * HOUR, resumable: false },
    ]);
  });

  it('lists the files a run points to, pinning those of open events while the run runs', async () => {
    const { runId } = await seedRun(storage, {
      ...liveRun(),
      events: [...liveRun().events!, { id: 'clipped', startMs: T, endMs: T + 5, snapshotFrame: 10, clipFrames: ['runs/x/clip-1.jpg', 'runs/x/clip-2.jpg'] }],
    });
    const eventRefs = (id: string, timeMs: number, pinned: boolean) => [
      { path: snapshotPath(runId, id), timeMs, pinned },
      { path: thumbPath(runId, id), timeMs, pinned },
    ];
    const expected = (running: boolean) =>
      [
        ...Array.from({ length: 10 }, (_, i) => i)
          .filter((i) => i !== 5)
          .map((i) => ({ path: framePath(runId, i), timeMs: T - (10 - i) * HOUR, pinned: false })),
        { path: framePath(runId, 10), timeMs: T + HOUR, pinned: false },
        { path: framePath(runId, 11), timeMs: T + 2 * HOUR, pinned: false },
        ...eventRefs('old-closed', T - 9 * HOUR, false),
        ...eventRefs('old-open', T - 7 * HOUR, running),
        ...eventRefs('straddling', T + HOUR, false),
        ...eventRefs('clipped', T + 5, false),
        { path: 'runs/x/clip-1.jpg', timeMs: T + 5, pinned: false },
        { path: 'runs/x/clip-2.jpg', timeMs: T + 5, pinned: false },
      ].sort((a, b) => a.path.localeCompare(b.path));
    const refs = async () => (await storage.retention.references(runId)).sort((a, b) => a.path.localeCompare(b.path));
    expect(await refs()).toEqual(expected(true));
    await storage.analyses.finishRun(runId, 'interrupted', T);
    expect(await refs()).toEqual(expected(false));
    expect(await storage.retention.references(runId + 1000)).toEqual([]);
  });

  it('prunes a running run: closed events, frames and tracks before the time, except what remaining events show', async () => {
    const { runId } = await seedRun(storage, liveRun());
    const dry = await storage.retention.countBefore(runId, T);
    const before = await storage.retention.references(runId);
    const pruned = total(await pruneAll(storage, runId, T, 500));
    expect(await storage.retention.references(runId)).not.toEqual(before);
    // old-closed goes; old-open stays (open, running) with frames 2 and 3 and its actor p2;
    // straddling stays with frame 9 of its evidence; frame 5 had no image.
    expect(pruned).toEqual({
      events: 1,
      frames: 7,
      detections: 7,
      tracks: 2,
      files: sorted([snapshotPath(runId, 'old-closed'), thumbPath(runId, 'old-closed'), ...[0, 1, 4, 6, 7, 8].map((i) => framePath(runId, i))]),
      done: true,
    });
    expect({ ...dry, files: sorted(dry.files) }).toEqual(pruned);
    expect(await eventIds(runId)).toEqual(['old-open', 'straddling']);
    expect(await keptFrames(runId)).toEqual([2, 3, 9, 10, 11]);
    expect(await storage.analyses.countTracks(runId)).toBe(2);
    expect(await storage.analyses.detectionCountsByLabel(runId)).toEqual({ person: 5 });
    // Nothing left to do at that time.
    expect(await storage.retention.pruneBefore(runId, T, 500)).toEqual({ events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true });
    expect(await storage.retention.countBefore(runId, T)).toEqual({ events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true });

    // Once the run has ended nothing can close the open event: it expires, and its frames and track with it.
    await storage.analyses.finishRun(runId, 'interrupted', T);
    const after = total(await pruneAll(storage, runId, T, 500));
    expect(after).toEqual({
      events: 1,
      frames: 2,
      detections: 2,
      tracks: 1,
      files: sorted([snapshotPath(runId, 'old-open'), thumbPath(runId, 'old-open'), framePath(runId, 2), framePath(runId, 3)]),
      done: true,
    });
    expect(await eventIds(runId)).toEqual(['straddling']);
    expect(await keptFrames(runId)).toEqual([9, 10, 11]);
  });

  it('counts without deleting, exactly what batches of any size then delete', async () => {
    const a = await seedRun(storage, liveRun('failed'));
    const b = await seedRun(storage, liveRun('failed', 'b-'));
    const refs = await storage.retention.references(a.runId);
    const dry = await storage.retention.countBefore(a.runId, T + 3 * HOUR);
    expect(await storage.retention.references(a.runId)).toEqual(refs);
    expect(dry).toMatchObject({ events: 3, frames: 12, detections: 12, tracks: 4, done: true });

    const whole = total(await pruneAll(storage, a.runId, T + 3 * HOUR, 500));
    const batches = await pruneAll(storage, b.runId, T + 3 * HOUR, 2);
    // 3 events, 12 frames and 4 tracks at most 2 a batch: each kind starts once the one before is done.
    expect(batches.map((x) => [x.events, x.frames, x.tracks, x.done])).toEqual([
      [2, 0, 0, false],
      [1, 2, 0, false],
      ...Array.from({ length: 5 }, () => [0, 2, 0, false]),
      [0, 0, 2, false],
      [0, 0, 2, false],
      [0, 0, 0, true],
    ]);
    const inBatches = total(batches);
    expect({ ...whole, files: whole.files.length }).toEqual({ ...dry, files: dry.files.length });
    expect({ ...inBatches, files: inBatches.files.length }).toEqual({ ...dry, files: dry.files.length });
    expect(whole.files).toEqual(sorted(dry.files));
    expect(await storage.retention.endedAndEmpty(a.runId)).toBe(true);
    expect(await storage.retention.endedAndEmpty(b.runId)).toBe(true);
  });

  it('takes the search entries, labels, facet counts, description and jobs of the events it deletes', async () => {
    const { runId } = await seedRun(storage, liveRun());
    await storage.descriptions.save('old-closed', { provider: 'p', model: 'm', rawText: 'a zebra', flagged: true, textForSearch: 'zebra' });
    await storage.descriptions.save('straddling', { provider: 'p', model: 'm', rawText: 'a giraffe', flagged: true, textForSearch: 'giraffe' });
    for (const id of ['old-closed', 'straddling']) {
      await storage.jobs.enqueue({ kind: 'describe_event', key: id, payload: { requestedBy: 'auto' } });
      await storage.jobs.enqueue({ kind: 'embed_event', key: id, payload: {} });
    }
    await storage.jobs.enqueue({ kind: 'frigate_ingest', key: 'f-1', payload: { eventId: 'old-closed', progress: 3, message: {} } });
    const found = async (label: string) => (await storage.search.search({ labels: [label], limit: 10, order: 'newest' })).hits.map((h) => h.stored.event.id).sort();
    expect(await found('person')).toEqual(['old-closed', 'straddling']);

    await pruneAll(storage, runId, T, 500);
    expect(await found('person')).toEqual(['straddling']);
    expect(await found('car')).toEqual(['old-open']);
    expect((await storage.search.coverage()).map((c) => [c.cameraId, c.events])).toEqual([['front', 2]]);
    expect(await storage.descriptions.get('old-closed')).toBeUndefined();
    expect(await storage.descriptions.get('straddling')).toMatchObject({ rawText: 'a giraffe' });
    expect(await storage.jobs.get('describe_event', 'old-closed')).toBeUndefined();
    expect(await storage.jobs.get('embed_event', 'old-closed')).toBeUndefined();
    expect(await storage.jobs.get('frigate_ingest', 'f-1')).toBeUndefined();
    expect(await storage.jobs.get('describe_event', 'straddling')).toBeDefined();
    expect(await storage.jobs.get('embed_event', 'straddling')).toBeDefined();
  });

  it('takes the vectors of the events it deletes', async () => {
    const { runId } = await seedRun(storage, liveRun());
    await storage.vectors.prepare('test-model', 3);
    for (const [i, id] of ['old-closed', 'old-open', 'straddling'].entries()) await storage.vectors.upsert(id, [1, i, 0]);
    await pruneAll(storage, runId, T, 500);
    expect((await storage.vectors.nearest([1, 0, 0], { limit: 10 })).map((m) => m.eventId).sort()).toEqual(['old-open', 'straddling']);
  });

  it('retires and deletes ended runs only, with what is left in them', async () => {
    const running = await seedRun(storage, liveRun());
    expect(await storage.retention.retire(running.runId)).toBe(false);
    expect(await storage.retention.endedAndEmpty(running.runId)).toBe(false);
    expect(await storage.retention.deleteRunIfEnded(running.runId)).toBe(false);
    expect(await storage.analyses.findRun(running.sourceId, running.cameraId, running.settingsKey)).toMatchObject({ id: running.runId });
    expect(await eventIds(running.runId)).toEqual(['old-closed', 'old-open', 'straddling']);

    await storage.analyses.finishRun(running.runId, 'interrupted', T);
    expect(await storage.retention.endedAndEmpty(running.runId)).toBe(false);
    expect(await storage.retention.retire(running.runId)).toBe(true);
    // A resume no longer finds it.
    expect(await storage.analyses.findRun(running.sourceId, running.cameraId, running.settingsKey)).toBeUndefined();
    expect(await storage.retention.deleteRunIfEnded(running.runId)).toBe(true);
    expect((await storage.retention.listRuns()).map((r) => r.runId)).toEqual([]);
    expect(await eventIds(running.runId)).toEqual([]);
    expect(await keptFrames(running.runId)).toEqual([]);
    expect(await storage.analyses.countTracks(running.runId)).toBe(0);
    expect((await storage.search.coverage()).filter((c) => c.events > 0)).toEqual([]);

    // Gone: every call says so.
    expect(await storage.retention.deleteRunIfEnded(running.runId)).toBe(false);
    expect(await storage.retention.retire(running.runId)).toBe(false);
    expect(await storage.retention.endedAndEmpty(running.runId)).toBe(false);
    expect(await storage.retention.pruneBefore(running.runId, T, 10)).toEqual({ events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true });
    expect(await storage.retention.countBefore(running.runId, T)).toEqual({ events: 0, frames: 0, detections: 0, tracks: 0, files: [], done: true });
  });

  it('keeps the source of a deleted run while another run uses it', async () => {
    const first = await seedRun(storage, { kind: 'file', status: 'complete', frames: [{ ts: T }] });
    const second = await seedRun(storage, { kind: 'file', status: 'running', frames: [{ ts: T }], sourceOf: first });
    expect(second.sourceId).toBe(first.sourceId);
    expect(await storage.retention.deleteRunIfEnded(first.runId)).toBe(true);
    // The source is still there for the second run to store into.
    await storage.analyses.commitFrames(second.runId, [{ index: 1, timestampMs: T + 1, ptsSeconds: 1, detected: false, changedFraction: 0, detections: [], imagePath: framePath(second.runId, 1) }]);
    expect((await storage.retention.listRuns()).map((r) => r.runId)).toEqual([second.runId]);
    expect(await keptFrames(second.runId)).toEqual([0, 1]);
  });

  it('reports an ended run empty once everything in it is pruned', async () => {
    const { runId } = await seedRun(storage, liveRun('complete'));
    await pruneAll(storage, runId, T + 100 * HOUR, 3);
    expect(await storage.retention.endedAndEmpty(runId)).toBe(true);
    expect(await storage.retention.listRuns()).toEqual([expect.not.objectContaining({ oldestMs: expect.anything() })]);
  });

  it('prunes a run while its analysis keeps committing to it, neither failing nor losing the other’s rows', async () => {
    const old = Array.from({ length: 40 }, (_, i) => ({ ts: T - (40 - i) * 1000 }));
    const { runId } = await seedRun(storage, { kind: 'live', status: 'running', frames: old, tracks: [{ id: 'p9', lastMs: T - 1000 }] });
    const commits = (async () => {
      for (let i = 40; i < 60; i++) {
        const frame: StoredFrame = { index: i, timestampMs: T + i, ptsSeconds: i, detected: false, changedFraction: 0, detections: [], imagePath: framePath(runId, i) };
        const base = storedEvent({ id: `new-${i}`, startMs: T + i, en: 'new', zhHant: '新', runId });
        const event = { ...base.event, snapshotFrameIndex: i, startFrameIndex: i, endFrameIndex: i, evidence: base.event.evidence.map((x) => ({ ...x, frameIndex: i })) };
        const events = i % 5 === 0 ? [{ ...base, event }] : [];
        await storage.analyses.commitFrames(runId, [frame], { events });
      }
    })();
    const [batches] = await Promise.all([pruneAll(storage, runId, T, 3), commits]);
    expect(total(batches)).toMatchObject({ events: 0, frames: 40, detections: 40, tracks: 1 });
    const kept = await storage.events.framePaths(runId, Array.from({ length: 60 }, (_, i) => i));
    expect([...kept.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    expect(await eventIds(runId)).toEqual(['new-40', 'new-45', 'new-50', 'new-55']);
  });

  it('deletes each row once when two sweeps prune the same run at the same time', async () => {
    const { runId } = await seedRun(storage, liveRun('failed'));
    const dry = await storage.retention.countBefore(runId, T + 3 * HOUR);
    const [a, b] = await Promise.all([pruneAll(storage, runId, T + 3 * HOUR, 2), pruneAll(storage, runId, T + 3 * HOUR, 2)]);
    const both = total([...a, ...b]);
    expect(both).toEqual({ ...dry, files: sorted(dry.files) });
    expect(await storage.retention.endedAndEmpty(runId)).toBe(true);
  });
});
