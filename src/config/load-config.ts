import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VigilError } from '../domain/errors.ts';
import type { VigilConfig } from './config.schema.ts';
import type { Env } from './env-substitution.ts';
import { parseConfigText } from './parse-config.ts';

export const DEFAULT_CONFIG_FILE = 'vigil.yml';

export interface LoadedConfig {
  config: VigilConfig;
  /** Absolute path of the file read; undefined when the built-in defaults are used. */
  file?: string;
  /** Folder relative paths were resolved against. */
  baseDir: string;
  /** Values substituted from the environment; mask them wherever the config is shown. */
  secrets: readonly string[];
  /** Parts of the file turned off while loading (a genai secret unset for a read-only command). */
  warnings?: readonly string[];
}

export interface LoadConfigOptions {
  /** Path of the config file, relative to `cwd`; defaults to `vigil.yml`. */
  file?: string;
  /** True when the user named the file (e.g. `--config`): then a missing file is an error. */
  explicit: boolean;
  env: Env;
  cwd: string;
  /** See ParseConfigOptions: `turn_off` for commands that never call a model (search, events). */
  unsetGenaiSecrets?: 'fail' | 'turn_off';
}

function isMissingFileError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Read and validate the config once at startup. Without a `vigil.yml` Vigil still runs (for
 * example `vigil analyze clip.mp4`) on built-in defaults, but a file the user asked for by name
 * must exist: silently falling back would hide a typo in the path.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { explicit, env, cwd } = options;
  const lenience = options.unsetGenaiSecrets === undefined ? {} : { unsetGenaiSecrets: options.unsetGenaiSecrets };
  const file = path.resolve(cwd, options.file ?? DEFAULT_CONFIG_FILE);

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!isMissingFileError(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new VigilError('config_invalid', `Cannot read config file ${file}`, { cause: error, details: [reason] });
    }
    if (explicit) throw new VigilError('config_not_found', `Config file not found: ${file}`, { cause: error });
    const defaults = parseConfigText('', { env, baseDir: cwd, fileLabel: 'built-in defaults', ...lenience });
    return { ...defaults, baseDir: cwd };
  }

  const baseDir = path.dirname(file);
  const parsed = parseConfigText(text, { env, baseDir, fileLabel: file, ...lenience });
  return { ...parsed, file, baseDir };
}
