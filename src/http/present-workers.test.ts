/** The workers' status (issue 14): who holds which live camera, as the contract has it. */
import { describe, expect, it } from 'vitest';
import { workersResponseSchema } from '../contract/api.schemas.ts';
import type { CameraLease, WorkerRecord } from '../ports/worker-registry.ts';
import { presentWorkers } from './present-workers.ts';

const NOW = Date.UTC(2026, 11, 14, 9, 0, 0);
const LEASE_MS = 15_000;

function worker(id: string, overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return { id, host: 'nvr-1', pid: 4000, role: 'worker', startedAt: NOW - 3_600_000, heartbeatAt: NOW - 2_000, runsCameras: true, stats: {}, ...overrides };
}
const lease = (cameraId: string, holder: string, expiresAt: number, generation = 1): CameraLease => ({ cameraId, holder, generation, expiresAt });

describe('presentWorkers', () => {
  it('lists each worker with the cameras it holds and what it reported of them', () => {
    const a = worker('nvr-1:4000:aa', {
      role: 'serve',
      stats: { front: { framesProcessed: 9000, framesDropped: 12, processedFps: 4.987 }, gone: { framesProcessed: 1, framesDropped: 0, processedFps: 1 } },
    });
    const b = worker('nvr-2:77:bb', { host: 'nvr-2', pid: 77, startedAt: NOW - 60_000, heartbeatAt: NOW - 4_500 });
    const wire = presentWorkers(
      { workers: [b, a], leases: [lease('front', a.id, NOW + 11_000, 3), lease('back', b.id, NOW + 14_000), lease('yard', b.id, NOW + 9_000, 2)] },
      { cameras: ['front', 'back', 'yard'], now: NOW, leaseMs: LEASE_MS },
    );
    expect(workersResponseSchema.parse(wire)).toEqual({
      lease_seconds: 15,
      workers: [
        {
          id: 'nvr-1:4000:aa',
          host: 'nvr-1',
          pid: 4000,
          role: 'serve',
          started_at: '2026-12-14T08:00:00.000Z',
          heartbeat_age_ms: 2000,
          runs_cameras: true,
          // Stats of a camera it no longer holds are left out; rates to two decimals.
          cameras: [{ camera: 'front', generation: 3, lease_expires_in_ms: 11_000, frames_processed: 9000, frames_dropped: 12, processed_fps: 4.99 }],
        },
        {
          id: 'nvr-2:77:bb',
          host: 'nvr-2',
          pid: 77,
          role: 'worker',
          started_at: '2026-12-14T08:59:00.000Z',
          heartbeat_age_ms: 4500,
          runs_cameras: true,
          // Held, but nothing reported yet (it took them after its last heartbeat): zeros.
          cameras: [
            { camera: 'back', generation: 1, lease_expires_in_ms: 14_000, frames_processed: 0, frames_dropped: 0, processed_fps: 0 },
            { camera: 'yard', generation: 2, lease_expires_in_ms: 9_000, frames_processed: 0, frames_dropped: 0, processed_fps: 0 },
          ],
        },
      ],
      cameras: [
        { camera: 'front', holder: 'nvr-1:4000:aa', state: 'held' },
        { camera: 'back', holder: 'nvr-2:77:bb', state: 'held' },
        { camera: 'yard', holder: 'nvr-2:77:bb', state: 'held' },
      ],
    });
  });

  it('tells a held camera from one whose lease ran out and one nobody took yet', () => {
    const a = worker('a');
    const wire = presentWorkers(
      // `back`'s holder died (it is no longer live); `side` was given up (a released lease runs out at 0).
      { workers: [a], leases: [lease('front', 'a', NOW + 1), lease('back', 'dead', NOW - 1), lease('side', 'a', 0, 4)] },
      { cameras: ['front', 'back', 'side', 'yard'], now: NOW, leaseMs: LEASE_MS },
    );
    expect(wire.cameras).toEqual([
      { camera: 'front', holder: 'a', state: 'held' },
      { camera: 'back', holder: 'dead', state: 'expired' },
      { camera: 'side', holder: 'a', state: 'expired' },
      { camera: 'yard', holder: null, state: 'unassigned' },
    ]);
    // A lease that ran out is no longer the worker's camera.
    expect(wire.workers[0]!.cameras.map((c) => c.camera)).toEqual(['front']);
  });

  it('lists a camera another worker runs that this configuration does not, but not a leftover lease', () => {
    const wire = presentWorkers(
      { workers: [worker('a')], leases: [lease('garage', 'a', NOW + 5_000), lease('removed', 'a', NOW - 60_000)] },
      { cameras: ['front'], now: NOW, leaseMs: LEASE_MS },
    );
    expect(wire.cameras).toEqual([
      { camera: 'front', holder: null, state: 'unassigned' },
      { camera: 'garage', holder: 'a', state: 'held' },
    ]);
  });

  it('orders workers by start, then id, and never gives a heartbeat from the future a negative age', () => {
    const wire = presentWorkers(
      { workers: [worker('c', { startedAt: NOW - 10 }), worker('b', { startedAt: NOW - 20, heartbeatAt: NOW + 300 }), worker('a', { startedAt: NOW - 20, runsCameras: false })], leases: [] },
      { cameras: [], now: NOW, leaseMs: 30_000 },
    );
    expect(wire.workers.map((w) => [w.id, w.heartbeat_age_ms, w.runs_cameras])).toEqual([
      ['a', 2000, false],
      ['b', 0, true],
      ['c', 2000, true],
    ]);
    expect(wire.lease_seconds).toBe(30);
    expect(wire.cameras).toEqual([]);
  });
});
