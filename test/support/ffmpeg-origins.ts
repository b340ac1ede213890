import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { locateFfmpeg } from '../../src/adapters/ffmpeg/ffmpeg-binaries.ts';

/**
 * Both ffmpegs Vigil can run: the system's (found on PATH first) and the static builds npm
 * installs (used when there is none). Tests that must hold for both run once with each.
 */

/** Why the system's ffmpeg cannot be used here, or undefined when it can. */
export function systemFfmpegMissing(pathEnv = process.env['PATH']): string | undefined {
  try {
    return locateFfmpeg(pathEnv).origin === 'system' ? undefined : 'no ffmpeg and ffprobe on PATH (e.g. `apt-get install ffmpeg`)';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why npm's ffmpeg cannot be used here, or undefined when it can. */
export function npmFfmpegMissing(): string | undefined {
  try {
    locateFfmpeg('');
    return undefined;
  } catch (error) {
    return `${(error as Error).message} (@ffmpeg-installer/@ffprobe-installer are optional dependencies)`;
  }
}

/** PATH without the folders that hold an ffmpeg or ffprobe: Vigil then falls back to npm's. */
export function pathWithoutSystemFfmpeg(pathEnv = process.env['PATH'] ?? ''): string {
  return pathEnv
    .split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, 'ffmpeg')) && !existsSync(join(dir, 'ffprobe')))
    .join(delimiter);
}
