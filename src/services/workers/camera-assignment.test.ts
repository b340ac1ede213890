import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteWorkerRegistry } from '../../adapters/storage/sqlite/sqlite-worker-registry.ts';
import type { CameraLiveState } from '../../domain/live-state.ts';
import type { Logger } from '../../ports/logger.ts';
import { CameraAssignment } from './camera-assignment.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const LEASE_MS = 15_000;
const cameras = ['a', 'b', 'c', 'd'];

const streaming = (cameraId: string, by: string): CameraLiveState => ({
  cameraId,
  status: 'streaming',
  inputFps: 5,
  processedFps: 5,
  framesIn: 10,
  framesProcessed: 10,
  framesDropped: 0,
  queueDepth: 0,
  reconnects: 0,
  lastError: `reported by ${by}`,
});

describe('CameraAssignment', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-assign-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    let now = 1_000_000;
    const clock = { now: () => now };
    const runningBy = new Map<string, Set<string>>();
    const worker = (id: string, options: { runsCameras?: boolean } = {}) => {
      const running = new Set<string>();
      runningBy.set(id, running);
      return new CameraAssignment({
        // Each worker its own connection to the file, as separate processes have.
        registry: new SqliteWorkerRegistry(openSqliteDatabase(file)),
        me: { id, host: 'h', pid: 1, role: 'worker', startedAt: 0 },
        cameras,
        runsCameras: options.runsCameras ?? true,
        leaseMs: LEASE_MS,
        runCamera: (cameraId, _lease, signal) =>
          new Promise<void>((resolve) => {
            running.add(cameraId);
            signal.addEventListener('abort', () => {
              running.delete(cameraId);
              resolve();
            });
          }),
        // What each reports of the cameras it runs, streaming with its own id as the error text.
        stats: () => Object.fromEntries([...running].map((c) => [c, { framesProcessed: 1, framesDropped: 0, processedFps: 1, live: streaming(c, id) }])),
        clock,
        logger: silent,
        sleep: async () => {},
      });
    };
    const advance = (ms: number) => (now += ms);
    const everyCamera = () => [...runningBy.values()].flatMap((s) => [...s]).sort();
    return { worker, advance, runningBy, everyCamera };
  }

  it('spreads the cameras over the workers, each camera run once', async () => {
    const { worker, advance, runningBy, everyCamera } = setup();
    const w1 = worker('w1');
    const w2 = worker('w2');
    await w1.step();
    expect(runningBy.get('w1')!.size).toBe(4);
    // w2 joins: w1 gives up what is beyond its share, w2 takes it.
    for (let round = 0; round < 3; round++) {
      advance(1_000);
      await w2.step();
      await w1.step();
    }
    expect(runningBy.get('w1')!.size).toBe(2);
    expect(runningBy.get('w2')!.size).toBe(2);
    expect(everyCamera()).toEqual(cameras);
  });

  it('tells a process that runs no camera the state of each camera as its holder reported it', async () => {
    const { worker, advance, runningBy } = setup();
    const w1 = worker('w1');
    const w2 = worker('w2');
    const server = worker('serve', { runsCameras: false });
    for (let round = 0; round < 3; round++) {
      advance(1_000);
      await w1.step();
      await w2.step();
    }
    // A second round reports the cameras each took in the first.
    await w1.step();
    await w2.step();
    await server.step();
    for (const camera of cameras) {
      const holder = runningBy.get('w1')!.has(camera) ? 'w1' : 'w2';
      expect(server.stateElsewhere(camera)).toMatchObject({ status: 'streaming', lastError: `reported by ${holder}` });
      // A holder knows its own cameras first-hand: it is never told them.
      expect(holder === 'w1' ? w1.stateElsewhere(camera) : w2.stateElsewhere(camera)).toBeUndefined();
    }
    // Once a holder's leases ran out, its old report is not shown as the camera's state, even
    // before this process could read the storage again.
    advance(LEASE_MS + 1);
    expect(cameras.map((c) => server.stateElsewhere(c))).toEqual(cameras.map(() => undefined));
  });

  it("takes a dead worker's cameras once their leases run out, not before", async () => {
    const { worker, advance, runningBy, everyCamera } = setup();
    const w1 = worker('w1');
    const w2 = worker('w2');
    for (let round = 0; round < 3; round++) {
      advance(1_000);
      await w1.step();
      await w2.step();
    }
    expect(everyCamera()).toEqual(cameras);
    const w1Cameras = [...runningBy.get('w1')!];
    // w1 dies (no more steps): until its leases expire, w2 keeps to its own.
    runningBy.get('w1')!.clear();
    advance(LEASE_MS - 5_000);
    await w2.step();
    expect(runningBy.get('w2')!.size).toBe(2);
    advance(5_000);
    await w2.step();
    expect([...runningBy.get('w2')!].sort()).toEqual(cameras);
    expect(w1Cameras.every((c) => runningBy.get('w2')!.has(c))).toBe(true);
  });

  it('stops a camera at once when its lease was taken over', async () => {
    const { worker, advance, runningBy } = setup();
    const w1 = worker('w1');
    await w1.step();
    // w1 pauses past its leases (a long GC, a partition); w2 takes the cameras.
    advance(LEASE_MS + 1);
    const w2 = worker('w2');
    await w2.step();
    expect(runningBy.get('w2')!.size).toBe(4);
    await w1.step();
    expect(runningBy.get('w1')!.size).toBe(0);
  });
});
