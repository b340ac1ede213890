import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EventImageFiles } from '../../ports/event-image-files.ts';
import { eventDir } from './media-paths.ts';

/** Encoded images under the data directory, in the run folders the media API serves. */
export class DataDirEventImageFiles implements EventImageFiles {
  constructor(private readonly dataDir: string) {}

  snapshotPath(runId: number, eventId: string): string {
    return join(eventDir(runId, eventId), 'snapshot.jpg');
  }

  clipFramePath(runId: number, eventId: string, index: number): string {
    return join(eventDir(runId, eventId), `clip-${index}.jpg`);
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    const file = join(this.dataDir, path);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }
}
