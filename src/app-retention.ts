/**
 * Composition of retention (`vigil serve`'s periodic sweep and `vigil prune`): the SQLite store,
 * the run folders and the policy from the configuration. Part of the composition root (with app.ts).
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { DataDirMediaFiles } from './adapters/media/data-dir-media-files.ts';
import { openSqliteDatabase } from './adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteRetentionStore } from './adapters/storage/sqlite/sqlite-retention-store.ts';
import { DATABASE_FILE, systemClock } from './app.ts';
import { DEFAULT_RETENTION_INTERVAL_MINUTES, KEEP_FOREVER, type LoadedConfig, type VigilConfig } from './config/index.ts';
import type { RetentionMetrics } from './ports/live-metrics.ts';
import type { Clock, Logger } from './ports/logger.ts';
import type { RetentionPolicy } from './services/retention/retention-plan.ts';
import { RetentionService } from './services/retention/retention.service.ts';

const MB = 1024 * 1024;

/** `storage.retention` and the cameras' `retention` as the planner takes them. */
export function retentionPolicy(config: VigilConfig): RetentionPolicy {
  const retention = config.storage.retention;
  const days = (value: number | typeof KEEP_FOREVER | undefined) => (value === KEEP_FOREVER ? undefined : value);
  const cameras = new Map<string, number | undefined>();
  for (const [id, camera] of Object.entries(config.cameras)) {
    if (camera.retention) cameras.set(id, days(camera.retention.days));
  }
  const globalDays = days(retention?.days);
  return {
    ...(globalDays !== undefined ? { days: globalDays } : {}),
    cameras,
    ...(retention?.max_disk_mb !== undefined ? { maxDiskBytes: Math.round(retention.max_disk_mb * MB) } : {}),
  };
}

export function retentionIntervalMs(config: VigilConfig): number {
  return (config.storage.retention?.interval_minutes ?? DEFAULT_RETENTION_INTERVAL_MINUTES) * 60_000;
}

export function createRetentionService(
  loaded: LoadedConfig,
  deps: { db: Database.Database; logger: Logger; clock?: Clock; metrics?: RetentionMetrics },
): RetentionService {
  return new RetentionService({
    store: new SqliteRetentionStore(deps.db),
    files: new DataDirMediaFiles(loaded.config.storage.data_dir),
    policy: retentionPolicy(loaded.config),
    clock: deps.clock ?? systemClock,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    pause: () => new Promise((resolve) => setImmediate(resolve)),
  });
}

/** Retention over the configured data directory with a database connection of its own (`vigil prune`). */
export function createRetentionApp(loaded: LoadedConfig, deps: { logger: Logger; clock?: Clock }): { service: RetentionService; close(): void } {
  const db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
  return { service: createRetentionService(loaded, { db, ...deps }), close: () => db.close() };
}
