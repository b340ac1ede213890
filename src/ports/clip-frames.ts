/** Still frames taken from a short video, such as the recording of a Frigate event. */
export interface ClipFrameExtractor {
  /** Up to `count` JPEG frames spread evenly over the clip, in time order. */
  extract(clip: Uint8Array, count: number, signal?: AbortSignal): Promise<Uint8Array[]>;
}
