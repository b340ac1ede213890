import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startVigilServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { cameraState, silentLogger, waitFor } from '../support/live.ts';
import { sampleExcerpt } from '../support/media.ts';
import { spawnCli, waitForExit } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-live-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The address `vigil serve` prints once it listens. */
function serverUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const serving = /Vigil is serving (http:\/\/\S+?)\/ /.exec(out);
      if (serving?.[1]) {
        clearTimeout(timer);
        resolve(serving[1]);
      }
    });
  });
}

describe('live cameras under vigil serve', () => {
  it('runs a looping file as a camera: events, state, metrics; stops cleanly on SIGTERM and restarts without duplicates', async () => {
    // A 16 s piece of the sample with people crossing the footpath, played over and over at its own speed.
    const clip = sampleExcerpt('street', 10, 16);
    const config = join(dir, 'vigil.yml');
    writeFileSync(
      config,
      `storage: { data_dir: ${JSON.stringify(join(dir, 'data'))} }
cameras:
  street:
    input: ${JSON.stringify(clip)}
    fps: 5
    labels: [person]
    live: { enabled: true, queue_frames: 4 }
    tripwires:
      path: { points: [[300, 170], [300, 330]], labels: [person] }
`,
    );
    const loaded = await loadConfig({ file: config, explicit: true, env: {}, cwd: dir });

    // The real command, stopped the way a service manager stops it.
    const first = spawnCli(['serve', '--config', config, '--port', '0']);
    const exit = waitForExit(first);
    let state;
    try {
      const url = await serverUrl(first);
      state = await waitFor(() => cameraState({ url }, 'street'), (c) => c.live.status === 'streaming' && c.live.frames_processed >= 10 && c.events >= 1, 120_000);
      expect(state.live.connected).toBe(true);
      expect(state.live.frames_in).toBeGreaterThanOrEqual(state.live.frames_processed);

      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/vigil_frames_total\{camera="street",stage="in"\} [1-9]/);
      expect(metrics).toMatch(/vigil_frames_total\{camera="street",stage="processed"\} [1-9]/);
      expect(metrics).toMatch(/vigil_camera_connected\{camera="street"\} 1/);
      expect(metrics).toMatch(/vigil_events_total\{camera="street",type="line_crossing",change="new"\} [1-9]/);
      expect(metrics).toMatch(/vigil_event_latency_seconds_count\{camera="street"\} [1-9]/);
    } finally {
      first.kill('SIGTERM');
    }
    const stopped = await exit;
    expect({ code: stopped.code, stderr: stopped.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('SIGTERM received, stopping') });

    // Stopped: the session's run is complete and none of its events is left open.
    const db = new Database(join(dir, 'data', 'vigil.db'), { readonly: true });
    const runs = () => db.prepare("SELECT id, status FROM analysis_runs WHERE camera_id = 'street' ORDER BY id").all() as Array<{ id: number; status: string }>;
    expect(runs()).toEqual([{ id: expect.any(Number), status: 'complete' }]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM events WHERE status = 'open'").get()).toEqual({ n: 0 });
    const before = db.prepare('SELECT id, end_ms FROM events ORDER BY id').all();
    expect(before.length).toBeGreaterThanOrEqual(1);

    // A restart is a new session: new frames, new events, the old ones untouched and none twice.
    const second = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silentLogger });
    try {
      await waitFor(() => cameraState(second, 'street'), (c) => c.live.status === 'streaming' && c.live.frames_processed >= 10, 60_000);
    } finally {
      await second.close();
    }
    expect(runs().map((r) => r.status)).toEqual(['complete', 'complete']);
    const after = db.prepare('SELECT id, end_ms FROM events ORDER BY id').all() as Array<{ id: string }>;
    expect(new Set(after.map((e) => e.id)).size).toBe(after.length);
    expect(after).toEqual(expect.arrayContaining(before));
    db.close();
  }, 240_000);
});
