import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteDatabase, SqliteAnalysisStore } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { createTextAnalyzer } from '../../src/adapters/text/text-analyzer.ts';
import type { StoredEvent } from '../../src/ports/analysis-store.ts';
import { createEventIndexer } from '../../src/services/search/event-indexer.ts';
import type { CameraInfo } from '../../src/services/search/search.service.ts';

/** A real database in `dataDir` holding the given events (one run per camera), indexed for search. */
export async function seedDatabase(dataDir: string, events: readonly StoredEvent[], cameras: readonly CameraInfo[] = []): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const db = openSqliteDatabase(join(dataDir, 'vigil.db'));
  const store = new SqliteAnalysisStore(db, { indexer: createEventIndexer(createTextAnalyzer(), cameras) });
  const runs = new Map<string, number>();
  for (const stored of events) {
    const cameraId = stored.event.cameraId;
    let runId = runs.get(cameraId);
    if (runId === undefined) {
      const sourceId = await store.upsertSource(
        { uri: `${cameraId}.mp4`, kind: 'file', fingerprint: `seed:${cameraId}`, codec: 'h264', width: 768, height: 576, fps: 10, durationSeconds: 3600 },
        cameraId,
      );
      runId = (await store.createRun({ sourceId, cameraId, settingsKey: 'seed', settings: {}, startTimeMs: stored.event.startMs, startTimeSource: 'config', startedAt: 0 })).id;
      runs.set(cameraId, runId);
    }
    await store.commitFrames(runId, [], { events: [{ ...stored, runId }] });
  }
  db.close();
}
