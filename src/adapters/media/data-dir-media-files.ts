import { lstat, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { MediaFile, MediaFiles, RemovedFiles } from '../../ports/media-files.ts';
import { runDir } from './media-paths.ts';

const RUN_FOLDER = /^run-(\d+)$/;
/** Files removed at once: enough to overlap the disk's latency, few enough not to flood it. */
const PARALLEL = 16;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function inChunks<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(work));
}

/**
 * The run folders under `<data_dir>/runs` (see media-paths.ts). Every path is checked to lie
 * inside `runs/` before anything is deleted, so a damaged row can never point deletion elsewhere;
 * symbolic links are listed and removed as links, never followed.
 */
export class DataDirMediaFiles implements MediaFiles {
  private readonly runsRoot: string;

  constructor(private readonly dataDir: string) {
    this.runsRoot = resolve(dataDir, 'runs');
  }

  async runFolders(): Promise<number[]> {
    let entries;
    try {
      entries = await readdir(this.runsRoot, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => RUN_FOLDER.exec(e.name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async listRun(runId: number): Promise<MediaFile[]> {
    const folder = join(this.dataDir, runDir(runId));
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true, recursive: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const files: MediaFile[] = [];
    await inChunks(
      entries.filter((e) => !e.isDirectory()),
      async (entry) => {
        const absolute = join(entry.parentPath, entry.name);
        try {
          const stats = await lstat(absolute);
          files.push({ path: relative(this.dataDir, absolute), bytes: stats.size, modifiedMs: stats.mtimeMs });
        } catch (error) {
          if (!isMissing(error)) throw error; // removed while listing: nothing to report
        }
      },
    );
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async totalBytes(): Promise<number> {
    let total = 0;
    for (const runId of await this.runFolders()) for (const f of await this.listRun(runId)) total += f.bytes;
    return total;
  }

  measure(paths: readonly string[]): Promise<RemovedFiles> {
    return this.eachFile(paths, async () => {});
  }

  async remove(paths: readonly string[]): Promise<RemovedFiles> {
    const folders = new Set<string>();
    const removed = await this.eachFile(paths, async (absolute) => {
      await unlink(absolute);
    }, (absolute) => {
      const folder = resolve(absolute, '..');
      if (this.isEventFolder(folder)) folders.add(folder);
    });
    for (const folder of folders) await this.removeIfEmpty(folder);
    return removed;
  }

  /**
   * Sizes (and acts on) the files at `paths` that lie inside `runs/`; others are refused, missing
   * ones skipped. `after` sees every path inside `runs/`, there or not.
   */
  private async eachFile(paths: readonly string[], act: (absolute: string) => Promise<void>, after?: (absolute: string) => void): Promise<RemovedFiles> {
    const result = { files: 0, bytes: 0 };
    const refused: string[] = [];
    await inChunks(paths, async (path) => {
      const absolute = this.inside(path);
      if (absolute === undefined) {
        refused.push(path);
        return;
      }
      try {
        const stats = await lstat(absolute);
        await act(absolute);
        result.files++;
        result.bytes += stats.size;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      after?.(absolute);
    });
    return { ...result, ...(refused.length ? { refused } : {}) };
  }

  async removeRun(runId: number): Promise<RemovedFiles> {
    const files = await this.listRun(runId);
    await rm(join(this.dataDir, runDir(runId)), { recursive: true, force: true });
    return { files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  }

  /** The absolute path of a stored relative path; undefined unless it lies inside `runs/`. */
  private inside(path: string): string | undefined {
    const absolute = resolve(this.dataDir, path);
    const rel = relative(this.runsRoot, absolute);
    if (isAbsolute(path) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
    return absolute;
  }

  /**
   * `runs/run-N/events/<event>`: an event's own folder, removed once empty. The run's `frames`
   * and `events` folders stay: a running analysis may be writing into them at this moment.
   */
  private isEventFolder(folder: string): boolean {
    const parts = relative(this.runsRoot, folder).split(sep);
    return parts.length === 3 && RUN_FOLDER.test(parts[0] ?? '') && parts[1] === 'events';
  }

  private async removeIfEmpty(folder: string): Promise<void> {
    try {
      await rmdir(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not empty (a leftover the orphan sweep will judge) or already gone: both fine.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && !isMissing(error)) throw error;
    }
  }
}
