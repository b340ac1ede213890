import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { VigilError } from '../../domain/errors.ts';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** Where they came from, for `vigil` diagnostics. */
  origin: 'system' | 'npm';
  /** Variables to add to the environment they run in (see NPM_BINARY_ENV). */
  env?: Readonly<Record<string, string>>;
}

/**
 * The npm builds are static: their own old glibc loads the host's iconv modules (gconv) as shared
 * libraries, which do not fit it. ffprobe then crashes (SIGSEGV) on any MPEG-TS input, i.e. every
 * HLS stream, when the MPEG-TS demuxer converts a DVB service name from ISO 6937. Pointing
 * GCONV_PATH at a path that cannot exist (a folder inside /dev/null) makes glibc skip the host's
 * module cache; the conversion then fails cleanly (the name is kept as it is) instead of crashing.
 */
export const NPM_BINARY_ENV: Readonly<Record<string, string>> = { GCONV_PATH: '/dev/null/no-gconv' };

/** The environment to run a located binary in: the process's own plus what the binaries need. */
export function binaryEnv(binaries: Pick<FfmpegBinaries, 'env'>): NodeJS.ProcessEnv | undefined {
  return binaries.env ? { ...process.env, ...binaries.env } : undefined;
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

const legacyRtsp = new Map<string, Promise<boolean>>();

/**
 * Whether this ffmpeg/ffprobe predates 5.0 (libavformat < 59), as the npm ffmpeg 4.1 does (and
 * Ubuntu 20.04's 4.2): there RTSP's `-timeout` means "listen for an incoming connection" (so
 * the camera is never called) and the socket timeout is `-stimeout`. Asked once per binary.
 */
export function legacyRtspTimeout(binary: string, binaries: Pick<FfmpegBinaries, 'env'>): Promise<boolean> {
  let known = legacyRtsp.get(binary);
  if (!known) {
    const env = binaryEnv(binaries);
    known = new Promise<boolean>((resolve) => {
      execFile(binary, ['-hide_banner', '-version'], { timeout: 10_000, ...(env ? { env } : {}) }, (error, stdout) => {
        const major = /libavformat\s+(\d+)\./.exec(String(stdout));
        // Unknown (it did not answer): assume a current ffmpeg; a real failure shows when it runs.
        resolve(!error && major?.[1] !== undefined && Number(major[1]) < 59);
      });
    });
    legacyRtsp.set(binary, known);
  }
  return known;
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
  if (npmFfmpeg && npmFfprobe) return { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, origin: 'npm', env: NPM_BINARY_ENV };

  throw new VigilError(
    'ffmpeg_missing',
    'ffmpeg and ffprobe were not found: install them (e.g. `apt-get install ffmpeg`) or run `npm install` to get the bundled copies.',
  );
}
