import type { EventWire } from '../contract/api.schemas.ts';
import type { StoredEvent } from '../ports/analysis-store.ts';

export interface PresentOptions {
  cameraName: (cameraId: string) => string;
  toSimplified: (text: string) => string;
  frameSize?: (runId: number) => { width: number; height: number } | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function mediaUrl(path: string): string {
  return `/api/media/${path.split(/[\\/]/).map(encodeURIComponent).join('/')}`;
}

/** The event as the contract has it (src/contract, docs/api.md): snake_case, ISO times, media as URLs. */
export function presentEvent(stored: StoredEvent, options: PresentOptions, score?: number, frames?: ReadonlyMap<number, string>): EventWire {
  const { event } = stored;
  const text = (t: { en: string; zhHant: string }) => ({ en: t.en, zh_hant: t.zhHant, zh_hans: options.toSimplified(t.zhHant) });
  return {
    id: event.id,
    camera: event.cameraId,
    camera_name: options.cameraName(event.cameraId),
    type: event.type,
    rule: event.rule,
    status: event.status,
    start: iso(event.startMs),
    end: iso(event.endMs),
    labels: event.labels,
    actors: event.actors.map((a) => ({ track_id: a.trackId, label: a.label, family: a.family, stay_seconds: a.staySeconds ?? null })),
    summary: text(event.summary),
    keywords: event.keywords,
    details: {
      ...(event.details.direction ? { direction: event.details.direction } : {}),
      ...(event.details.inbound !== undefined ? { inbound: event.details.inbound } : {}),
      ...(event.details.dwellSeconds !== undefined ? { dwell_seconds: event.details.dwellSeconds } : {}),
      ...(event.details.averageSpeedPxPerSecond !== undefined ? { average_speed_px_per_second: event.details.averageSpeedPxPerSecond } : {}),
      ...(event.details.midlineCrossings !== undefined ? { midline_crossings: event.details.midlineCrossings } : {}),
    },
    evidence: event.evidence.map((e) => ({
      kind: e.kind,
      time: iso(e.timestampMs),
      frame_index: e.frameIndex,
      track_id: e.trackId,
      box: e.box,
      score: e.score,
      text: text(e.text),
      ...(frames ? { frame_url: frames.has(e.frameIndex) ? mediaUrl(frames.get(e.frameIndex)!) : null } : {}),
    })),
    snapshot_url: stored.snapshotPath ? mediaUrl(stored.snapshotPath) : null,
    thumbnails: Object.fromEntries(Object.entries(stored.thumbnails).map(([track, path]) => [track, mediaUrl(path)])),
    clip_frames: (stored.clipFrames ?? []).map(mediaUrl),
    frame_size: options.frameSize?.(stored.runId) ?? null,
    ...(score !== undefined ? { score } : {}),
  };
}
