import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../../src/adapters/ffmpeg/ffmpeg-binaries.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLE_CLIP = join(REPO_ROOT, 'samples', 'vtest-street.mp4');
export const PERSON_JPG = join(REPO_ROOT, 'test', 'fixtures', 'images', 'person.jpg');
export const CLI_ENTRY = join(REPO_ROOT, 'test', 'support', 'run-cli.ts');

const MEDIA_DIR = join(tmpdir(), 'vigil-test-media');

/** A clip cut from the sample by real ffmpeg, made once per machine and reused. */
export function sampleExcerpt(name: string, fromSeconds: number, seconds: number): string {
  mkdirSync(MEDIA_DIR, { recursive: true });
  const out = join(MEDIA_DIR, `${name}-${fromSeconds}-${seconds}.mp4`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp.mp4`;
    execFileSync(locateFfmpeg().ffmpeg, [
      '-v', 'error', '-y', '-ss', String(fromSeconds), '-i', SAMPLE_CLIP, '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-an', '-movflags', '+faststart', tmp,
    ]);
    execFileSync('mv', [tmp, out]);
  }
  return out;
}

/** The first `bytes` of a valid MP4 with its index at the front: decodes for a while, then ends abruptly. */
export function truncatedCopy(source: string, dir: string, fraction = 0.5): string {
  const data = readFileSync(source);
  const out = join(dir, 'truncated.mp4');
  writeFileSync(out, data.subarray(0, Math.floor(data.length * fraction)));
  return out;
}
