import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DetectorImage } from '../../ports/detector.ts';
import type { FrameArchive } from '../../ports/frame-archive.ts';
import type { Logger } from '../../ports/logger.ts';
import { frameImagePath, runDir } from './media-paths.ts';

export interface JpegFrameArchiveOptions {
  dataDir: string;
  quality: number;
  maxTotalBytes: number;
  logger: Logger;
}


async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Once at the size cap, how often the real size is measured again (retention may have freed space). */
const RECHECK_AT_CAP_MS = 5 * 60_000;

/** Keeps frames with detections as JPEG files under `<data_dir>/runs/run-N/frames`, up to a total size. */
export class JpegFrameArchive implements FrameArchive {
  private usedBytes: Promise<number> | undefined;
  private measuredAt = 0;
  private capWarned = false;

  constructor(private readonly options: JpegFrameArchiveOptions) {}

  async save(key: { runId: number; frameIndex: number }, image: DetectorImage): Promise<string | undefined> {
    this.usedBytes ??= this.measure();
    let used = await this.usedBytes;
    if (used >= this.options.maxTotalBytes && Date.now() - this.measuredAt >= RECHECK_AT_CAP_MS) {
      this.usedBytes = this.measure();
      used = await this.usedBytes;
    }
    if (used >= this.options.maxTotalBytes) {
      if (!this.capWarned) {
        this.capWarned = true;
        this.options.logger.warn({ maxTotalBytes: this.options.maxTotalBytes }, 'frame storage limit reached; new frames are not kept');
      }
      return undefined;
    }
    const jpeg = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
      .jpeg({ quality: this.options.quality, mozjpeg: false })
      .toBuffer();
    // Deterministic file names: a resumed run rewrites the same files instead of leaving strays.
    const relative = frameImagePath(key.runId, key.frameIndex);
    const absolute = join(this.options.dataDir, relative);
    await mkdir(join(absolute, '..'), { recursive: true });
    await writeFile(absolute, jpeg);
    this.usedBytes = Promise.resolve(used + jpeg.length);
    return relative;
  }

  private measure(): Promise<number> {
    this.measuredAt = Date.now();
    return directorySize(join(this.options.dataDir, 'runs'));
  }

  async removeRun(runId: number): Promise<void> {
    await rm(join(this.options.dataDir, runDir(runId)), { recursive: true, force: true });
    this.usedBytes = undefined;
  }

  async pruneAfter(runId: number, lastFrameIndex: number): Promise<void> {
    const dir = join(this.options.dataDir, runDir(runId), 'frames');
    this.usedBytes = undefined;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const stale = names.filter((n) => /^\d+\.jpg$/.test(n) && Number.parseInt(n, 10) > lastFrameIndex);
    await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  }
}
