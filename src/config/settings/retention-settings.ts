/** `storage.retention` and the cameras' `retention` as the retention planner takes them. */
import type { RetentionPolicy } from '../../services/retention/retention-plan.ts';
import { KEEP_FOREVER } from '../camera.schema.ts';
import { DEFAULT_RETENTION_INTERVAL_MINUTES, type VigilConfig } from '../config.schema.ts';

const MB = 1024 * 1024;

export function retentionPolicy(config: Pick<VigilConfig, 'storage' | 'cameras'>): RetentionPolicy {
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

export function retentionIntervalMs(config: Pick<VigilConfig, 'storage'>): number {
  return (config.storage.retention?.interval_minutes ?? DEFAULT_RETENTION_INTERVAL_MINUTES) * 60_000;
}
