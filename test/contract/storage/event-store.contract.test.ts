import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent, StoredFrame } from '../../../src/ports/analysis-store.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { type EventSeed, storedEvent } from '../../factories/stored-events.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A run of its own per camera; events are stored as analysis stores them (commitFrames). */
async function seedRun(storage: Storage, cameraId: string, key = 'k'): Promise<number> {
  const sourceId = await storage.analyses.upsertSource(
    { uri: `rtsp://${cameraId}`, kind: 'stream', fingerprint: `url:${cameraId}`, codec: 'h264', width: 640, height: 480, fps: 10 },
    cameraId,
  );
  const run = await storage.analyses.createRun({ sourceId, cameraId, settingsKey: key, settings: {}, startTimeMs: T0, startTimeSource: 'clock', startedAt: T0 });
  return run.id;
}

async function seedEvents(storage: Storage, seeds: readonly (EventSeed & { cameraId: string })[]): Promise<Map<string, StoredEvent>> {
  const runs = new Map<string, number>();
  const stored = new Map<string, StoredEvent>();
  for (const seed of seeds) {
    let runId = runs.get(seed.cameraId);
    if (runId === undefined) runs.set(seed.cameraId, (runId = await seedRun(storage, seed.cameraId)));
    const event = storedEvent({ ...seed, runId });
    await storage.analyses.commitFrames(runId, [], { events: [event] });
    stored.set(seed.id, event);
  }
  return stored;
}

const ids = (events: readonly StoredEvent[]) => events.map((e) => e.event.id);

describe.each(await storageBackends())('EventStore on %s', (backend) => {
  let test: TestStorage;
  let storage: Storage;

  beforeEach(async () => {
    test = await backend.create();
    storage = test.storage;
  });

  afterEach(async () => {
    await test.dispose();
  });

  it('reads an event back exactly as it was stored, and nothing for an unknown id', async () => {
    const runId = await seedRun(storage, 'back');
    const event: StoredEvent = {
      ...storedEvent({ id: 'e1', startMs: T0, durationMs: 4_000, labels: ['person', 'car'], en: 'A person crossed', zhHant: '有人經過', keywords: ['door', 'person'], runId }),
      snapshotPath: 'snapshots/e1.jpg',
      thumbnails: { p1: 'thumbs/e1-p1.jpg' },
      clipFrames: ['clips/e1-0.jpg', 'clips/e1-1.jpg'],
    };
    event.event.evidence[0] = { ...event.event.evidence[0]!, point: [12.5, 40] };
    event.event.details = { direction: 'a_to_b', inbound: true, dwellSeconds: 3.5 };
    await storage.analyses.commitFrames(runId, [], { events: [event] });

    expect(await storage.events.getEvent('e1')).toEqual(event);
    expect(await storage.events.getEvent('missing')).toBeUndefined();
  });

  it('keeps the last content of an event written again (an open event extended, then closed)', async () => {
    const runId = await seedRun(storage, 'back');
    const open = storedEvent({ id: 'e1', startMs: T0, durationMs: 1_000, en: 'A person', zhHant: '有人', runId });
    open.event.status = 'open';
    await storage.analyses.commitFrames(runId, [], { events: [open] });
    const closed = storedEvent({ id: 'e1', startMs: T0, durationMs: 9_000, labels: ['person', 'dog'], en: 'A person and a dog', zhHant: '有人和狗', runId });
    await storage.analyses.commitFrames(runId, [], { events: [closed] });

    expect(await storage.events.getEvent('e1')).toEqual(closed);
    expect(await storage.events.countEvents({})).toBe(1);
    expect(ids(await storage.events.listEvents({ label: 'dog' }))).toEqual(['e1']);
  });

  it('filters by run, camera, type and label, each alone and together', async () => {
    await seedEvents(storage, [
      { id: 'a', cameraId: 'back', startMs: T0, labels: ['person'], en: 'a', zhHant: 'a' },
      { id: 'b', cameraId: 'back', type: 'loitering', startMs: T0 + 1_000, labels: ['person', 'car'], en: 'b', zhHant: 'b' },
      { id: 'c', cameraId: 'front', startMs: T0 + 2_000, labels: ['car'], en: 'c', zhHant: 'c' },
      { id: 'd', cameraId: 'front', type: 'loitering', startMs: T0 + 3_000, labels: ['dog'], en: 'd', zhHant: 'd' },
    ]);
    const frontRun = (await storage.events.getEvent('c'))!.runId;

    expect(ids(await storage.events.listEvents({ cameraId: 'back' }))).toEqual(['a', 'b']);
    expect(ids(await storage.events.listEvents({ runId: frontRun }))).toEqual(['c', 'd']);
    expect(ids(await storage.events.listEvents({ type: 'loitering' }))).toEqual(['b', 'd']);
    expect(ids(await storage.events.listEvents({ label: 'car' }))).toEqual(['b', 'c']);
    expect(ids(await storage.events.listEvents({ cameraId: 'back', label: 'car' }))).toEqual(['b']);
    expect(ids(await storage.events.listEvents({ cameraId: 'front', type: 'loitering', label: 'dog' }))).toEqual(['d']);
    expect(ids(await storage.events.listEvents({ cameraId: 'nowhere' }))).toEqual([]);
    expect(ids(await storage.events.listEvents({ label: 'horse' }))).toEqual([]);

    expect(await storage.events.countEvents({})).toBe(4);
    expect(await storage.events.countEvents({ cameraId: 'back' })).toBe(2);
    expect(await storage.events.countEvents({ type: 'loitering', label: 'person' })).toBe(1);
    expect(await storage.events.countEvents({ runId: frontRun, label: 'car' })).toBe(1);
  });

  it('finds events overlapping [from, to): one ending exactly at `from` counts, one starting at `to` does not', async () => {
    await seedEvents(storage, [
      { id: 'before', cameraId: 'back', startMs: T0 - 10_000, durationMs: 5_000, en: 'x', zhHant: 'x' },
      { id: 'ends-at-from', cameraId: 'back', startMs: T0 - 5_000, durationMs: 5_000, en: 'x', zhHant: 'x' },
      { id: 'spans', cameraId: 'back', startMs: T0 - 60_000, durationMs: 120_000, en: 'x', zhHant: 'x' },
      { id: 'inside', cameraId: 'back', startMs: T0 + 1_000, durationMs: 1_000, en: 'x', zhHant: 'x' },
      { id: 'starts-at-to', cameraId: 'back', startMs: T0 + 10_000, durationMs: 1_000, en: 'x', zhHant: 'x' },
    ]);
    const range = { fromMs: T0, toMs: T0 + 10_000 };
    expect(ids(await storage.events.listEvents(range))).toEqual(['spans', 'ends-at-from', 'inside']);
    expect(await storage.events.countEvents(range)).toBe(3);
    expect(ids(await storage.events.listEvents({ fromMs: T0 + 1_500 }))).toEqual(['spans', 'inside', 'starts-at-to']);
    expect(ids(await storage.events.listEvents({ toMs: T0 - 5_000 }))).toEqual(['spans', 'before']);
  });

  it('orders by start then id, and pages with limit and offset (counts ignore them)', async () => {
    await seedEvents(storage, [
      { id: 'e3', cameraId: 'back', startMs: T0 + 2_000, en: 'x', zhHant: 'x' },
      { id: 'e1b', cameraId: 'back', startMs: T0, en: 'x', zhHant: 'x' },
      { id: 'e2', cameraId: 'front', startMs: T0 + 1_000, en: 'x', zhHant: 'x' },
      { id: 'e1a', cameraId: 'front', startMs: T0, en: 'x', zhHant: 'x' },
      // Ids compare byte by byte ('B' < '_' < 'a'), whatever the database's collation.
      { id: 'e4_a', cameraId: 'back', startMs: T0 + 3_000, en: 'x', zhHant: 'x' },
      { id: 'e4a', cameraId: 'back', startMs: T0 + 3_000, en: 'x', zhHant: 'x' },
      { id: 'e4B', cameraId: 'back', startMs: T0 + 3_000, en: 'x', zhHant: 'x' },
    ]);
    expect(ids(await storage.events.listEvents({}))).toEqual(['e1a', 'e1b', 'e2', 'e3', 'e4B', 'e4_a', 'e4a']);
    expect(ids(await storage.events.listEvents({ limit: 2 }))).toEqual(['e1a', 'e1b']);
    expect(ids(await storage.events.listEvents({ limit: 2, offset: 2 }))).toEqual(['e2', 'e3']);
    expect(ids(await storage.events.listEvents({ offset: 5 }))).toEqual(['e4_a', 'e4a']);
    expect(ids(await storage.events.listEvents({ limit: 0 }))).toEqual([]);
    expect(await storage.events.countEvents({ limit: 1, offset: 1 })).toBe(7);
  });

  it('gives the kept frame paths of a run by index, skipping frames without one and other runs', async () => {
    const runId = await seedRun(storage, 'back');
    const other = await seedRun(storage, 'back', 'other');
    const frame = (index: number, imagePath?: string): StoredFrame => ({
      index,
      timestampMs: T0 + index * 100,
      ptsSeconds: index / 10,
      detected: false,
      changedFraction: 0,
      detections: [],
      ...(imagePath ? { imagePath } : {}),
    });
    await storage.analyses.commitFrames(runId, [frame(0, 'frames/0.jpg'), frame(1), frame(2, 'frames/2.jpg')]);
    await storage.analyses.commitFrames(other, [frame(1, 'other/1.jpg')]);

    const paths = await storage.events.framePaths(runId, [2, 1, 0, 2, 9]);
    expect([...paths]).toEqual([
      [2, 'frames/2.jpg'],
      [0, 'frames/0.jpg'],
    ]);
    expect(await storage.events.framePaths(runId, [])).toEqual(new Map());
  });
});
