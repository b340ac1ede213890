/** Images that arrive already encoded (a Frigate snapshot), kept as an event's snapshot. */
export interface EventImageFiles {
  /** Where an event's snapshot lives, relative to the data directory (the same place as Vigil's own). */
  snapshotPath(runId: number, eventId: string): string;
  /** Where the `index`-th frame (from 1) taken from the event's video clip lives. */
  clipFramePath(runId: number, eventId: string, index: number): string;
  /** Writes atomically: a reader never sees half a file. */
  write(path: string, data: Uint8Array): Promise<void>;
}
