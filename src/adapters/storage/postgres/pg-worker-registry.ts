import type { CameraLease, WorkerRecord, WorkerRegistry } from '../../../ports/worker-registry.ts';
import { toLease, toWorker } from '../worker-rows.ts';
import { sqlState, type SqlClient } from './sql-client.ts';

/**
 * Workers and camera leases in PostgreSQL. Taking a lease is one statement: the row is inserted,
 * or updated only where it is free, expired or already ours, so two workers racing for a camera
 * cannot both win (the row lock of the upsert orders them).
 */
export class PgWorkerRegistry implements WorkerRegistry {
  constructor(private readonly db: SqlClient) {}

  async heartbeat(worker: WorkerRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO workers (id, host, pid, role, started_at, heartbeat_at, runs_cameras, stats_json)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, runs_cameras = EXCLUDED.runs_cameras, stats_json = EXCLUDED.stats_json`,
      [worker.id, worker.host, worker.pid, worker.role, worker.startedAt, worker.heartbeatAt, worker.runsCameras, JSON.stringify(worker.stats)],
    );
  }

  async liveWorkers(sinceMs: number): Promise<WorkerRecord[]> {
    const { rows } = await this.db.query('SELECT * FROM workers WHERE heartbeat_at > $1 ORDER BY started_at, id', [sinceMs]);
    return rows.map(toWorker);
  }

  async leave(workerId: string): Promise<void> {
    await this.db.query('DELETE FROM workers WHERE id = $1', [workerId]);
  }

  async acquire(cameraId: string, holder: string, nowMs: number, ttlMs: number): Promise<CameraLease | undefined> {
    // Ours: renewed, same generation. Free or expired: taken, next generation. Otherwise untouched
    // (no row returned). A holder writing a batch holds the row FOR SHARE until its commit: wait
    // at most a moment, then try again next round instead of stalling this worker's renewals.
    const { rows } = await this.db.transaction(async (tx) => {
      await tx.query("SET LOCAL lock_timeout = '1s'");
      try {
        return await tx.query(
      `INSERT INTO camera_leases AS l (camera_id, holder, generation, expires_at) VALUES ($1, $2, 1, $3::bigint + $4::bigint)
       ON CONFLICT (camera_id) DO UPDATE SET
         generation = CASE WHEN l.holder = EXCLUDED.holder THEN l.generation ELSE l.generation + 1 END,
         holder = EXCLUDED.holder,
         expires_at = EXCLUDED.expires_at
       WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $3::bigint
       RETURNING *`,
          [cameraId, holder, nowMs, ttlMs],
        );
      } catch (error) {
        if (sqlState(error) === '55P03') return { rows: [], rowCount: 0 };
        throw error;
      }
    });
    return rows[0] === undefined ? undefined : toLease(rows[0]);
  }

  async renew(lease: CameraLease, nowMs: number, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE camera_leases SET expires_at = $1 WHERE camera_id = $2 AND holder = $3 AND generation = $4', [
      nowMs + ttlMs,
      lease.cameraId,
      lease.holder,
      lease.generation,
    ]);
    return rowCount === 1;
  }

  async release(lease: CameraLease): Promise<void> {
    await this.db.query('UPDATE camera_leases SET expires_at = 0 WHERE camera_id = $1 AND holder = $2 AND generation = $3', [lease.cameraId, lease.holder, lease.generation]);
  }

  async leases(): Promise<CameraLease[]> {
    const { rows } = await this.db.query('SELECT * FROM camera_leases ORDER BY camera_id');
    return rows.map(toLease);
  }

  async holds(lease: CameraLease, nowMs: number): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM camera_leases WHERE camera_id = $1 AND holder = $2 AND generation = $3 AND expires_at > $4', [
      lease.cameraId,
      lease.holder,
      lease.generation,
      nowMs,
    ]);
    return rows.length === 1;
  }
}
