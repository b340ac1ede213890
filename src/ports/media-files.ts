/** A file under the data directory's `runs/` folder. */
export interface MediaFile {
  /** Relative to the data directory, as rows store it. */
  path: string;
  bytes: number;
  modifiedMs: number;
}

export interface RemovedFiles {
  files: number;
  bytes: number;
  /** Paths refused because they do not lie inside `runs/` (a damaged row); nothing was done to them. */
  refused?: string[];
}

/**
 * The files of analysis runs (kept frames, event snapshots and thumbnails), one folder per run
 * under `<data_dir>/runs/`. Paths outside that folder are refused.
 */
export interface MediaFiles {
  /** Ids of the runs that have a folder. */
  runFolders(): Promise<number[]>;
  /** Every file in a run's folder. */
  listRun(runId: number): Promise<MediaFile[]>;
  /** Total size of every file under `runs/`. */
  totalBytes(): Promise<number>;
  /** Size of these files (missing ones count as nothing). */
  measure(paths: readonly string[]): Promise<RemovedFiles>;
  /** Deletes these files (missing ones are skipped) and the event folders they leave empty. */
  remove(paths: readonly string[]): Promise<RemovedFiles>;
  /** Deletes a run's folder with everything in it. */
  removeRun(runId: number): Promise<RemovedFiles>;
}
