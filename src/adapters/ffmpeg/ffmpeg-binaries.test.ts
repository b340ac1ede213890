import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../test/support/requirements.ts';
import { binaryEnv, legacyRtspTimeout, locateFfmpeg, NPM_BINARY_ENV } from './ffmpeg-binaries.ts';
import { ffprobe } from './ffprobe.ts';

function npmBinaries() {
  try {
    // An empty PATH hides any system ffmpeg: what a machine without one gets.
    return locateFfmpeg('');
  } catch (error) {
    return (error as Error).message;
  }
}

const npm = npmBinaries();
const dir = mkdtempSync(join(tmpdir(), 'vigil-ffmpeg-binaries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(requireOrSkip('npm-ffmpeg', 'the npm ffmpeg tests', typeof npm === 'string' ? npm : undefined))('the ffmpeg that npm installs', () => {
  const binaries = npm as Exclude<typeof npm, string>;

  it('is found without a system ffmpeg, with the environment its static build needs', () => {
    expect(binaries.origin).toBe('npm');
    expect(binaries.env).toEqual(NPM_BINARY_ENV);
    expect(binaryEnv(binaries)?.['GCONV_PATH']).toBe(NPM_BINARY_ENV['GCONV_PATH']);
  });

  it('probes MPEG-TS, the container of every HLS stream (its ffprobe crashed on it before)', async () => {
    const ts = join(dir, 'test.ts');
    execFileSync(binaries.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=5', '-c:v', 'libx264', '-f', 'mpegts', ts], {
      env: binaryEnv(binaries),
    });
    const probed = await ffprobe(binaries, ts, { timeoutMs: 20_000 });
    expect(probed).toMatchObject({ width: 160, height: 120 });
  });

  it('knows that its ffmpeg 4.1 takes -stimeout for RTSP and its newer ffprobe -timeout', async () => {
    expect(await legacyRtspTimeout(binaries.ffmpeg, binaries)).toBe(true);
    expect(await legacyRtspTimeout(binaries.ffprobe, binaries)).toBe(false);
  });
});

describe('legacyRtspTimeout', () => {
  it('assumes a current ffmpeg when the binary does not answer', async () => {
    expect(await legacyRtspTimeout(join(dir, 'no-such-ffmpeg'), {})).toBe(false);
  });
});
