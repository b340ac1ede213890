import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { Frame } from '../../domain/frame.ts';
import { VigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';
import type { DecodeOptions, InputShortfall, VideoInfo, VideoInput } from '../../ports/video-input.ts';
import { binaryEnv, legacyRtspTimeout, type FfmpegBinaries } from './ffmpeg-binaries.ts';
import { ffmpegFailure, stderrTail } from './ffmpeg-errors.ts';
import { ffprobe, isRtspUri, isStreamUri, networkInputArgs } from './ffprobe.ts';

const FINGERPRINT_SLICE = 1024 * 1024;
const STDERR_KEEP = 64 * 1024;

/**
 * A file's identity without reading all of it: its size plus hashes of its first and last MiB.
 * Re-encoded, trimmed or appended files differ; the same file copied elsewhere matches.
 */
async function fingerprintFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256').update(`size:${size}\n`);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(FINGERPRINT_SLICE, size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > FINGERPRINT_SLICE) {
      const tail = Buffer.alloc(Math.min(FINGERPRINT_SLICE, size - FINGERPRINT_SLICE));
      await handle.read(tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
  } finally {
    await handle.close();
  }
  return `sha256:${hash.digest('hex')}`;
}

async function statInput(path: string): Promise<{ size: number; mtimeMs: number }> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new VigilError('input_unreadable', `${path} is not a file`);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch (error) {
    if (error instanceof VigilError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new VigilError('input_not_found', `${path} does not exist`, { cause: error });
    if (code === 'EACCES') throw new VigilError('input_unreadable', `${path} cannot be read (permission denied)`, { cause: error });
    throw new VigilError('input_unreadable', `${path} cannot be read`, { cause: error });
  }
}

/**
 * ffmpeg says "moov atom not found" both for a truncated MP4 and for any non-video file it tried
 * to read as MP4 (because of the name). Only a file that starts like an MP4 is called truncated.
 */
async function explainUnreadableFile(path: string, error: unknown): Promise<unknown> {
  if (!(error instanceof VigilError) || !/no index/.test(error.message)) return error;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    if (head.subarray(4, 8).toString('latin1') === 'ftyp') return error;
  } finally {
    await handle.close();
  }
  return new VigilError('input_unreadable', `${path} is not a video that ffmpeg can read`, { cause: error });
}

export interface FfmpegVideoInputOptions {
  binaries: FfmpegBinaries;
  probeTimeoutMs?: number;
}

export class FfmpegVideoInput implements VideoInput {
  private readonly binaries: FfmpegBinaries;
  private readonly probeTimeoutMs: number;

  constructor(options: FfmpegVideoInputOptions) {
    this.binaries = options.binaries;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 20_000;
  }

  async probe(uri: string, signal?: AbortSignal, options: { rtspTransport?: 'tcp' | 'udp' } = {}): Promise<VideoInfo> {
    const probeOptions = { timeoutMs: this.probeTimeoutMs, ...(signal ? { signal } : {}) };
    if (isStreamUri(uri)) {
      const transport = options.rtspTransport ? { rtspTransport: options.rtspTransport } : {};
      const probed = await ffprobe(this.binaries, uri, { ...probeOptions, ...transport });
      const { durationSeconds: _ignored, declaredFrames: _none, ...live } = probed;
      return { uri, kind: 'stream', fingerprint: `url:${redactUrlCredentials(uri)}`, ...live, ...transport };
    }
    const { size, mtimeMs } = await statInput(uri);
    if (size === 0) throw new VigilError('input_empty', `${uri} is empty (0 bytes)`);
    const probed = await ffprobe(this.binaries, uri, probeOptions).catch(async (error: unknown) => {
      throw await explainUnreadableFile(uri, error);
    });
    const fingerprint = await fingerprintFile(uri, size);
    return { uri, kind: 'file', fingerprint, sizeBytes: size, mtimeMs, ...probed };
  }

  async *frames(info: VideoInfo, options: DecodeOptions): AsyncGenerator<Frame> {
    const { width, height, signal } = options;
    const sampleFps = Math.min(options.sampleFps, info.fps);
    const frameBytes = width * height * 3;
    const legacyRtsp = isRtspUri(info.uri) && (await legacyRtspTimeout(this.binaries.ffmpeg, this.binaries));
    const args = [
      '-nostdin', '-hide_banner', '-loglevel', 'error',
      ...networkInputArgs(info.uri, info.rtspTransport, legacyRtsp),
      // Without this, ffmpeg times untimed frames at an assumed 25/s and the fps filter would
      // keep far too few of a camera's real 5 or 10 per second.
      ...(info.kind === 'stream' && info.timedByArrival ? ['-use_wallclock_as_timestamps', '1'] : []),
      // -re reads at the native rate, as a camera delivers; -stream_loop -1 starts over at the end.
      ...(options.loop ? ['-re', '-stream_loop', '-1'] : []),
      '-i', info.uri,
      '-map', '0:v:0', '-an', '-sn', '-dn',
      // fps first (fewer frames to scale), then scale straight to the detect size.
      '-vf', `fps=${sampleFps},scale=${width}:${height}:flags=bilinear`,
      '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
    ];
    signal.throwIfAborted();
    const env = binaryEnv(this.binaries);
    const child = spawn(this.binaries.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    const exited = new Promise<{ code: number | null; signal?: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.on('error', (error) => resolve({ code: null, error }));
      child.on('close', (code, exitSignal) => resolve({ code, signal: exitSignal }));
    });
    const kill = () => child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });

    let index = 0;
    let buffer = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    try {
      // Async iteration reads stdout only as fast as frames are consumed: ffmpeg blocks on a
      // full pipe, so memory stays bounded to a frame plus the pipe's buffer.
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const take = Math.min(frameBytes - filled, chunk.length - offset);
          chunk.copy(buffer, filled, offset, offset + take);
          filled += take;
          offset += take;
          if (filled === frameBytes) {
            const ptsSeconds = index / sampleFps;
            const live = info.kind === 'stream' || options.loop === true;
            const timestampMs = live ? Date.now() : Math.round(options.startTimeMs + ptsSeconds * 1000);
            yield { index, ptsSeconds, timestampMs, width, height, rgb: new Uint8Array(buffer.buffer, buffer.byteOffset, frameBytes) };
            index++;
            buffer = Buffer.allocUnsafe(frameBytes);
            filled = 0;
          }
        }
      }
      const exit = await exited;
      signal.throwIfAborted();
      if (exit.error) throw new VigilError('decode_failed', `ffmpeg could not be started: ${exit.error.message}`, { cause: exit.error });
      const failure = exit.code !== 0 ? ffmpegFailure(stderr, info.uri, 'decode', { signal: exit.signal ?? null, tool: 'ffmpeg', origin: this.binaries.origin }) : undefined;
      // A file that gave good frames and then made ffmpeg give up is a file that ends early, not one
      // to reject: what was decoded is kept and the shortfall reported. A process ended by a signal
      // (a crash, the OOM killer) says nothing about the file.
      if (failure && !(info.kind === 'file' && !options.loop && index > 0 && !exit.signal)) throw failure;
      if (!options.loop) {
        const shortfall = fileShortfall(info, index, sampleFps, stderr, failure !== undefined);
        if (shortfall) options.onShortfall?.(shortfall);
      }
    } finally {
      signal.removeEventListener('abort', kill);
      if (child.exitCode === null) kill();
    }
  }
}

/**
 * How long a file says it is: the longer of its duration and its header's frame count at its
 * frame rate (ffprobe gives a cut AVI the duration of what is left, but its header the full count).
 */
function declaredDuration(info: VideoInfo): number | undefined {
  const fromFrames = info.declaredFrames !== undefined ? info.declaredFrames / info.fps : undefined;
  if (info.durationSeconds === undefined) return fromFrames;
  return fromFrames === undefined ? info.durationSeconds : Math.max(info.durationSeconds, fromFrames);
}

/**
 * Whether a file delivered clearly less than its container declares (duration from the header:
 * an AVI's frame count, an MP4's index). ffmpeg often reads a cut file to its last whole frame
 * without a word (AVI) or with a warning only, so the count decides; a small margin allows for
 * rounding and a last partial frame. A decoder failure after good frames is a shortfall too.
 */
export function fileShortfall(info: VideoInfo, decoded: number, sampleFps: number, stderr: string, failed = false): InputShortfall | undefined {
  if (info.kind !== 'file') return undefined;
  const decodedSeconds = decoded / sampleFps;
  const declaredSeconds = declaredDuration(info);
  const message = stderrTail(stderr, 1);
  if (declaredSeconds === undefined) {
    return failed ? { decodedSeconds, declaredSeconds: decodedSeconds, ...(message ? { decoderMessage: message } : {}) } : undefined;
  }
  const expected = Math.floor(declaredSeconds * sampleFps);
  if (!failed && decoded >= expected * 0.95 - 1) return undefined;
  return { decodedSeconds, declaredSeconds, ...(message ? { decoderMessage: message } : {}) };
}
