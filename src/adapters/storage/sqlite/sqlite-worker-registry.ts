import type Database from 'better-sqlite3';
import type { CameraLease, WorkerRecord, WorkerRegistry } from '../../../ports/worker-registry.ts';
import { toLease, toWorker } from '../worker-rows.ts';

/**
 * Workers and camera leases in the SQLite file: processes of one machine sharing it (several
 * `vigil worker`s beside `vigil serve`). Each change is one IMMEDIATE transaction, so two
 * processes deciding about the same camera take turns.
 */
export class SqliteWorkerRegistry implements WorkerRegistry {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      upsertWorker: db.prepare(`
        INSERT INTO workers (id, host, pid, role, started_at, heartbeat_at, runs_cameras, stats_json)
        VALUES (@id, @host, @pid, @role, @started_at, @heartbeat_at, @runs_cameras, @stats_json)
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, runs_cameras = excluded.runs_cameras, stats_json = excluded.stats_json`),
      liveWorkers: db.prepare('SELECT * FROM workers WHERE heartbeat_at > ? ORDER BY started_at, id'),
      deleteWorker: db.prepare('DELETE FROM workers WHERE id = ?'),
      lease: db.prepare('SELECT * FROM camera_leases WHERE camera_id = ?'),
      insertLease: db.prepare('INSERT INTO camera_leases (camera_id, holder, generation, expires_at) VALUES (?, ?, 1, ?)'),
      takeLease: db.prepare('UPDATE camera_leases SET holder = ?, generation = generation + 1, expires_at = ? WHERE camera_id = ?'),
      renewLease: db.prepare('UPDATE camera_leases SET expires_at = ? WHERE camera_id = ? AND holder = ? AND generation = ?'),
      releaseLease: db.prepare('UPDATE camera_leases SET expires_at = 0 WHERE camera_id = ? AND holder = ? AND generation = ?'),
      leases: db.prepare('SELECT * FROM camera_leases ORDER BY camera_id'),
    };
  }

  async heartbeat(worker: WorkerRecord): Promise<void> {
    this.statements.upsertWorker.run({
      id: worker.id,
      host: worker.host,
      pid: worker.pid,
      role: worker.role,
      started_at: worker.startedAt,
      heartbeat_at: worker.heartbeatAt,
      runs_cameras: worker.runsCameras ? 1 : 0,
      stats_json: JSON.stringify(worker.stats),
    });
  }

  async liveWorkers(sinceMs: number): Promise<WorkerRecord[]> {
    return this.statements.liveWorkers.all(sinceMs).map(toWorker);
  }

  async leave(workerId: string): Promise<void> {
    this.statements.deleteWorker.run(workerId);
  }

  async acquire(cameraId: string, holder: string, nowMs: number, ttlMs: number): Promise<CameraLease | undefined> {
    return this.db
      .transaction((): CameraLease | undefined => {
        const row = this.statements.lease.get(cameraId);
        if (row === undefined) {
          this.statements.insertLease.run(cameraId, holder, nowMs + ttlMs);
        } else {
          const current = toLease(row);
          if (current.holder === holder) this.statements.renewLease.run(nowMs + ttlMs, cameraId, holder, current.generation);
          else if (current.expiresAt <= nowMs) this.statements.takeLease.run(holder, nowMs + ttlMs, cameraId);
          else return undefined;
        }
        return toLease(this.statements.lease.get(cameraId));
      })
      .immediate();
  }

  async renew(lease: CameraLease, nowMs: number, ttlMs: number): Promise<boolean> {
    return this.statements.renewLease.run(nowMs + ttlMs, lease.cameraId, lease.holder, lease.generation).changes === 1;
  }

  async release(lease: CameraLease): Promise<void> {
    this.statements.releaseLease.run(lease.cameraId, lease.holder, lease.generation);
  }

  async leases(): Promise<CameraLease[]> {
    return this.statements.leases.all().map(toLease);
  }

  async holds(lease: CameraLease, nowMs: number): Promise<boolean> {
    const row = this.statements.lease.get(lease.cameraId);
    if (row === undefined) return false;
    const current = toLease(row);
    return current.holder === lease.holder && current.generation === lease.generation && current.expiresAt > nowMs;
  }
}
