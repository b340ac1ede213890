import type { Logger } from '../../src/ports/logger.ts';

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger };

/** Polls `read` until `done` holds or the time is up (then fails with the last value). */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value).slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/** A camera's live state as GET /api/cameras shows it. */
export interface LiveJson {
  status: string;
  connected: boolean;
  input_fps: number;
  processed_fps: number;
  frames_in: number;
  frames_processed: number;
  frames_dropped: number;
  reconnects: number;
  last_frame_at: string | null;
  connected_since: string | null;
  last_error: string | null;
  last_error_at: string | null;
  next_attempt_at: string | null;
}

export interface CameraJson {
  id: string;
  live: LiveJson | null;
  events: number;
}

/** `server`: a running Vigil (in-process, or a `vigil serve` process by its URL). */
export async function cameraState(server: { url: string }, id: string): Promise<CameraJson & { live: LiveJson }> {
  const body = (await (await fetch(`${server.url}/api/cameras`)).json()) as { cameras: CameraJson[] };
  const camera = body.cameras.find((c) => c.id === id);
  if (!camera?.live) throw new Error(`no live state for camera ${id}: ${JSON.stringify(body).slice(0, 600)}`);
  return camera as CameraJson & { live: LiveJson };
}
