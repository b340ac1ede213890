import type { Frame } from '../domain/frame.ts';

/** What probing an input told us, before any frame is decoded. */
export interface VideoInfo {
  /** The input as given: a file path or an rtsp/http(s) URL. */
  uri: string;
  kind: 'file' | 'stream';
  /** Identifies the content: a fingerprint of a file's bytes, or the URL of a stream. */
  fingerprint: string;
  codec: string;
  width: number;
  height: number;
  /** Native frame rate of the video stream. */
  fps: number;
  /** Undefined for live streams. */
  durationSeconds?: number;
  /** Files: the frame count the container's header declares, when it has one. */
  declaredFrames?: number;
  /** Frames carry no timestamps (MJPEG over HTTP): they are timed by when they arrive. */
  timedByArrival?: true;
  /** How an RTSP stream is read (set when probed with it). */
  rtspTransport?: 'tcp' | 'udp';
  /** Files: size in bytes and modification time, for start-time inference. */
  sizeBytes?: number;
  mtimeMs?: number;
}

export interface DecodeOptions {
  /** Frames per second to sample (at most the native rate). */
  sampleFps: number;
  /** Frames are scaled to this width, keeping the aspect ratio. */
  width: number;
  height: number;
  /** Wall-clock time of pts 0 (files), used to stamp frames; streams are stamped on arrival. */
  startTimeMs: number;
  /** Play a file over and over at its own speed, stamped on arrival: a file standing in for a camera. */
  loop?: boolean;
  signal: AbortSignal;
  /**
   * Told, after the last frame, when a file ended before its container said it would (truncated,
   * or damaged part-way): the frames before that were good and were all delivered.
   */
  onShortfall?: (shortfall: InputShortfall) => void;
}

/** A file that ended early: how much was decoded against what its container declared. */
export interface InputShortfall {
  decodedSeconds: number;
  declaredSeconds: number;
  /** The decoder's own complaint, when it made one (credentials removed). */
  decoderMessage?: string;
}

/** Reads videos: probes them and decodes sampled, scaled RGB frames as an async iterator. */
export interface VideoInput {
  probe(uri: string, signal?: AbortSignal, options?: { rtspTransport?: 'tcp' | 'udp' }): Promise<VideoInfo>;
  frames(info: VideoInfo, options: DecodeOptions): AsyncIterable<Frame>;
}
