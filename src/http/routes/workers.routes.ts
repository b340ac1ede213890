import { Hono } from 'hono';
import type { CameraLease, WorkerRecord } from '../../ports/worker-registry.ts';
import { presentWorkers } from '../present-workers.ts';

export interface WorkersRouteDeps {
  /** The live workers (heartbeat newer than now - lease) and every lease, from the shared storage. */
  workers: () => Promise<{ workers: WorkerRecord[]; leases: CameraLease[] }>;
  /** The configuration's live cameras. */
  cameras: readonly string[];
  /** `workers.lease_s` in ms. */
  leaseMs: number;
  now: () => number;
}

/** `GET /api/workers`: which Vigil process runs which live camera, and how each keeps up. */
export function workersRoutes(deps: WorkersRouteDeps): Hono {
  const app = new Hono();
  app.get('/api/workers', async (c) => {
    const snapshot = await deps.workers();
    // The clock is read after the registry answered, so that a heartbeat written meanwhile is not from the future.
    return c.json(presentWorkers(snapshot, { cameras: deps.cameras, now: deps.now(), leaseMs: deps.leaseMs }));
  });
  return app;
}
