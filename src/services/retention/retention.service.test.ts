import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../ports/logger.ts';
import type { MediaFiles } from '../../ports/media-files.ts';
import type { PrunedBatch, RetentionRun, RetentionStore } from '../../ports/retention-store.ts';
import { DAY_MS } from './retention-plan.ts';
import { RetentionService } from './retention.service.ts';

const NOW = Date.UTC(2026, 10, 20);

function logger(): Logger & { errors: unknown[] } {
  const errors: unknown[] = [];
  const log: Logger & { errors: unknown[] } = {
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (obj) => void errors.push(obj),
    child: () => log,
  };
  return log;
}

const noFiles: MediaFiles = {
  runFolders: async () => [],
  listRun: async () => [],
  totalBytes: async () => 0,
  measure: async () => ({ files: 0, bytes: 0 }),
  remove: async (paths) => ({ files: paths.length, bytes: 0 }),
  removeRun: async () => ({ files: 0, bytes: 0 }),
};

/** One running live run with an old part, pruned in `batches` batches of one event each. */
function fakeStore(batches: number): RetentionStore & { pruned: number } {
  const store = {
    pruned: 0,
    listRuns: async (): Promise<RetentionRun[]> => [{ runId: 1, cameraId: 'front', status: 'running', startedAt: NOW - 9 * DAY_MS, resumable: false, oldestMs: NOW - 9 * DAY_MS, newestMs: NOW }],
    references: async () => [],
    countBefore: async (): Promise<PrunedBatch> => ({ events: batches, frames: 0, detections: 0, tracks: 0, files: [], done: true }),
    pruneBefore: async (): Promise<PrunedBatch> => {
      store.pruned++;
      return { events: 1, frames: 0, detections: 0, tracks: 0, files: [`runs/run-1/events/e${store.pruned}/snapshot.jpg`], done: store.pruned >= batches };
    },
    endedAndEmpty: async () => false,
    retire: async () => true,
    deleteRunIfEnded: async () => false,
  };
  return store;
}

const policy = { days: 7, cameras: new Map<string, number | undefined>() };

describe('RetentionService', () => {
  it('prunes batch by batch, pausing between, and removes each batch’s files', async () => {
    const store = fakeStore(3);
    const remove = vi.fn(noFiles.remove);
    const pause = vi.fn(async () => undefined);
    const service = new RetentionService({ store, files: { ...noFiles, remove }, policy, clock: { now: () => NOW }, logger: logger(), pause });
    const report = await service.sweep();
    expect(report.deleted).toMatchObject({ events: 3, files: 3, runs: 0 });
    expect(remove).toHaveBeenCalledTimes(3);
    expect(pause).toHaveBeenCalledTimes(2);
  });

  it('stops between batches when aborted; the next sweep carries on', async () => {
    const store = fakeStore(5);
    const controller = new AbortController();
    const service = new RetentionService({
      store,
      files: noFiles,
      policy,
      clock: { now: () => NOW },
      logger: logger(),
      pause: async () => controller.abort(),
    });
    const report = await service.sweep({ signal: controller.signal });
    expect(report.aborted).toBe(true);
    expect(store.pruned).toBe(1);
    expect((await service.sweep()).deleted.events).toBe(4);
  });

  it('joins a sweep under way instead of starting a second one', async () => {
    const store = fakeStore(1);
    const service = new RetentionService({ store, files: noFiles, policy, clock: { now: () => NOW }, logger: logger() });
    const [a, b] = [service.sweep(), service.sweep()];
    expect(await a).toBe(await b);
    expect(store.pruned).toBe(1);
  });

  it('sweeps after the first delay and then every interval, survives a failed sweep, and stops on abort', async () => {
    const store = fakeStore(1);
    let calls = 0;
    const listRuns = store.listRuns;
    store.listRuns = async () => {
      calls++;
      if (calls === 1) throw new Error('database is locked');
      return listRuns();
    };
    const log = logger();
    const controller = new AbortController();
    const waits: number[] = [];
    const service = new RetentionService({
      store,
      files: noFiles,
      policy,
      clock: { now: () => NOW },
      logger: log,
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 4) controller.abort();
      },
    });
    await service.runPeriodically({ firstDelayMs: 5, intervalMs: 1_000, signal: controller.signal });
    expect(waits).toEqual([5, 1_000, 1_000, 1_000]);
    expect(log.errors).toHaveLength(1);
    // Three sweeps ran (after each of the first three waits): the failed one, then two that pruned.
    expect(calls).toBe(3);
    expect(store.pruned).toBe(2);
  });
});
