import type { StoredEvent } from '../../ports/analysis-store.ts';

/** An event as Vigil publishes it over MQTT: the API's field names, times in ISO 8601 UTC. */
export interface PublishedEvent {
  id: string;
  camera: string;
  type: string;
  rule: string;
  status: 'open' | 'closed';
  start: string;
  end: string;
  labels: string[];
  summary: { en: string; zh_hant: string };
  /** Absolute when `public_url` is configured, else the API path; null without a snapshot. */
  snapshot_url: string | null;
  /** Frames taken from the event's clip (Frigate events with `clip_frames`), URLs as `snapshot_url`. */
  clip_frames: string[];
}

/** `/api/media/<path>`, made absolute with the configured public URL so Home Assistant can fetch it. */
export function mediaUrl(path: string | undefined, publicUrl: string | undefined): string | null {
  if (path === undefined) return null;
  const relative = `/api/media/${path.split(/[\\/]/).map(encodeURIComponent).join('/')}`;
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${relative}` : relative;
}

export function publishedEvent(stored: StoredEvent, publicUrl: string | undefined): PublishedEvent {
  const e = stored.event;
  return {
    id: e.id,
    camera: e.cameraId,
    type: e.type,
    rule: e.rule,
    status: e.status,
    start: new Date(e.startMs).toISOString(),
    end: new Date(e.endMs).toISOString(),
    labels: [...e.labels],
    summary: { en: e.summary.en, zh_hant: e.summary.zhHant },
    snapshot_url: mediaUrl(stored.snapshotPath, publicUrl),
    clip_frames: (stored.clipFrames ?? []).flatMap((path) => mediaUrl(path, publicUrl) ?? []),
  };
}
