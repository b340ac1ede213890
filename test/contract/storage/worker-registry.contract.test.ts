import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerRecord } from '../../../src/ports/worker-registry.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const NOW = 1_800_000_000_000;
const TTL = 15_000;
const worker = (id: string, heartbeatAt: number, stats: WorkerRecord['stats'] = {}): WorkerRecord => ({
  id,
  host: 'h',
  pid: 1,
  role: 'worker',
  startedAt: NOW - 60_000,
  heartbeatAt,
  runsCameras: true,
  stats,
});

describe.each(await storageBackends())('WorkerRegistry on %s', (backend) => {
  let opened: TestStorage | undefined;
  const open = async () => (opened = await backend.create());
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('gives a free camera to the first worker and refuses it to others while the lease runs', async () => {
    const { storage } = await open();
    const lease = await storage.workers.acquire('door', 'w1', NOW, TTL);
    expect(lease).toEqual({ cameraId: 'door', holder: 'w1', generation: 1, expiresAt: NOW + TTL });
    expect(await storage.workers.acquire('door', 'w2', NOW + TTL - 1, TTL)).toBeUndefined();
    expect(await storage.workers.holds(lease!, NOW + 1)).toBe(true);
  });

  it('lets another worker take an expired lease, with a new generation that fences the old holder off', async () => {
    const { storage } = await open();
    const old = (await storage.workers.acquire('door', 'w1', NOW, TTL))!;
    const taken = (await storage.workers.acquire('door', 'w2', NOW + TTL, TTL))!;
    expect(taken).toMatchObject({ holder: 'w2', generation: 2 });
    expect(await storage.workers.renew(old, NOW + TTL + 1, TTL)).toBe(false);
    expect(await storage.workers.holds(old, NOW + TTL + 1)).toBe(false);
    expect(await storage.workers.holds(taken, NOW + TTL + 1)).toBe(true);
    // The old holder coming back is refused while the new lease runs.
    expect(await storage.workers.acquire('door', 'w1', NOW + TTL + 2, TTL)).toBeUndefined();
  });

  it('renews a held lease without changing its generation, and a released one is free at once', async () => {
    const { storage } = await open();
    const lease = (await storage.workers.acquire('door', 'w1', NOW, TTL))!;
    expect(await storage.workers.renew(lease, NOW + 5_000, TTL)).toBe(true);
    expect(await storage.workers.acquire('door', 'w1', NOW + 6_000, TTL)).toMatchObject({ generation: 1, expiresAt: NOW + 6_000 + TTL });
    await storage.workers.release(lease);
    expect(await storage.workers.acquire('door', 'w2', NOW + 6_001, TTL)).toMatchObject({ holder: 'w2', generation: 2 });
    expect((await storage.workers.leases()).map((l) => [l.cameraId, l.holder])).toEqual([['door', 'w2']]);
  });

  it('gives a camera to exactly one of many workers racing for it, also from two processes', async () => {
    const { storage, another } = await open();
    const other = another();
    const tries = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? storage : other).workers.acquire('yard', `w${i}`, NOW, TTL));
    const won = (await Promise.all(tries)).filter((lease) => lease !== undefined);
    expect(won).toHaveLength(1);
    expect((await other.workers.leases())[0]).toEqual(won[0]);
  });

  it('lists workers by heartbeat, with their stats, until they leave', async () => {
    const { storage } = await open();
    await storage.workers.heartbeat(worker('w1', NOW - 30_000));
    await storage.workers.heartbeat(worker('w2', NOW - 1_000, { door: { framesProcessed: 120, framesDropped: 3, processedFps: 4.5 } }));
    await storage.workers.heartbeat(worker('w1', NOW, {}));
    const live = await storage.workers.liveWorkers(NOW - 5_000);
    expect(live.map((w) => w.id)).toEqual(['w1', 'w2']);
    expect(live[1]!.stats).toEqual({ door: { framesProcessed: 120, framesDropped: 3, processedFps: 4.5 } });
    await storage.workers.leave('w1');
    expect((await storage.workers.liveWorkers(0)).map((w) => w.id)).toEqual(['w2']);
  });
});
