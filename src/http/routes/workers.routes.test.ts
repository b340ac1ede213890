/** `GET /api/workers` in-process: the registry's snapshot at the server's clock, in the contract's shape. */
import { describe, expect, it } from 'vitest';
import { workersResponseSchema } from '../../contract/api.schemas.ts';
import type { WorkerRecord } from '../../ports/worker-registry.ts';
import { workersRoutes } from './workers.routes.ts';

const NOW = Date.UTC(2026, 11, 14, 9, 0, 0);

describe('GET /api/workers', () => {
  it('answers the workers and leases the registry gives, aged by the server clock', async () => {
    const me: WorkerRecord = {
      id: 'nvr-1:4000:aa',
      host: 'nvr-1',
      pid: 4000,
      role: 'serve',
      startedAt: NOW - 60_000,
      heartbeatAt: NOW - 5_000,
      runsCameras: true,
      stats: { front: { framesProcessed: 50, framesDropped: 1, processedFps: 5 } },
    };
    let reads = 0;
    const app = workersRoutes({
      workers: async () => {
        reads += 1;
        return { workers: [me], leases: [{ cameraId: 'front', holder: me.id, generation: 2, expiresAt: NOW + 10_000 }] };
      },
      cameras: ['front', 'back'],
      leaseMs: 15_000,
      now: () => NOW,
    });
    const response = await app.request('/api/workers');
    expect(response.status).toBe(200);
    const body = workersResponseSchema.parse(await response.json());
    expect(reads).toBe(1);
    expect(body).toMatchObject({
      lease_seconds: 15,
      workers: [{ id: me.id, heartbeat_age_ms: 5_000, cameras: [{ camera: 'front', generation: 2, lease_expires_in_ms: 10_000, frames_processed: 50 }] }],
      cameras: [
        { camera: 'front', holder: me.id, state: 'held' },
        { camera: 'back', holder: null, state: 'unassigned' },
      ],
    });
  });

  it('lets a storage failure reach the error handler', async () => {
    const app = workersRoutes({ workers: () => Promise.reject(new Error('database away')), cameras: [], leaseMs: 15_000, now: () => NOW });
    app.onError((error, c) => c.json({ message: error.message }, 500));
    const response = await app.request('/api/workers');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'database away' });
  });
});
