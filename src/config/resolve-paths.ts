import path from 'node:path';
import { isStreamInput } from './camera-input.ts';
import type { VigilConfig } from './config.schema.ts';

/**
 * Relative paths in a config mean "next to this config file", not "wherever the command was
 * started", so the same file works from any working directory.
 */
export function resolveConfigPaths(config: VigilConfig, baseDir: string): VigilConfig {
  const resolve = (p: string) => path.resolve(baseDir, p);
  const optional = (p: string | undefined) => (p === undefined ? undefined : resolve(p));
  return {
    ...config,
    detector: { ...config.detector, model: optional(config.detector.model), labels: optional(config.detector.labels) },
    cameras: Object.fromEntries(
      Object.entries(config.cameras).map(([id, camera]) => [
        id,
        { ...camera, input: isStreamInput(camera.input) ? camera.input : resolve(camera.input) },
      ]),
    ),
    storage: { ...config.storage, data_dir: resolve(config.storage.data_dir) },
  };
}
