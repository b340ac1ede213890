import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextAnalyzer } from '../../src/adapters/text/text-analyzer.ts';
import { ANALYSIS_VERSION } from '../../src/services/analyze-video.service.ts';
import { runCli, spawnCli, waitForExit } from '../support/cli.ts';
import { sampleExcerpt } from '../support/media.ts';

/**
 * Analysing again, and at the same time: real ffmpeg, the real detector and a real SQLite file,
 * driven through the CLI (in this process, and as separate processes that race each other).
 */
const workDirs: string[] = [];
const text = createTextAnalyzer();

function streetConfig(names: { camera?: string; path: string; lawn: string; extraZone?: boolean }): string {
  return `storage:
  data_dir: data
detector:
  workers: 2
cameras:
  street:
    input: street.mp4
${names.camera ? `    name: ${names.camera}\n` : ''}    timezone: Europe/Paris
    start_time: "2026-11-20T22:00:10+01:00"
    tripwires:
      path: { points: [[300, 170], [300, 330]], inbound: b_to_a, labels: [person], display_name: ${names.path} }
    zones:
      lawn: { points: [[0, 262], [330, 330], [560, 440], [768, 500], [768, 576], [0, 576]], restricted: true, labels: [person], display_name: ${names.lawn} }
${names.extraZone ? '      sky: { points: [[0, 0], [40, 0], [40, 20], [0, 20]], restricted: true, labels: [person] }\n' : ''}`;
}

function workspace(config = 'storage:\n  data_dir: data\ndetector:\n  workers: 2\n'): { dir: string; config: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-reruns-'));
  workDirs.push(dir);
  writeFileSync(join(dir, 'vigil.yml'), config);
  return { dir, config: join(dir, 'vigil.yml'), db: join(dir, 'data', 'vigil.db') };
}

function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** How many events the full-text index finds with `word` in `column`. */
function indexed(dbPath: string, column: string, word: string): number {
  const tokens = text.indexTokens(word).map((t) => `"${t}"`).join(' ');
  return query<{ n: number }>(dbPath, 'SELECT COUNT(*) AS n FROM events_fts WHERE events_fts MATCH ?', `${column}:(${tokens})`)[0]!.n;
}

let clip: string;
beforeAll(() => {
  clip = sampleExcerpt('street', 10, 16);
});
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('two analyses of the same file at once', () => {
  it('the second is told another process is analysing it, and the first finishes undisturbed', async () => {
    const ws = workspace();
    const args = ['analyze', clip, '--config', ws.config, '--fps', '10', '--json'];
    const first = spawnCli(args);
    let running = true;
    const firstDone = waitForExit(first).finally(() => (running = false));
    // Start the second once the first is well under way (some frames committed).
    let committed = -1;
    for (let i = 0; i < 600 && committed < 10 && running; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(ws.db)) continue;
      try {
        committed = query<{ n: number }>(ws.db, 'SELECT last_frame_index AS n FROM analysis_runs')[0]?.n ?? -1;
      } catch {
        committed = -1; // the schema may not exist yet
      }
    }
    expect(running).toBe(true);
    const second = await waitForExit(spawnCli(args));
    expect(running).toBe(true); // the test means something only if they overlapped
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).not.toContain('unexpected error');
    expect(second.stderr).toMatch(/^vigil: .*street-10-16\.mp4 is being analysed as camera "street-10-16" with the same settings by process \d+ on \S+ right now \(run \d+, \d+ frames stored, last heard from \d+ s ago\)/);
    expect(second.stderr).toContain('Wait for it to finish');

    const done = await firstDone;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const summary = JSON.parse(done.stdout);
    expect(summary.outcome).toBe('analyzed');
    expect(query(ws.db, 'SELECT status, frames_decoded AS frames FROM analysis_runs')).toEqual([{ status: 'complete', frames: summary.framesDecoded }]);
    expect(query<{ n: number }>(ws.db, 'SELECT COUNT(*) AS n FROM frames')[0]!.n).toBe(summary.framesDecoded);

    const again = await runCli(args, { cwd: ws.dir });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'already_analyzed', runId: summary.runId });
  });

  it('started at the same moment, one analyses and the other is refused or finds it done; never a crash', async () => {
    const ws = workspace();
    const args = ['analyze', clip, '--config', ws.config, '--fps', '2', '--json'];
    const results = await Promise.all([waitForExit(spawnCli(args)), waitForExit(spawnCli(args))]);
    for (const r of results) expect(r.stderr).not.toContain('unexpected error');
    const outcomes = results.map((r) => (r.code === 0 ? JSON.parse(r.stdout).outcome : /is being analysed/.test(r.stderr) ? 'busy' : r.stderr)).sort();
    expect([['analyzed', 'busy'], ['already_analyzed', 'analyzed']]).toContainEqual(outcomes);
    expect(query(ws.db, 'SELECT status FROM analysis_runs')).toEqual([{ status: 'complete' }]);
  });
});

describe('analysing again after the configuration changed', () => {
  /** Descriptions as a vision model would have written them (paid calls), with their finished jobs. */
  function describeAll(dbPath: string): number {
    const db = new Database(dbPath);
    try {
      const ids = (db.prepare('SELECT id FROM events').all() as Array<{ id: string }>).map((r) => r.id);
      const description = db.prepare(
        `INSERT INTO event_descriptions (event_id, provider, model, created_at, json, raw_text, flagged, text_for_search)
         VALUES (?, 'vision', 'llava', 1, NULL, 'A person in a dark coat walks by; zebracorn', 0, 'zebracorn')`,
      );
      const job = db.prepare(
        `INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, created_at, updated_at)
         VALUES ('describe_event', ?, ?, '{"requestedBy":"auto"}', 'done', 1, 1, 0, 1, 1)`,
      );
      for (const id of ids) {
        description.run(id);
        job.run(id, id);
      }
      return ids.length;
    } finally {
      db.close();
    }
  }

  it('new display names reword the stored events and keep their descriptions; a real change carries them to the same events', async () => {
    const ws = workspace(streetConfig({ path: 'path', lawn: 'lawn' }));
    const analyze = (fps: string) => runCli(['analyze', clip, '--config', ws.config, '--camera', 'street', '--fps', fps, '--json'], { cwd: ws.dir });
    const first = await analyze('5');
    expect(first.code).toBe(0);
    const run = JSON.parse(first.stdout);
    const crossings = (run.events as Array<{ type: string }>).filter((e) => e.type === 'line_crossing').length;
    expect(crossings).toBeGreaterThan(0);
    const described = describeAll(ws.db);
    expect(described).toBe(run.events.length);

    // Only names change: the same run, the same events, reworded, re-indexed, descriptions kept.
    writeFileSync(ws.config, streetConfig({ camera: 'Main street', path: 'footpath', lawn: 'front lawn' }));
    const renamed = await analyze('5');
    expect(renamed.code).toBe(0);
    const again = JSON.parse(renamed.stdout);
    expect(again).toMatchObject({ outcome: 'already_analyzed', runId: run.runId });
    expect(again.events.map((e: { id: string }) => e.id)).toEqual(run.events.map((e: { id: string }) => e.id));
    for (const e of again.events.filter((x: { type: string }) => x.type === 'line_crossing')) {
      expect(e.summary.en).toMatch(/ crossed the footpath line /);
    }
    const rows = query<{ summary_en: string; keywords: string; evidence_json: string }>(ws.db, "SELECT summary_en, keywords, evidence_json FROM events WHERE type = 'line_crossing'");
    for (const row of rows) {
      expect(row.summary_en).toContain('footpath');
      expect(row.keywords.split(' ')).toContain('main street'.split(' ')[0]);
      expect(row.evidence_json).not.toMatch(/crossed the path line/);
    }
    expect(query<{ n: number }>(ws.db, 'SELECT COUNT(*) AS n FROM event_descriptions')[0]!.n).toBe(described);
    expect(indexed(ws.db, 'keywords', 'footpath')).toBe(crossings);
    expect(indexed(ws.db, 'description', 'zebracorn')).toBe(described);

    // A setting that changes results (a new zone): a new run replaces the old one; the events
    // found again keep their descriptions.
    writeFileSync(ws.config, streetConfig({ camera: 'Main street', path: 'footpath', lawn: 'front lawn', extraZone: true }));
    const rezoned = await analyze('5');
    expect(rezoned.code).toBe(0);
    const replaced = JSON.parse(rezoned.stdout);
    expect(replaced.outcome).toBe('analyzed');
    expect(replaced.runId).not.toBe(run.runId);
    const kept = query<{ event_id: string; run_id: number }>(ws.db, 'SELECT d.event_id, e.run_id FROM event_descriptions d JOIN events e ON e.id = d.event_id');
    expect(kept.length).toBe(described);
    for (const k of kept) expect(k.run_id).toBe(replaced.runId);
    expect(query(ws.db, "SELECT DISTINCT status FROM jobs WHERE kind = 'describe_event'")).toEqual([{ status: 'done' }]);
    expect(indexed(ws.db, 'description', 'zebracorn')).toBe(kept.length);
    // The version of the tracker and the rules is part of the run's identity, so a file analysed
    // by a Vigil whose tracker gave other events is analysed again, as the new zone was.
    const settings = query<{ settings_json: string }>(ws.db, 'SELECT settings_json FROM analysis_runs');
    expect(settings.map((r) => JSON.parse(r.settings_json).analysis)).toEqual([ANALYSIS_VERSION]);
  });
});
