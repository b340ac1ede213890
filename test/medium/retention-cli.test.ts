/** `vigil prune` through the CLI, on a real database and real files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDir } from '../../src/adapters/media/media-paths.ts';
import { runCli } from '../support/cli.ts';
import { addRun, count, DAY, HOUR, mediaFiles, mediaInvariant, retentionWorkspace, strayFile, type RetentionWorkspace } from './retention-fixture.ts';

const workspaces: RetentionWorkspace[] = [];
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.close();
});

/** One expired analysis of `front` (two frames, one event), one recent live run of `yard`, and an old orphan file. */
async function seeded(yaml: string) {
  const ws = await retentionWorkspace(yaml);
  workspaces.push(ws);
  const now = Date.now();
  const old = await addRun(ws, {
    cameraId: 'front',
    kind: 'file',
    status: 'complete',
    startedAt: now - 5 * DAY,
    frames: [{ ts: now - 5 * DAY, bytes: 1_000 }, { ts: now - 5 * DAY + 1_000, bytes: 1_000 }],
    events: [{ id: 'front-old', startMs: now - 5 * DAY, endMs: now - 5 * DAY + 1_000, startFrame: 0, bytes: 500 }],
  });
  const recent = await addRun(ws, {
    cameraId: 'yard',
    kind: 'live',
    status: 'running',
    startedAt: now - HOUR,
    frames: [{ ts: now - HOUR, bytes: 1_000 }],
    events: [{ id: 'yard-new', startMs: now - HOUR, endMs: now - HOUR, startFrame: 0, bytes: 500 }],
  });
  strayFile(ws, join(runDir(recent), 'frames', '0000099.jpg'), HOUR, 250);
  return { ws, old, recent };
}

const rows = (ws: RetentionWorkspace) => ({
  runs: count(ws.db, 'SELECT COUNT(*) AS n FROM analysis_runs'),
  events: count(ws.db, 'SELECT COUNT(*) AS n FROM events'),
  frames: count(ws.db, 'SELECT COUNT(*) AS n FROM frames'),
});

describe('vigil prune', () => {
  it('--dry-run prints what would be deleted and deletes nothing', async () => {
    const { ws } = await seeded('  retention: { days: 1 }\n');
    const before = { rows: rows(ws), files: mediaFiles(ws) };
    const result = await runCli(['prune', '--dry-run', '--config', ws.configFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Retention: keep 1 day',
        'Dry run: nothing was deleted.',
        'Would delete 1 whole run, 1 event, 2 frames (2 detections), 0 tracks; 4 files, 2.9 KB',
        'Would remove 1 orphan file (files no stored row points to), 250 B',
        '',
      ].join('\n'),
    );
    expect({ rows: rows(ws), files: mediaFiles(ws) }).toEqual(before);

    const json = await runCli(['prune', '--dry-run', '--json', '--config', ws.configFile]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { dryRun: boolean; deleted: Record<string, number>; orphans: Record<string, number> };
    expect(report.dryRun).toBe(true);
    expect(report.deleted).toEqual({ runs: 1, events: 1, frames: 2, detections: 2, tracks: 0, files: 4, bytes: 3_000 });
    expect(report.orphans).toEqual({ files: 1, bytes: 250 });
    expect({ rows: rows(ws), files: mediaFiles(ws) }).toEqual(before);
  });

  it('deletes what expired with its files, and the orphans, now', async () => {
    const { ws, old, recent } = await seeded('  retention: { days: 1 }\n');
    const result = await runCli(['prune', '--config', ws.configFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deleted 1 whole run, 1 event, 2 frames (2 detections), 0 tracks; 4 files, 2.9 KB\n');
    expect(result.stdout).toContain('Removed 1 orphan file');
    expect(rows(ws)).toEqual({ runs: 1, events: 1, frames: 1 });
    expect(mediaFiles(ws).some((p) => p.startsWith(`${runDir(old)}/`))).toBe(false);
    expect(mediaFiles(ws).filter((p) => p.startsWith(`${runDir(recent)}/`))).toHaveLength(3);
    expect(mediaInvariant(ws)).toEqual({ missing: [], unreferenced: [] });
    // Again: nothing left to do.
    expect((await runCli(['prune', '--config', ws.configFile])).stdout).toContain('Deleted 0 whole runs, 0 events, 0 frames (0 detections), 0 tracks; 0 files');
  });

  it('says so when no retention is configured, and keeps every row', async () => {
    const { ws } = await seeded('');
    const result = await runCli(['prune', '--config', ws.configFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^No retention is configured/);
    expect(rows(ws)).toEqual({ runs: 2, events: 2, frames: 3 });
  });

  it('rejects a zero or misspelt retention with the field path', async () => {
    const { ws } = await seeded('');
    writeFileSync(ws.configFile, 'storage:\n  data_dir: data\n  retention: { days: 0, max_disk: 5 }\ncameras:\n  front: { input: a.mp4, retention: { days: never } }\n');
    const result = await runCli(['prune', '--dry-run', '--config', ws.configFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('storage.retention.days: expected a number of days greater than 0, or forever');
    expect(result.stderr).toContain('storage.retention: unknown key "max_disk"');
    expect(result.stderr).toContain('cameras.front.retention.days: expected a number of days greater than 0, or forever');
  });
});
