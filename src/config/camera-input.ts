/** URL schemes a camera `input` may use; anything else with `://` is a typo or unsupported. */
export const STREAM_SCHEMES: readonly string[] = ['rtsp', 'rtsps', 'http', 'https'];

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The URL scheme of `input` in lower case, or undefined when it is a file path. */
export function inputScheme(input: string): string | undefined {
  return SCHEME.exec(input)?.[1]?.toLowerCase();
}

/**
 * True when a camera input is a network stream rather than a file. Decided by the `scheme://`
 * prefix alone, so Windows paths such as `C:\clips\a.mp4` stay files.
 */
export function isStreamInput(input: string): boolean {
  return inputScheme(input) !== undefined;
}
