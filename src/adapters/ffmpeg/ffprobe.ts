import { z } from 'zod';
import { VigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';
import { binaryEnv, legacyRtspTimeout, type FfmpegBinaries } from './ffmpeg-binaries.ts';
import { ffmpegFailure } from './ffmpeg-errors.ts';
import { runCommand } from './process-runner.ts';

const numeric = z.union([z.string(), z.number()]).transform((v) => Number(v));

const ffprobeOutputSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        r_frame_rate: z.string().optional(),
        avg_frame_rate: z.string().optional(),
        sample_aspect_ratio: z.string().optional(),
        duration: numeric.optional(),
        nb_frames: numeric.optional(),
      }),
    )
    .default([]),
  format: z.object({ duration: numeric.optional(), format_name: z.string().optional() }).optional(),
});

export interface ProbeResult {
  codec: string;
  /** Display size (sample aspect ratio applied), in pixels. */
  width: number;
  height: number;
  fps: number;
  durationSeconds?: number;
  /**
   * How many frames the container's header says the video has (an AVI's frame count, an MP4's
   * sample count). ffprobe's duration of a cut AVI is what is left of it; this is what was meant.
   */
  declaredFrames?: number;
  /**
   * The container has no timestamps of its own (MJPEG over HTTP, as most cheap IP cameras
   * serve): ffmpeg would assume 25 frames/s, so frames must be timed by their arrival instead.
   */
  timedByArrival?: true;
}

/** Containers whose frames carry no presentation times. */
const UNTIMED_FORMATS = new Set(['mpjpeg', 'mjpeg']);

function parseRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [num, den] = rate.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return undefined;
  const value = den ? num / den : num;
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : undefined;
}

function displayWidth(width: number, sar: string | undefined): number {
  const ratio = parseRate(sar?.replace(':', '/'));
  return ratio && ratio !== 1 ? Math.round(width * ratio) : width;
}

/** Parse ffprobe's JSON into the facts Vigil needs; rejects inputs without a usable video stream. */
export function parseProbeOutput(json: string, input: string): ProbeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new VigilError('decode_failed', `ffprobe returned unreadable output for ${input}`, { cause });
  }
  const parsed = ffprobeOutputSchema.safeParse(raw);
  if (!parsed.success) throw new VigilError('decode_failed', `ffprobe returned unexpected output for ${input}`, { cause: parsed.error });
  const video = parsed.data.streams.find((s) => s.codec_type === 'video' && s.width && s.height);
  if (!video || !video.width || !video.height) {
    throw new VigilError('input_unreadable', `${input} has no video stream`);
  }
  const fps = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  if (!fps) throw new VigilError('input_unreadable', `${input} has no usable frame rate`);
  const duration = [video.duration, parsed.data.format?.duration].find((d) => d !== undefined && Number.isFinite(d) && d > 0);
  const frames = video.nb_frames;
  const declaredFrames = duration !== undefined && frames !== undefined && Number.isInteger(frames) && frames > 0 ? frames : undefined;
  return {
    codec: video.codec_name ?? 'unknown',
    width: displayWidth(video.width, video.sample_aspect_ratio),
    height: video.height,
    fps,
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(declaredFrames !== undefined ? { declaredFrames } : {}),
    ...(parsed.data.format?.format_name?.split(',').some((name) => UNTIMED_FORMATS.has(name)) ? { timedByArrival: true as const } : {}),
  };
}

export function isStreamUri(uri: string): boolean {
  return /^(rtsps?|rtmps?|https?|udp|tcp|srt):\/\//i.test(uri);
}

export type RtspTransport = 'tcp' | 'udp';

export function isRtspUri(uri: string): boolean {
  return /^rtsps?:\/\//i.test(uri);
}

/**
 * Input options that make network sources fail fast and reliably instead of hanging. RTSP goes
 * over TCP (no lost packets, no smeared frames) unless the camera only speaks UDP.
 */
export function networkInputArgs(uri: string, rtspTransport: RtspTransport = 'tcp', legacyRtsp = false): string[] {
  // Before ffmpeg 5.0, RTSP's socket timeout was -stimeout and -timeout meant "listen".
  if (isRtspUri(uri)) return ['-rtsp_transport', rtspTransport, legacyRtsp ? '-stimeout' : '-timeout', '10000000'];
  if (/^https?:\/\//i.test(uri)) return ['-rw_timeout', '10000000'];
  return [];
}

export async function ffprobe(
  binaries: Pick<FfmpegBinaries, 'ffprobe' | 'origin' | 'env'>,
  uri: string,
  options: { timeoutMs: number; signal?: AbortSignal; rtspTransport?: RtspTransport },
): Promise<ProbeResult> {
  const args = [
    '-v', 'error',
    ...networkInputArgs(uri, options.rtspTransport, isRtspUri(uri) && (await legacyRtspTimeout(binaries.ffprobe, binaries))),
    '-print_format', 'json',
    '-show_streams', '-show_format',
    uri,
  ];
  const result = await runCommand(binaries.ffprobe, args, {
    timeoutMs: options.timeoutMs,
    env: binaryEnv(binaries),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.timedOut) {
    throw new VigilError('input_unreachable', `${redactUrlCredentials(uri)} did not answer within ${Math.round(options.timeoutMs / 1000)} s`, { retryable: true });
  }
  if (result.code !== 0) throw ffmpegFailure(result.stderr, uri, 'probe', { signal: result.signal, tool: 'ffprobe', origin: binaries.origin });
  return parseProbeOutput(result.stdout, uri);
}
