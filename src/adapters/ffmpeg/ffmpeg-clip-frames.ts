import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../../domain/errors.ts';
import type { ClipFrameExtractor } from '../../ports/clip-frames.ts';
import { binaryEnv, type FfmpegBinaries } from './ffmpeg-binaries.ts';
import { ffmpegFailure } from './ffmpeg-errors.ts';
import { ffprobe } from './ffprobe.ts';
import { runCommand } from './process-runner.ts';

/** Where in the clip the frames are taken: evenly inside it, never its very first or last frame. */
export function clipFrameTimes(durationSeconds: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (durationSeconds * (i + 1)) / (count + 1));
}

/**
 * Frames of a clip by real ffmpeg: the clip goes to a private temporary folder (ffmpeg needs to
 * seek in an MP4, which a pipe cannot do), each frame is one fast seek and one JPEG, and the
 * folder is removed whatever happens.
 */
export class FfmpegClipFrames implements ClipFrameExtractor {
  constructor(
    private readonly binaries: FfmpegBinaries,
    private readonly timeoutMs = 30_000,
  ) {}

  async extract(clip: Uint8Array, count: number, signal?: AbortSignal): Promise<Uint8Array[]> {
    if (count <= 0) return [];
    const dir = await mkdtemp(join(tmpdir(), 'vigil-clip-'));
    try {
      const input = join(dir, 'clip.mp4');
      await writeFile(input, clip);
      const options = { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) };
      const probed = await ffprobe(this.binaries, input, options);
      if (probed.durationSeconds === undefined) throw new VigilError('input_unreadable', 'the clip has no duration');
      const frames: Uint8Array[] = [];
      for (const [i, seconds] of clipFrameTimes(probed.durationSeconds, count).entries()) {
        const output = join(dir, `frame-${i}.jpg`);
        const args = ['-nostdin', '-v', 'error', '-ss', seconds.toFixed(3), '-i', input, '-frames:v', '1', '-q:v', '3', '-y', output];
        const result = await runCommand(this.binaries.ffmpeg, args, { ...options, env: binaryEnv(this.binaries) });
        if (result.timedOut) throw new VigilError('decode_failed', `ffmpeg took longer than ${this.timeoutMs / 1000} s for a frame of the clip`);
        if (result.code !== 0) throw ffmpegFailure(result.stderr, 'the clip', 'decode', { signal: result.signal, tool: 'ffmpeg', origin: this.binaries.origin });
        frames.push(await readFile(output).catch(() => Buffer.alloc(0)));
      }
      return frames.filter((f) => f.length > 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
