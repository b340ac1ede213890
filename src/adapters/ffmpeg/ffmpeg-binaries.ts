import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { VigilError } from '../../domain/errors.ts';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** Where they came from, for `vigil` diagnostics. */
  origin: 'system' | 'npm';
}

const require = createRequire(import.meta.url);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The binary shipped inside an npm package (e.g. @ffmpeg-installer/linux-x64), when installed. */
function findInPackage(pkg: string, name: string): string | undefined {
  try {
    const candidate = join(dirname(require.resolve(`${pkg}/package.json`)), name);
    return isExecutable(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Prefers the system's ffmpeg/ffprobe (newer, with the distribution's codecs and hardware support);
 * falls back to the static builds that npm installs as optional dependencies, so that a fresh
 * `npm install` is enough to run Vigil.
 */
export function locateFfmpeg(pathEnv: string | undefined = process.env.PATH): FfmpegBinaries {
  const systemFfmpeg = findOnPath('ffmpeg', pathEnv);
  const systemFfprobe = findOnPath('ffprobe', pathEnv);
  if (systemFfmpeg && systemFfprobe) return { ffmpeg: systemFfmpeg, ffprobe: systemFfprobe, origin: 'system' };

  const platform = `${process.platform}-${process.arch}`;
  const npmFfmpeg = findInPackage(`@ffmpeg-installer/${platform}`, 'ffmpeg');
  const npmFfprobe = findInPackage(`@ffprobe-installer/${platform}`, 'ffprobe');
  if (npmFfmpeg && npmFfprobe) return { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, origin: 'npm' };

  throw new VigilError(
    'ffmpeg_missing',
    'ffmpeg and ffprobe were not found: install them (e.g. `apt-get install ffmpeg`) or run `npm install` to get the bundled copies.',
  );
}
