import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/adapters/ffmpeg/ffmpeg-binaries.ts';
import { runCli, spawnCli, waitForExit } from '../support/cli.ts';
import { sampleExcerpt } from '../support/media.ts';

/** Real ffmpeg, the real detector and a real SQLite file, driven through the CLI. */
const workDirs: string[] = [];
/** The demo's rules for the street scene: a tripwire across the path and a restricted lawn. */
const STREET_RULES = `
cameras:
  street:
    input: street.mp4
    timezone: Europe/Paris
    start_time: "2026-11-20T22:00:10+01:00"
    tripwires:
      path: { points: [[300, 170], [300, 330]], inbound: b_to_a, labels: [person] }
    zones:
      lawn: { points: [[0, 262], [330, 330], [560, 440], [768, 500], [768, 576], [0, 576]], restricted: true, labels: [person] }
`;

function workspace(options: { rules?: boolean } = {}): { dir: string; config: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-analyze-'));
  workDirs.push(dir);
  const config = join(dir, 'vigil.yml');
  writeFileSync(config, `storage:\n  data_dir: data\ndetector:\n  workers: 2\n${options.rules ? STREET_RULES : ''}`);
  return { dir, config, db: join(dir, 'data', 'vigil.db') };
}

function tableCounts(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      sources: one('SELECT COUNT(*) AS n FROM sources'),
      runs: one('SELECT COUNT(*) AS n FROM analysis_runs'),
      frames: one('SELECT COUNT(*) AS n FROM frames'),
      detections: one('SELECT COUNT(*) AS n FROM detections WHERE confident = 1 OR track_id IS NOT NULL'),
      candidates: one('SELECT COUNT(*) AS n FROM detections'),
      tracks: one('SELECT COUNT(*) AS n FROM tracks'),
      events: one('SELECT COUNT(*) AS n FROM events'),
    };
  } finally {
    db.close();
  }
}

/** Every stored frame and detection, without database ids, in a stable order. */
function storedRows(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return {
      runs: db.prepare('SELECT status, last_frame_index, frames_decoded, frames_detected, frames_skipped, detections FROM analysis_runs').all(),
      frames: db.prepare('SELECT frame_index, ts_ms, pts_s, detected, changed_fraction, image_path IS NOT NULL AS kept FROM frames ORDER BY frame_index').all(),
      detections: db
        .prepare('SELECT frame_index, label, score, x1, y1, x2, y2, track_id, confident FROM detections ORDER BY frame_index, score DESC, x1')
        .all(),
      tracks: db.prepare('SELECT track_id, label, family, first_ms, last_ms, first_frame, last_frame, hits FROM tracks ORDER BY track_id').all(),
      events: db
        .prepare(
          `SELECT replace(id, 'r' || run_id || '-', '') AS id, type, rule, status, start_ms, end_ms, actors_json, evidence_json,
             details_json, summary_en, summary_zh_hant, keywords, snapshot_frame, snapshot_path IS NOT NULL AS has_snapshot
           FROM events ORDER BY start_ms, id`,
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

let clip: string;
/**
 * One uninterrupted analysis of the street excerpt with rules, shared by the tests that compare
 * against one (a run resumed after a kill, a second independent run): each analysis takes seconds.
 */
let streetRun: Promise<{ ws: ReturnType<typeof workspace>; result: Awaited<ReturnType<typeof runCli>> }> | undefined;
function uninterruptedStreetRun() {
  streetRun ??= (async () => {
    const ws = workspace({ rules: true });
    const result = await runCli(['analyze', clip, '--config', ws.config, '--camera', 'street', '--fps', '5', '--json'], { cwd: ws.dir });
    return { ws, result };
  })();
  return streetRun;
}
beforeAll(() => {
  clip = sampleExcerpt('street', 10, 16);
});
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('vigil analyze', () => {
  it('stores frames and detections, and a second run adds nothing', async () => {
    const ws = workspace();
    const first = await runCli(['analyze', clip, '--config', ws.config, '--fps', '2', '--json'], { cwd: ws.dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.outcome).toBe('analyzed');
    expect(summary.framesDecoded).toBe(32);
    expect(summary.framesDetected + summary.framesSkipped).toBe(32);
    expect(summary.detectionsByLabel.person).toBeGreaterThan(32);
    const counts = tableCounts(ws.db);
    expect(counts).toMatchObject({ sources: 1, runs: 1, frames: 32 });
    expect(counts.detections).toBe(summary.detections);

    // Kept frames are real JPEGs of the detect size.
    const kept = new Database(ws.db, { readonly: true }).prepare('SELECT image_path FROM frames WHERE image_path IS NOT NULL LIMIT 1').get() as { image_path: string };
    const meta = await sharp(join(ws.dir, 'data', kept.image_path)).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 768, height: 576 });

    const second = await runCli(['analyze', clip, '--config', ws.config, '--fps', '2', '--json'], { cwd: ws.dir });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'already_analyzed', runId: summary.runId, detections: summary.detections });
    expect(tableCounts(ws.db)).toEqual(counts);
  });

  it('a run killed midway and re-run ends with exactly the rows (tracks and events too) of an uninterrupted run', async () => {
    const { ws: reference, result: uninterrupted } = await uninterruptedStreetRun();
    expect(uninterrupted.code).toBe(0);
    expect(tableCounts(reference.db).events).toBeGreaterThan(0);

    const ws = workspace({ rules: true });
    const child = spawnCli(['analyze', clip, '--config', ws.config, '--camera', 'street', '--fps', '5']);
    let running = true;
    const exited = waitForExit(child).finally(() => (running = false));
    // Kill it hard once some frames are committed but before the end.
    let committed = -1;
    for (let i = 0; i < 600 && committed < 15 && running; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(ws.db)) continue;
      const db = new Database(ws.db, { readonly: true });
      try {
        const row = db.prepare('SELECT last_frame_index AS n FROM analysis_runs').get() as { n: number } | undefined;
        committed = row?.n ?? -1;
      } catch {
        committed = -1; // the schema may not exist yet
      } finally {
        db.close();
      }
    }
    child.kill('SIGKILL');
    const killed = await exited;
    expect(killed.stderr).toBe('');
    expect(killed.signal).toBe('SIGKILL');
    const partial = storedRows(ws.db);
    expect(partial.frames.length).toBeGreaterThan(0);
    expect(partial.frames.length).toBeLessThan(80);
    expect(partial.runs[0]).toMatchObject({ status: 'running' });
    // Tracks were already stored, so the resume really had to replay the tracker's state.
    expect(partial.tracks.length).toBeGreaterThan(0);

    const resumed = await runCli(['analyze', clip, '--config', ws.config, '--camera', 'street', '--fps', '5', '--json'], { cwd: ws.dir });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).outcome).toBe('resumed');
    expect(storedRows(ws.db)).toEqual(storedRows(reference.db));
  });
});

describe('events from rules', () => {
  it('are the same in two independent runs, with valid snapshot and thumbnail JPEGs', async () => {
    const runs = [];
    const independent = async () => {
      const ws = workspace({ rules: true });
      return { ws, result: await runCli(['analyze', clip, '--config', ws.config, '--camera', 'street', '--fps', '5', '--json'], { cwd: ws.dir }) };
    };
    for (const { ws, result } of [await uninterruptedStreetRun(), await independent()]) {
      expect(result.code).toBe(0);
      runs.push({ ws, summary: JSON.parse(result.stdout), rows: storedRows(ws.db) });
    }
    const [first, second] = runs;
    expect(first!.rows.events).toEqual(second!.rows.events);
    const events = first!.summary.events as Array<{ id: string; type: string; start: string; summary: { en: string; zhHant: string }; snapshot?: string }>;
    // The excerpt (22:00:10 to 22:00:26) has people walking across the path line.
    const crossings = events.filter((e) => e.type === 'line_crossing');
    expect(crossings.length).toBeGreaterThanOrEqual(1);
    for (const e of crossings) {
      expect(e.summary.en).toMatch(/^(\d+ people \(p\d+(, p\d+)*\)|Person p\d+) crossed the path line (inbound|outbound) /);
      expect(e.summary.zhHant).toMatch(/穿越path警戒線/);
      expect(Date.parse(e.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-20T21:00:10Z'));
    }
    const stored = new Database(first!.ws.db, { readonly: true })
      .prepare('SELECT snapshot_path, thumbnails_json FROM events WHERE snapshot_path IS NOT NULL')
      .all() as Array<{ snapshot_path: string; thumbnails_json: string }>;
    expect(stored.length).toBe(events.length);
    for (const row of stored) {
      const snapshot = await sharp(join(first!.ws.dir, 'data', row.snapshot_path)).metadata();
      expect(snapshot).toMatchObject({ format: 'jpeg', width: 768, height: 576 });
      const thumbnails = Object.values(JSON.parse(row.thumbnails_json) as Record<string, string>);
      expect(thumbnails.length).toBeGreaterThanOrEqual(1);
      for (const t of thumbnails) expect((await sharp(join(first!.ws.dir, 'data', t)).metadata()).format).toBe('jpeg');
    }

    const listed = await runCli(['events', '--config', first!.ws.config, '--type', 'line_crossing', '--json'], { cwd: first!.ws.dir });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).total).toBe(crossings.length);
  });
});

describe('bad input gives one clear message, a non-zero exit and no rows', () => {
  const cases: Array<[string, (dir: string) => string, RegExp]> = [
    ['a missing file', (dir) => join(dir, 'nope.mp4'), /nope\.mp4 does not exist/],
    ['a 0-byte file', (dir) => touch(join(dir, 'empty.mp4'), ''), /empty\.mp4 is empty \(0 bytes\)/],
    ['a text file named .mp4', (dir) => touch(join(dir, 'notes.mp4'), 'not a video\n'), /notes\.mp4 is not a video that ffmpeg can read/],
    ['an unreachable stream', () => 'rtsp://viewer:hunter2@127.0.0.1:9/live', /rtsp:\/\/viewer:\*\*\*@127\.0\.0\.1:9\/live could not be reached/],
  ];
  for (const [name, make, message] of cases) {
    it(name, async () => {
      const ws = workspace();
      const input = make(ws.dir);
      const result = await runCli(['analyze', input, '--config', ws.config], { cwd: ws.dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr.startsWith('vigil: ')).toBe(true);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(result.stderr).not.toContain('hunter2');
      if (existsSync(ws.db)) {
        expect(tableCounts(ws.db)).toEqual({ sources: 0, runs: 0, frames: 0, detections: 0, candidates: 0, tracks: 0, events: 0 });
      }
    });
  }

  it('an invalid config names every bad field', async () => {
    const ws = workspace();
    writeFileSync(ws.config, 'cameras:\n  back:\n    input: x.mp4\n    fps: -1\n    zones:\n      door:\n        points: [[1, 2], [3, 4], [5]]\n');
    const result = await runCli(['analyze', clip, '--config', ws.config], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cameras.back.fps: expected a number greater than 0');
    expect(result.stderr).toContain('cameras.back.zones.door.points[2]: expected [x, y]');
    expect(existsSync(ws.db)).toBe(false);
  });

  it('an unknown --camera lists the known ones', async () => {
    const ws = workspace();
    writeFileSync(ws.config, `storage:\n  data_dir: data\ncameras:\n  back:\n    input: ${clip}\n`);
    const result = await runCli(['analyze', clip, '--config', ws.config, '--camera', 'front'], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Camera "front" is not in the configuration');
    expect(result.stderr).toContain('known cameras: back');
  });
});

describe('a truncated video', () => {
  /** The same excerpt in an AVI (index at the end, frame count in the header), as many cameras export. */
  function aviCopy(dir: string): string {
    const out = join(dir, 'full.avi');
    execFileSync(locateFfmpeg().ffmpeg, ['-v', 'error', '-y', '-i', clip, '-c:v', 'mpeg4', '-q:v', '5', '-an', '-f', 'avi', out]);
    return out;
  }
  const cases: Array<[string, (dir: string) => string]> = [
    ['an MP4 cut in half (index at the front)', (dir) => truncate(clip, join(dir, 'cut.mp4'), 0.5)],
    ['the first 37% of an AVI', (dir) => truncate(aviCopy(dir), join(dir, 'cut.avi'), 0.37)],
  ];
  for (const [name, make] of cases) {
    it(`${name}: its events are kept and marked, the message says what is missing, the exit code is 1`, async () => {
      const ws = workspace({ rules: true });
      const input = make(ws.dir);
      const file = input.split('/').pop()!.replace('.', '\\.');
      const missing = new RegExp(`${file} ends early: decoded (\\d+\\.\\d) s of 16\\.0 s declared; the file is truncated or damaged`);
      const result = await runCli(['analyze', input, '--config', ws.config, '--camera', 'street', '--fps', '5', '--json'], { cwd: ws.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^vigil: ${missing.source}`));
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const summary = JSON.parse(result.stdout);
      expect(summary.incomplete.message).toMatch(missing);
      const decoded = Number(missing.exec(summary.incomplete.message)![1]);
      expect(decoded).toBeGreaterThan(2);
      expect(decoded).toBeLessThan(12);
      expect(summary.framesDecoded).toBeGreaterThan(10);
      const runs = new Database(ws.db, { readonly: true }).prepare('SELECT status, input_incomplete FROM analysis_runs').all();
      expect(runs).toEqual([{ status: 'complete', input_incomplete: summary.incomplete.message }]);
      expect(tableCounts(ws.db)).toMatchObject({ runs: 1, frames: summary.framesDecoded, events: summary.events.length });

      // Asked again: nothing is redone, and it still says so (in the summary a person reads, too).
      const again = await runCli(['analyze', input, '--config', ws.config, '--camera', 'street', '--fps', '5'], { cwd: ws.dir });
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/^Already analyzed/);
      expect(again.stdout).toMatch(new RegExp(`INCOMPLETE  ${missing.source}`));
      expect(again.stderr).toMatch(missing);
    });
  }
});

describe('vigil config check', () => {
  it('prints the resolved config with secrets masked', async () => {
    const ws = workspace();
    writeFileSync(ws.config, 'cameras:\n  back:\n    input: rtsp://admin:{VIGIL_CAM_PASSWORD}@10.0.0.5/stream\n');
    const result = await runCli(['config', 'check', '--config', ws.config], { cwd: ws.dir, env: { VIGIL_CAM_PASSWORD: 's3cr3t-pw' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rtsp://admin:***@10.0.0.5/stream');
    expect(result.stdout).toContain('fps: 5');
    expect(result.stdout).not.toContain('s3cr3t-pw');
  });

  it('fails with exit code 1 and names a missing variable', async () => {
    const ws = workspace();
    writeFileSync(ws.config, 'cameras:\n  back:\n    input: rtsp://admin:{FRIGATE_RTSP_PASSWORD}@10.0.0.5/stream\n');
    const result = await runCli(['config', 'check', '--config', ws.config], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cameras.back.input: environment variable FRIGATE_RTSP_PASSWORD is not set');
  });
});

function touch(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

function truncate(source: string, out: string, fraction: number): string {
  const data = readFileSync(source);
  writeFileSync(out, data.subarray(0, Math.floor(data.length * fraction)));
  return out;
}


