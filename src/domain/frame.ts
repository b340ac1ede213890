/** A decoded video frame as packed 8-bit RGB (width * height * 3 bytes). */
export interface Frame {
  /** 0-based index of the frame among the sampled frames of its source. */
  index: number;
  /** Wall-clock time the frame shows, in milliseconds since the Unix epoch. */
  timestampMs: number;
  /** Seconds since the start of the source (the frame's presentation time). */
  ptsSeconds: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}
