import type { EventType } from '../domain/events/event-types.ts';

/** What live cameras report as it happens (counted for /metrics). */
export interface LiveMetrics {
  framesIn(cameraId: string): void;
  /** Frames never analysed (the queue was full) or analysed but never stored (the session failed). */
  framesDropped(cameraId: string, count?: number): void;
  frameProcessed(cameraId: string, detectionsByLabel: ReadonlyMap<string, number>): void;
  eventStored(cameraId: string, type: EventType, change: 'new' | 'update', latencyMs: number): void;
  reconnected(cameraId: string): void;
}

/** What retention sweeps removed (counted for /metrics). */
export interface RetentionMetrics {
  retentionDeleted(deleted: { runs: number; events: number; frames: number; files: number; bytes: number }): void;
}
