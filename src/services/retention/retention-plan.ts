/**
 * What retention deletes, decided from plain data (no I/O), so every rule is testable exactly.
 *
 * Age. Everything is aged by its own source time: an event by its end, a frame by its timestamp,
 * a track by when it was last seen. With `days` set, what is older than now − days goes, but
 * never within `days` of the analysis that stored it (a run started before the cutoff): an old
 * recording analysed today is kept for `days` from today instead of vanishing at the next sweep.
 * For live cameras and Frigate the two times are the same, so their data simply rolls off.
 *
 * Disk. Over `max_disk_mb`, the oldest data goes first, across cameras, until the files fit: the
 * same cut as `days`, at the time that frees enough, so both rules delete the same way.
 *
 * Runs. A run still being written (`running`: a live session, Frigate's run) is only trimmed by
 * time, never deleted; an ended run whose contents are all expired is deleted whole with its
 * folder. An unfinished file analysis is replayed from its first frame when resumed, so it is
 * deleted whole or not at all.
 */
import type { MediaFile } from '../../ports/media-files.ts';
import type { RetentionRun } from '../../ports/retention-store.ts';

export const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  /** Days to keep for cameras that set none; undefined keeps forever. */
  days?: number;
  /** Per camera: its own days, or undefined to keep forever whatever `days` says. */
  cameras: ReadonlyMap<string, number | undefined>;
  /** Cap on the files under `runs/` (frames, snapshots, thumbnails); undefined for none. */
  maxDiskBytes?: number;
}

export interface RunAction {
  runId: number;
  cameraId: string;
  /** Delete what is older than this (source time); for a whole run, everything. */
  beforeMs: number;
  whole: boolean;
  reason: 'age' | 'disk';
}

/** Whether the policy can ever delete anything. */
export function retentionActive(policy: RetentionPolicy): boolean {
  return policy.days !== undefined || [...policy.cameras.values()].some((d) => d !== undefined) || policy.maxDiskBytes !== undefined;
}

export function keepDays(policy: RetentionPolicy, cameraId: string): number | undefined {
  return policy.cameras.has(cameraId) ? policy.cameras.get(cameraId) : policy.days;
}

/** The age cutoff of a camera at `nowMs`, or undefined when it keeps forever. */
export function ageCutoff(policy: RetentionPolicy, cameraId: string, nowMs: number): number | undefined {
  const days = keepDays(policy, cameraId);
  return days === undefined ? undefined : nowMs - Math.round(days * DAY_MS);
}

/** What a cut at `beforeMs` does to one run, if anything. */
export function actionFor(run: RetentionRun, beforeMs: number, reason: RunAction['reason']): RunAction | undefined {
  // Stored within the window: kept, however old the footage (see the file comment).
  if (run.startedAt >= beforeMs) return undefined;
  const ended = run.status !== 'running';
  const whole = { runId: run.runId, cameraId: run.cameraId, beforeMs, whole: true, reason };
  const allExpired = run.newestMs === undefined || run.newestMs < beforeMs;
  if (run.resumable) return ended && allExpired ? whole : undefined;
  if (ended && allExpired) return whole;
  if (run.oldestMs === undefined || run.oldestMs >= beforeMs) return undefined;
  return { ...whole, whole: false };
}

/** Age rule: one action per run that has anything past its camera's days. */
export function planByAge(runs: readonly RetentionRun[], policy: RetentionPolicy, nowMs: number): RunAction[] {
  const actions: RunAction[] = [];
  for (const run of runs) {
    const cutoff = ageCutoff(policy, run.cameraId, nowMs);
    const action = cutoff === undefined ? undefined : actionFor(run, cutoff, 'age');
    if (action) actions.push(action);
  }
  return actions;
}

/** Bytes of referenced files of one run whose rows have source times up to `timeMs`. */
export interface UsageBucket {
  runId: number;
  /** The newest source time of the files in the bucket. */
  timeMs: number;
  bytes: number;
}

/** The files under `runs/`, sorted by what retention may do with them. */
export interface DiskUsage {
  /** Files rows point to, grouped by run and time. */
  buckets: readonly UsageBucket[];
  /** Files that are not deleted whatever the cap: open events' images, files too new to judge. */
  keptBytes: number;
  /** Files no row points to, old enough to be removed by the orphan sweep. */
  orphanBytes: number;
}

export function totalUsage(usage: DiskUsage): number {
  return usage.buckets.reduce((n, b) => n + b.bytes, usage.keptBytes + usage.orphanBytes);
}

/** Groups a run's referenced files by source time, `bucketMs` wide (one minute by default). */
export function bucketUsage(runId: number, files: ReadonlyArray<{ timeMs: number; bytes: number }>, bucketMs = 60_000): UsageBucket[] {
  const byBucket = new Map<number, UsageBucket>();
  for (const f of files) {
    const key = Math.floor(f.timeMs / bucketMs);
    const bucket = byBucket.get(key);
    if (bucket) {
      bucket.bytes += f.bytes;
      bucket.timeMs = Math.max(bucket.timeMs, f.timeMs);
    } else {
      byBucket.set(key, { runId, timeMs: f.timeMs, bytes: f.bytes });
    }
  }
  return [...byBucket.values()];
}

export interface DiskPlan {
  /** Everything older than this (source time, as for `days`) goes; undefined when already under the cap. */
  beforeMs?: number;
  /** Bytes expected to remain once the age rule, the cut and the orphan sweep are done. */
  expectedBytes: number;
  /** Bytes expected before the cut (after the age rule and the orphan sweep). */
  neededBytes: number;
}

/**
 * Disk rule: the time before which everything must go for the files to fit under the cap, oldest
 * first across cameras, after what the age rule already deletes. A file's age here is the later
 * of its source time and its run's start, as for `days`. An unfinished file analysis counts as
 * one piece (it goes whole); a running one is kept, as are open events' images.
 */
export function planDiskCap(runs: readonly RetentionRun[], usage: DiskUsage, capBytes: number, byAge: readonly RunAction[]): DiskPlan {
  const runById = new Map(runs.map((r) => [r.runId, r]));
  const ageAction = new Map(byAge.map((a) => [a.runId, a]));
  const goesByAge = (b: UsageBucket) => {
    const action = ageAction.get(b.runId);
    return action !== undefined && (action.whole || b.timeMs < action.beforeMs);
  };
  // Pieces that a cut at time T removes when their time is before T.
  const pieces = new Map<string, { timeMs: number; bytes: number }>();
  let kept = usage.keptBytes;
  for (const b of usage.buckets) {
    if (goesByAge(b)) continue;
    const run = runById.get(b.runId);
    if (!run) {
      kept += b.bytes; // rows appeared after the runs were listed: judged at the next sweep
      continue;
    }
    if (run.resumable && run.status === 'running') {
      kept += b.bytes;
      continue;
    }
    const key = run.resumable ? `run:${run.runId}` : `bucket:${run.runId}:${b.timeMs}`;
    const timeMs = run.resumable ? Math.max(run.newestMs ?? run.startedAt, run.startedAt) : Math.max(b.timeMs, run.startedAt);
    const piece = pieces.get(key) ?? { timeMs, bytes: 0 };
    piece.bytes += b.bytes;
    pieces.set(key, piece);
  }
  const sorted = [...pieces.values()].sort((a, b) => a.timeMs - b.timeMs);
  const needed = kept + sorted.reduce((n, p) => n + p.bytes, 0);
  let remaining = needed;
  let beforeMs: number | undefined;
  for (const piece of sorted) {
    if (remaining <= capBytes) break;
    beforeMs = piece.timeMs + 1;
    remaining -= piece.bytes;
  }
  if (beforeMs === undefined) return { expectedBytes: needed, neededBytes: needed };
  // Pieces of the same time as the last one taken go with it.
  const cut = beforeMs;
  const expected = needed - sorted.filter((p) => p.timeMs < cut).reduce((n, p) => n + p.bytes, 0);
  return { beforeMs, expectedBytes: expected, neededBytes: needed };
}

/** The age actions with the disk cut folded in: per run, whichever reaches further. */
export function mergeDiskCut(runs: readonly RetentionRun[], byAge: readonly RunAction[], diskBeforeMs: number | undefined): RunAction[] {
  if (diskBeforeMs === undefined) return [...byAge];
  const ageAction = new Map(byAge.map((a) => [a.runId, a]));
  const actions: RunAction[] = [];
  for (const run of runs) {
    const age = ageAction.get(run.runId);
    const disk = age && age.beforeMs >= diskBeforeMs ? undefined : actionFor(run, diskBeforeMs, 'disk');
    const chosen = age?.whole ? age : (disk ?? age);
    if (chosen) actions.push(chosen);
  }
  return actions;
}

/** Files of a run folder that no row points to and that are old enough not to be in the middle of being stored. */
export function findOrphans(files: readonly MediaFile[], referenced: ReadonlySet<string>, modifiedBeforeMs: number): MediaFile[] {
  return files.filter((f) => !referenced.has(f.path) && f.modifiedMs < modifiedBeforeMs);
}
