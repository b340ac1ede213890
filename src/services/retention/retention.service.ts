import type { RetentionMetrics } from '../../ports/live-metrics.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import type { MediaFiles, RemovedFiles } from '../../ports/media-files.ts';
import type { PruneCounts, RetentionRun, RetentionStore } from '../../ports/retention-store.ts';
import {
  bucketUsage,
  findOrphans,
  mergeDiskCut,
  planByAge,
  planDiskCap,
  retentionActive,
  totalUsage,
  type DiskUsage,
  type RetentionPolicy,
  type RunAction,
} from './retention-plan.ts';

/** Rows deleted per transaction: short enough that live cameras never wait long for the write lock. */
const DEFAULT_BATCH = 500;
/**
 * Files are written before the rows that point to them are committed (an analysis commits about
 * once a second, a Frigate snapshot just before its event); a file this young is never an orphan.
 */
export const DEFAULT_ORPHAN_GRACE_MS = 10 * 60_000;
/** Measure-and-cut passes for the disk cap: a cut can free less than planned (frames kept for remaining events). */
const DISK_PASSES = 3;

export interface RetentionServiceDeps {
  store: RetentionStore;
  files: MediaFiles;
  policy: RetentionPolicy;
  clock: Clock;
  logger: Logger;
  metrics?: RetentionMetrics;
  batchSize?: number;
  orphanGraceMs?: number;
  /** Lets other work (live cameras, the API) run between batches. */
  pause?: () => Promise<void>;
  /** Waits between periodic sweeps; resolves early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface SweepCounts extends PruneCounts {
  /** Whole runs deleted with their folders. */
  runs: number;
  files: number;
  bytes: number;
}

export interface SweepReport {
  dryRun: boolean;
  /** Rows and their files deleted (or, for a dry run, that would be). */
  deleted: SweepCounts;
  /** Files no row pointed to, removed (or that would be). */
  orphans: { files: number; bytes: number };
  /** With `max_disk_mb`: the files under `runs/` before and after, and the cut the cap needed. */
  disk?: { capBytes: number; beforeBytes: number; afterBytes: number; cutoffMs?: number };
  /** Stopped by the signal before the end (the next sweep carries on). */
  aborted: boolean;
  durationMs: number;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const zeroCounts = (): SweepCounts => ({ runs: 0, events: 0, frames: 0, detections: 0, tracks: 0, files: 0, bytes: 0 });

function addCounts(into: SweepCounts, counts: PruneCounts): void {
  into.events += counts.events;
  into.frames += counts.frames;
  into.detections += counts.detections;
  into.tracks += counts.tracks;
}

function addFiles(into: { files: number; bytes: number }, removed: RemovedFiles): void {
  into.files += removed.files;
  into.bytes += removed.bytes;
}

/**
 * Retention: deletes what the policy says has expired (see retention-plan.ts for the rules), then
 * files no row points to. Rows go first, in short transactions, and only then their files: a
 * crash in between leaves files without rows, which the orphan sweep of the next run removes,
 * and never a row pointing to a missing file. A whole run's folder goes before its (by then
 * empty) run row, so a new run can never be given its id while the folder is being removed.
 */
export class RetentionService {
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly graceMs: number;
  private running: Promise<SweepReport> | undefined;

  constructor(private readonly deps: RetentionServiceDeps) {
    this.log = deps.logger.child({ module: 'retention' });
    this.batchSize = deps.batchSize ?? DEFAULT_BATCH;
    this.graceMs = deps.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  }

  /** Whether anything can ever expire (days somewhere, or a disk cap). */
  get active(): boolean {
    return retentionActive(this.deps.policy);
  }

  /** One sweep now. A sweep already under way is joined rather than run twice. */
  sweep(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<SweepReport> {
    if (options.dryRun) return this.doSweep(true, options.signal);
    this.running ??= this.doSweep(false, options.signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sweeps after `firstDelayMs`, then every `intervalMs`, until the signal aborts. A failed sweep is logged and retried at the next interval. */
  async runPeriodically(options: { intervalMs: number; firstDelayMs: number; signal: AbortSignal }): Promise<void> {
    const sleep = this.deps.sleep ?? abortableSleep;
    let wait = options.firstDelayMs;
    for (;;) {
      await sleep(wait, options.signal);
      if (options.signal.aborted) return;
      try {
        await this.sweep({ signal: options.signal });
      } catch (error) {
        this.log.error({ err: error }, 'retention sweep failed; trying again at the next interval');
      }
      wait = options.intervalMs;
    }
  }

  private async doSweep(dryRun: boolean, signal: AbortSignal | undefined): Promise<SweepReport> {
    const { store, policy, clock } = this.deps;
    const startedMs = clock.now();
    const report: SweepReport = { dryRun, deleted: zeroCounts(), orphans: { files: 0, bytes: 0 }, aborted: false, durationMs: 0 };
    const runs = await store.listRuns();
    let actions = planByAge(runs, policy, startedMs);
    const cap = policy.maxDiskBytes;
    let expectedBytes: number | undefined;
    if (cap !== undefined) {
      const usage = await this.measure(runs, startedMs);
      const disk = planDiskCap(runs, usage, cap, actions);
      const diskCut = this.notRecent(disk.beforeMs, startedMs);
      actions = mergeDiskCut(runs, actions, diskCut);
      expectedBytes = disk.expectedBytes;
      report.disk = { capBytes: cap, beforeBytes: totalUsage(usage), afterBytes: totalUsage(usage), ...(diskCut !== undefined ? { cutoffMs: diskCut } : {}) };
    }

    if (dryRun) {
      await this.count(actions, report);
      await this.sweepOrphans(startedMs, report, { remove: false, signal });
      if (report.disk && expectedBytes !== undefined) report.disk.afterBytes = expectedBytes;
    } else {
      await this.apply(actions, report, signal);
      if (!report.aborted) await this.sweepOrphans(startedMs, report, { remove: true, signal });
      if (cap !== undefined && !report.aborted) await this.enforceCap(cap, report, signal);
    }
    report.durationMs = clock.now() - startedMs;
    this.logReport(report);
    return report;
  }

  /** Further passes while the files are still over the cap (frames kept for remaining events free less than planned). */
  private async enforceCap(cap: number, report: SweepReport, signal: AbortSignal | undefined): Promise<void> {
    for (let pass = 1; ; pass++) {
      const runs = await this.deps.store.listRuns();
      const usage = await this.measure(runs, this.deps.clock.now());
      const total = totalUsage(usage);
      if (report.disk) report.disk.afterBytes = total;
      if (total <= cap || pass >= DISK_PASSES) break;
      const plan = planDiskCap(runs, usage, cap, []);
      const cut = this.notRecent(plan.beforeMs, this.deps.clock.now());
      const actions = mergeDiskCut(runs, [], cut);
      const before = report.deleted.events + report.deleted.frames + report.deleted.tracks + report.deleted.runs;
      if (report.disk && cut !== undefined) report.disk.cutoffMs = Math.max(report.disk.cutoffMs ?? cut, cut);
      await this.apply(actions, report, signal);
      const after = report.deleted.events + report.deleted.frames + report.deleted.tracks + report.deleted.runs;
      if (after === before || report.aborted) break;
    }
    if (report.disk && report.disk.afterBytes > cap) {
      this.log.warn(
        { capBytes: cap, bytes: report.disk.afterBytes },
        'media files are still over storage.retention.max_disk_mb: what is left is recent, in open events or in an unfinished analysis',
      );
    }
  }

  private async apply(actions: readonly RunAction[], report: SweepReport, signal: AbortSignal | undefined): Promise<void> {
    const { store, files } = this.deps;
    for (const action of actions) {
      // A run going whole is first put out of reach of a resume; one that is running again is left alone.
      if (action.whole && !(await store.retire(action.runId))) continue;
      for (;;) {
        if (signal?.aborted) {
          report.aborted = true;
          return;
        }
        const batch = await store.pruneBefore(action.runId, action.beforeMs, this.batchSize);
        addCounts(report.deleted, batch);
        if (batch.files.length) addFiles(report.deleted, this.checked(await files.remove(batch.files)));
        if (batch.done) break;
        await this.deps.pause?.();
      }
      // Folder before row: see the class comment.
      if (action.whole && (await store.endedAndEmpty(action.runId))) {
        addFiles(report.deleted, await files.removeRun(action.runId));
        if (await store.deleteRunIfEnded(action.runId)) report.deleted.runs++;
      }
      this.log.debug({ runId: action.runId, camera: action.cameraId, before: new Date(action.beforeMs).toISOString(), whole: action.whole, reason: action.reason }, 'retention applied to a run');
    }
  }

  private async count(actions: readonly RunAction[], report: SweepReport): Promise<void> {
    for (const action of actions) {
      const counts = await this.deps.store.countBefore(action.runId, action.beforeMs);
      addCounts(report.deleted, counts);
      addFiles(report.deleted, this.checked(await this.deps.files.measure(counts.files)));
      if (action.whole) report.deleted.runs++;
    }
  }

  /** Files under `runs/` that no row points to, older than the grace period; a leftover folder of a deleted run goes whole. */
  private async sweepOrphans(nowMs: number, report: SweepReport, options: { remove: boolean; signal: AbortSignal | undefined }): Promise<void> {
    const { store, files } = this.deps;
    for (const runId of await files.runFolders()) {
      if (options.signal?.aborted) {
        report.aborted = true;
        return;
      }
      const listed = await files.listRun(runId);
      const referenced = new Set((await store.references(runId)).map((r) => r.path));
      const orphans = findOrphans(listed, referenced, nowMs - this.graceMs);
      if (orphans.length === 0) continue;
      if (!options.remove) {
        addFiles(report.orphans, { files: orphans.length, bytes: orphans.reduce((n, f) => n + f.bytes, 0) });
        continue;
      }
      // Checked after listing: a run row always exists before its folder does.
      const leftover = orphans.length === listed.length && !(await store.listRuns()).some((r) => r.runId === runId);
      addFiles(report.orphans, leftover ? await files.removeRun(runId) : this.checked(await files.remove(orphans.map((f) => f.path))));
    }
  }

  /** The referenced files of every run folder, grouped by time, and what cannot or need not be cut. */
  private async measure(runs: readonly RetentionRun[], nowMs: number): Promise<DiskUsage> {
    const usage = { buckets: [] as DiskUsage['buckets'][number][], keptBytes: 0, orphanBytes: 0 };
    const known = new Set(runs.map((r) => r.runId));
    for (const runId of await this.deps.files.runFolders()) {
      const listed = await this.deps.files.listRun(runId);
      const refs = new Map((await this.deps.store.references(runId)).map((r) => [r.path, r]));
      const timed: Array<{ timeMs: number; bytes: number }> = [];
      for (const file of listed) {
        const ref = refs.get(file.path);
        if (!ref) {
          if (file.modifiedMs < nowMs - this.graceMs) usage.orphanBytes += file.bytes;
          else usage.keptBytes += file.bytes;
        } else if (ref.pinned || !known.has(runId)) {
          usage.keptBytes += file.bytes;
        } else {
          timed.push({ timeMs: ref.timeMs, bytes: file.bytes });
        }
      }
      usage.buckets.push(...bucketUsage(runId, timed));
    }
    return usage;
  }

  /** The disk cap never cuts into the last minutes: a live camera's newest frames may belong to an event about to be stored. */
  private notRecent(cutMs: number | undefined, nowMs: number): number | undefined {
    return cutMs === undefined ? undefined : Math.min(cutMs, nowMs - this.graceMs);
  }

  /** Paths a damaged row pointed outside `runs/` are never deleted; they are worth a warning. */
  private checked(removed: RemovedFiles): RemovedFiles {
    if (removed.refused?.length) {
      this.log.warn({ paths: removed.refused.slice(0, 5), count: removed.refused.length }, 'stored paths outside the runs folder were not deleted');
    }
    return removed;
  }

  private logReport(report: SweepReport): void {
    const { deleted, orphans, disk } = report;
    const fields = {
      dryRun: report.dryRun,
      runs: deleted.runs,
      events: deleted.events,
      frames: deleted.frames,
      detections: deleted.detections,
      tracks: deleted.tracks,
      files: deleted.files,
      bytesFreed: deleted.bytes,
      orphanFiles: orphans.files,
      orphanBytes: orphans.bytes,
      ...(disk ? { diskBytes: disk.afterBytes, capBytes: disk.capBytes } : {}),
      aborted: report.aborted,
      ms: report.durationMs,
    };
    if (!report.dryRun) {
      this.deps.metrics?.retentionDeleted({ runs: deleted.runs, events: deleted.events, frames: deleted.frames, files: deleted.files + orphans.files, bytes: deleted.bytes + orphans.bytes });
    }
    const changed = deleted.events + deleted.frames + deleted.tracks + deleted.runs + orphans.files > 0;
    if (changed || report.dryRun) this.log.info(fields, report.dryRun ? 'retention dry run' : 'retention sweep');
    else this.log.debug(fields, 'retention sweep: nothing expired');
  }
}
