import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isVigilError } from '../../../domain/errors.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';
import { explainStorageError } from './sqlite-errors.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('is told as such, with where and that nothing stored was lost, and the stored frames stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-full-'));
    dirs.push(dir);
    const db = openSqliteDatabase(join(dir, 'data', 'vigil.db'));
    const store = new SqliteAnalysisStore(db);
    const sourceId = await store.upsertSource({ uri: 'a.mp4', kind: 'file', fingerprint: 'f1', codec: 'h264', width: 640, height: 480, fps: 10 }, 'cam');
    const run = (await store.claimRun({ sourceId, cameraId: 'cam', settingsKey: 'k', settings: {}, startTimeMs: 0, startTimeSource: 'clock', startedAt: 0 })).run;
    const frames = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        index: from + i,
        timestampMs: (from + i) * 100,
        ptsSeconds: (from + i) / 10,
        detected: true,
        changedFraction: 0.5,
        detections: Array.from({ length: 20 }, (_, d) => ({ label: 'person', score: 0.9, box: { x1: d, y1: d, x2: d + 10, y2: d + 10 }, confident: true })),
      }));
    await store.commitFrames(run.id, frames(0, 5));
    // SQLite's own limit on the file's size: a real SQLITE_FULL, as when the disk has no room.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);

    let thrown: unknown;
    try {
      await store.commitFrames(run.id, frames(5, 500));
    } catch (error) {
      thrown = error;
    }
    expect(isVigilError(thrown) && thrown.code).toBe('storage_failed');
    const message = (thrown as Error).message;
    expect(message).toMatch(/^The disk is full/);
    expect(message).toContain(join(dir, 'data'));
    expect(message).toContain('Nothing already stored was lost');
    expect(((thrown as Error).cause as { code?: string }).code).toBe('SQLITE_FULL');
    // The failed batch was rolled back whole; what was committed before is intact.
    expect((await store.readFrames(run.id, 1_000)).map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    db.close();
  });

  it('other errors pass through unchanged', () => {
    const error = Object.assign(new Error('UNIQUE constraint failed: x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(explainStorageError(error, '/data/vigil.db')).toBe(error);
  });
});
