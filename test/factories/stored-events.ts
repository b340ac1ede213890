import type { EventType, VigilEvent } from '../../src/domain/events/event-types.ts';
import type { StoredEvent } from '../../src/ports/analysis-store.ts';

export interface EventSeed {
  id: string;
  cameraId?: string;
  type?: EventType;
  rule?: string;
  startMs: number;
  durationMs?: number;
  labels?: string[];
  en: string;
  zhHant: string;
  keywords?: string[];
  runId?: number;
  snapshotPath?: string;
  details?: VigilEvent['details'];
  /** Each actor's own stay in seconds, in the order of `labels`. */
  stays?: readonly number[];
}

/** A complete stored event from a few facts, for store, search and API tests. */
export function storedEvent(seed: EventSeed): StoredEvent {
  const labels = seed.labels ?? ['person'];
  const event: VigilEvent = {
    id: seed.id,
    cameraId: seed.cameraId ?? 'back',
    type: seed.type ?? 'line_crossing',
    rule: seed.rule ?? 'door',
    status: 'closed',
    labels,
    actors: labels.map((label, i) => ({
      trackId: `${label === 'person' ? 'p' : 'v'}${i + 1}`,
      label,
      family: label === 'person' ? 'person' : 'vehicle',
      ...(seed.stays?.[i] !== undefined ? { staySeconds: seed.stays[i] } : {}),
    })),
    startMs: seed.startMs,
    endMs: seed.startMs + (seed.durationMs ?? 0),
    startFrameIndex: 0,
    endFrameIndex: 0,
    evidence: [
      {
        kind: 'crossing',
        timestampMs: seed.startMs,
        frameIndex: 0,
        trackId: 'p1',
        box: { x1: 1, y1: 2, x2: 30, y2: 80 },
        score: 0.6,
        text: { en: seed.en, zhHant: seed.zhHant },
      },
    ],
    snapshotFrameIndex: 0,
    summary: { en: seed.en, zhHant: seed.zhHant },
    keywords: seed.keywords ?? [],
    details: seed.details ?? {},
  };
  return { runId: seed.runId ?? 1, event, ...(seed.snapshotPath ? { snapshotPath: seed.snapshotPath } : {}), thumbnails: {} };
}
