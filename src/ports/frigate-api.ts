/** A JPEG (or other image) from Frigate. */
export interface FrigateImage {
  data: Uint8Array;
  mimeType: 'image/jpeg' | 'image/png' | 'image/webp';
}

/**
 * Frigate's HTTP API, the parts the sidecar uses. Outages (refused connection, timeouts, 5xx)
 * are thrown as retryable errors; "this event has no such image" is `undefined`.
 */
export interface FrigateApi {
  /** The event's best snapshot (`/api/events/<id>/snapshot.jpg`). */
  snapshot(frigateId: string, signal?: AbortSignal): Promise<FrigateImage | undefined>;
  /** The small crop Frigate keeps for every event (`/api/events/<id>/thumbnail.jpg`). */
  thumbnail(frigateId: string, signal?: AbortSignal): Promise<FrigateImage | undefined>;
  /** The event's recording (`/api/events/<id>/clip.mp4`), an MP4; `undefined` when Frigate has none. */
  clip(frigateId: string, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Shows `description` in Frigate's own UI (`POST /api/events/<id>/description`, 0.15+). Returns false when Frigate has no such event. */
  setDescription(frigateId: string, description: string, signal?: AbortSignal): Promise<boolean>;
}
