/**
 * Retention while Vigil keeps working: another connection writing, an analysis resumed in the
 * middle of a sweep, run folders left behind, and a live camera's newest frames under a disk cap.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirMediaFiles } from '../../src/adapters/media/data-dir-media-files.ts';
import { frameImagePath } from '../../src/adapters/media/media-paths.ts';
import { openSqliteDatabase } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteRetentionStore } from '../../src/adapters/storage/sqlite/sqlite-retention-store.ts';
import { retentionPolicy } from '../../src/config/settings/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { RetentionService } from '../../src/services/retention/retention.service.ts';
import { addRun, ageAllFiles, count, DAY, HOUR, mediaInvariant, retentionWorkspace, type RetentionWorkspace } from './retention-fixture.ts';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const workspaces: RetentionWorkspace[] = [];
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.close();
});

async function workspace(yaml: string): Promise<RetentionWorkspace> {
  const ws = await retentionWorkspace(yaml);
  workspaces.push(ws);
  return ws;
}

function service(ws: RetentionWorkspace, options: { now: number; files?: DataDirMediaFiles; pause?: () => Promise<void>; batchSize?: number }): RetentionService {
  return new RetentionService({
    store: new SqliteRetentionStore(ws.db),
    files: options.files ?? new DataDirMediaFiles(ws.dataDir),
    policy: retentionPolicy(ws.loaded.config),
    clock: { now: () => options.now },
    logger: quiet,
    ...(options.pause ? { pause: options.pause } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
}

describe('retention beside a working Vigil', () => {
  it('takes the write lock when a batch begins, so a commit from another connection cannot make it fail half way', async () => {
    const ws = await workspace('  retention: { days: 1 }\n');
    const now = Date.now();
    const run = await addRun(ws, {
      cameraId: 'c',
      kind: 'live',
      status: 'running',
      startedAt: now - 5 * DAY,
      frames: Array.from({ length: 10 }, (_, i) => ({ ts: now - 5 * DAY + i * 1000 })),
      events: [{ id: 'e1', startMs: now - 5 * DAY, endMs: now - 5 * DAY + 10, startFrame: 0 }],
    });
    // `vigil prune` on its own connection; `ws.db` plays `vigil serve` committing a frame.
    const prune = openSqliteDatabase(join(ws.dataDir, 'vigil.db'));
    ws.db.pragma('busy_timeout = 0');
    const store = new SqliteRetentionStore(prune);
    const statements = (store as unknown as { statements: Record<string, { all: (...a: unknown[]) => unknown[] }> }).statements;
    const expiredEvents = statements['expiredEvents']!;
    let serveCommit: string | undefined;
    statements['expiredEvents'] = {
      all: (...args: unknown[]) => {
        const rows = expiredEvents.all(...args);
        try {
          ws.db.prepare('UPDATE analysis_runs SET frames_decoded = frames_decoded + 1').run();
          serveCommit = 'committed inside the batch';
        } catch (error) {
          serveCommit = (error as { code?: string }).code;
        }
        return rows;
      },
    };
    try {
      const batch = await store.pruneBefore(run, now - DAY, 500);
      expect(batch.events).toBe(1);
    } finally {
      prune.close();
    }
    // The other writer waits for the batch (busy, retried by its busy_timeout) instead of the batch failing.
    expect(serveCommit).toBe('SQLITE_BUSY');
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM events WHERE run_id = ?', run)).toBe(0);
  });

  it('puts a run it deletes whole out of reach of a resume, so the resumed analysis starts a run of its own', async () => {
    const ws = await workspace('  retention: { days: 1 }\n');
    const now = Date.now();
    const old = now - 400 * DAY;
    const run = await addRun(ws, {
      cameraId: 'c',
      kind: 'file',
      status: 'interrupted',
      startedAt: now - 5 * DAY,
      frames: Array.from({ length: 6 }, (_, i) => ({ ts: old + i * 1000, bytes: 10 })),
    });
    ageAllFiles(ws, HOUR);
    const { source_id: sourceId, settings_key: settingsKey } = ws.db.prepare('SELECT source_id, settings_key FROM analysis_runs WHERE id = ?').get(run) as { source_id: number; settings_key: string };
    let resumedInto: number | undefined;
    const sweeping = service(ws, {
      now,
      batchSize: 2,
      pause: async () => {
        if (resumedInto !== undefined) return;
        // `vigil analyze` of the same file between two batches: it looks for its unfinished run.
        const found = await ws.store.findRun(sourceId, 'c', settingsKey);
        const resumed = found ?? (await ws.store.createRun({ sourceId, cameraId: 'c', settingsKey, settings: {}, startTimeMs: old, startTimeSource: 'test', startedAt: Date.now() }));
        resumedInto = resumed.id;
        const path = frameImagePath(resumed.id, 0);
        mkdirSync(dirname(join(ws.dataDir, path)), { recursive: true });
        writeFileSync(join(ws.dataDir, path), 'x');
        await ws.store.commitFrames(resumed.id, [{ index: 0, timestampMs: old, ptsSeconds: 0, detected: true, changedFraction: 0, detections: [], imagePath: path }], {});
      },
    });
    const report = await sweeping.sweep();
    expect(report.deleted.runs).toBe(1);
    expect(resumedInto).not.toBe(run);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM analysis_runs WHERE id = ?', run)).toBe(0);
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM frames WHERE run_id = ?', resumedInto)).toBe(1);
    expect(mediaInvariant(ws)).toEqual({ missing: [], unreferenced: [] });
  });

  it('never removes the files of a new run while it clears a folder left behind by a deleted one', async () => {
    const ws = await workspace('  retention: { days: 1 }\n');
    const now = Date.now();
    const run = await addRun(ws, { cameraId: 'c', kind: 'file', status: 'complete', startedAt: now - HOUR, frames: [{ ts: now - HOUR, bytes: 10 }] });
    // A bad input's run row is deleted, and the process dies before its folder is.
    await ws.store.deleteRun(run);
    ageAllFiles(ws, HOUR);
    let newRun: number | undefined;
    class StartsARunWhileListing extends DataDirMediaFiles {
      private calls = 0;
      override async listRun(id: number) {
        const listed = await super.listRun(id);
        // While the leftover folder is being removed, a new analysis starts and stores a frame.
        if (++this.calls === 2) newRun = await addRun(ws, { cameraId: 'c', kind: 'file', status: 'complete', startedAt: now, frames: [{ ts: now, bytes: 10 }] });
        return listed;
      }
    }
    await service(ws, { now, files: new StartsARunWhileListing(ws.dataDir) }).sweep();
    expect(newRun).toBeDefined();
    expect(newRun).not.toBe(run);
    expect(existsSync(join(ws.dataDir, frameImagePath(run, 0)))).toBe(false);
    expect(mediaInvariant(ws)).toEqual({ missing: [], unreferenced: [] });
  });

  it("does not cut a live camera's last minutes for the disk cap", async () => {
    const ws = await workspace('  retention: { max_disk_mb: 0.0001 }\n');
    const now = Date.now();
    const run = await addRun(ws, {
      cameraId: 'c',
      kind: 'live',
      status: 'running',
      startedAt: now - DAY,
      frames: [{ ts: now - 3 * HOUR, bytes: 200 }, { ts: now - 5000, bytes: 200 }, { ts: now - 2000, bytes: 200 }],
    });
    await service(ws, { now }).sweep();
    // The old frame goes for the cap; the two written seconds ago stay, with their files.
    expect(count(ws.db, 'SELECT COUNT(*) AS n FROM frames WHERE run_id = ?', run)).toBe(2);
    expect(existsSync(join(ws.dataDir, frameImagePath(run, 0)))).toBe(false);
    expect(existsSync(join(ws.dataDir, frameImagePath(run, 2)))).toBe(true);
  });
});
