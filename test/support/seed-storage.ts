import type { StoredEvent } from '../../src/ports/analysis-store.ts';
import type { Storage } from '../../src/ports/storage.ts';

/**
 * Events stored as an analysis stores them (a source, a run, commitFrames), for the tests of what
 * is built on stored events (descriptions, jobs, vectors, notices), on any backend.
 */

/** All `events` in one run of camera `cameraId` (`runKey` tells runs of one source apart); returns its id. */
export async function storeEventsInOneRun(storage: Storage, events: readonly StoredEvent[], options: { cameraId?: string; runKey?: string; startMs?: number } = {}): Promise<number> {
  const cameraId = options.cameraId ?? 'back';
  const sourceId = await storage.analyses.upsertSource(
    { uri: 'seed.mp4', kind: 'file', fingerprint: 'seed', codec: 'h264', width: 768, height: 576, fps: 10, durationSeconds: 3600 },
    cameraId,
  );
  const run = await storage.analyses.createRun({
    sourceId,
    cameraId,
    settingsKey: options.runKey ?? 'seed',
    settings: {},
    startTimeMs: options.startMs ?? events[0]?.event.startMs ?? 0,
    startTimeSource: 'config',
    startedAt: 0,
  });
  await storage.analyses.commitFrames(run.id, [], { events: events.map((e) => ({ ...e, runId: run.id })) });
  return run.id;
}

/** Each event in a run of its own (so one can be deleted alone); returns the run of each event id. */
export async function storeEventsInOwnRuns(storage: Storage, events: readonly StoredEvent[]): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  for (const stored of events) {
    const id = stored.event.id;
    const sourceId = await storage.analyses.upsertSource(
      { uri: `${id}.mp4`, kind: 'file', fingerprint: `seed:${id}`, codec: 'h264', width: 768, height: 576, fps: 10, durationSeconds: 3600 },
      stored.event.cameraId,
    );
    const run = await storage.analyses.createRun({ sourceId, cameraId: stored.event.cameraId, settingsKey: 'seed', settings: {}, startTimeMs: stored.event.startMs, startTimeSource: 'config', startedAt: 0 });
    await storage.analyses.commitFrames(run.id, [], { events: [{ ...stored, runId: run.id }] });
    runs.set(id, run.id);
  }
  return runs;
}
