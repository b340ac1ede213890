import type { Box } from '../geometry.ts';
import type { Point } from '../rules/polygon.ts';
import type { ClassFamily } from '../tracking/tracking-types.ts';

/** Every kind of event the rules produce. */
export const EVENT_TYPES = ['line_crossing', 'intrusion', 'loitering', 'object_seen'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface LocalizedText {
  en: string;
  zhHant: string;
}

export interface EventActor {
  trackId: string;
  label: string;
  family: ClassFamily;
  /**
   * How long this actor stayed, in seconds, in a zone event (intrusion, loitering) or in view
   * (object seen): its own time, from entering to leaving, summed over its returns within the
   * event. Several people in one event each have their own. Absent for crossings (an instant).
   */
  staySeconds?: number;
}

export type EvidenceKind =
  | 'crossing'
  | 'zone_enter'
  | 'zone_exit'
  | 'loitering_confirmed'
  | 'best_view'
  | 'first_seen'
  | 'last_seen'
  | 'track_lost';

export interface Evidence {
  kind: EvidenceKind;
  timestampMs: number;
  frameIndex: number;
  trackId: string;
  box: Box;
  score: number;
  text: LocalizedText;
  /** For `crossing`: where the foot point's path met the wire, in frame pixels. */
  point?: Point;
}

export interface VigilEvent {
  /** Deterministic: the same input and settings give the same id (re-analysis overwrites, never duplicates). */
  id: string;
  cameraId: string;
  type: EventType;
  /** Zone or tripwire name; the label for object_seen. */
  rule: string;
  status: 'open' | 'closed';
  labels: string[];
  actors: EventActor[];
  startMs: number;
  endMs: number;
  startFrameIndex: number;
  endFrameIndex: number;
  evidence: Evidence[];
  /** Frame the snapshot shows (boxes of the actors there, the rule's geometry drawn). */
  snapshotFrameIndex: number;
  summary: LocalizedText;
  keywords: string[];
  details: {
    direction?: 'a_to_b' | 'b_to_a';
    inbound?: boolean;
    dwellSeconds?: number;
    averageSpeedPxPerSecond?: number;
    midlineCrossings?: number;
  };
}

/** What the event engine reports after one frame. */
export interface EventChange {
  change: 'opened' | 'updated' | 'closed';
  event: VigilEvent;
  /** The current frame became this event's snapshot frame: render it now, while its pixels exist. */
  renderSnapshot: boolean;
  /** The current frame is now the best view of these actors: crop their thumbnails now. */
  renderThumbnails: string[];
}
