import { join } from 'node:path';

/**
 * Where a run's files live under the data directory. Everything of one run sits in one folder,
 * so deleting a run (retention, a superseding re-analysis) can never leave strays behind.
 */
export function runDir(runId: number): string {
  return join('runs', `run-${runId}`);
}

export function frameImagePath(runId: number, frameIndex: number): string {
  return join(runDir(runId), 'frames', `${String(frameIndex).padStart(7, '0')}.jpg`);
}

/** Event ids are built from [a-z0-9_-] only, so they are safe as folder names. */
export function eventDir(runId: number, eventId: string): string {
  if (!/^[a-z0-9_-]+$/.test(eventId)) throw new Error(`unsafe event id for a path: ${eventId}`);
  return join(runDir(runId), 'events', eventId);
}
