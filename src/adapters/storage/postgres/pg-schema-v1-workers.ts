/**
 * Schema v1, the processes sharing the database (SQLite migration 16): workers with their
 * heartbeats, and one lease per live camera whose `generation` is the fencing token of the
 * holder's writes (ports/worker-registry.ts).
 */
export const WORKERS_STATEMENTS: readonly string[] = [
  `CREATE TABLE workers (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    role         TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    runs_cameras BOOLEAN NOT NULL,
    stats_json   TEXT NOT NULL
  )`,
  `CREATE TABLE camera_leases (
    camera_id  TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    generation BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  )`,
];
