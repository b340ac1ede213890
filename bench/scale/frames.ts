/**
 * Part 2 of bench/scale.bench.ts: frames analysed per second by `vigil worker` processes sharing
 * live cameras. Each setup is a fresh database (PostgreSQL, or the SQLite file in a shared data
 * directory), the same looping-file cameras (samples/vtest-street.mp4 played at its own speed,
 * `live.enabled: true`) and `workers` processes started as `vigil worker --config <file>` (from
 * source, as test/support/run-cli.ts runs the CLI). Once every camera is leased, spread evenly over
 * the workers, and frames are being stored, a warm-up passes; then the frames stored over a fixed
 * window (SELECT count(*) FROM frames, before and after) give frames/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DATABASE_FILE } from '../../src/app.ts';
import { REPO_ROOT, SAMPLE_CLIP } from '../../test/support/media.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.ts';
import { load, log, sleep } from './common.ts';

export interface FrameSetup {
  label: string;
  backend: 'postgres' | 'sqlite';
  workers: number;
  cameras: number;
  fps: number;
  detectorWorkers: number;
  warmupS: number;
  seconds: number;
}

export interface FrameResult {
  framesPerS: number;
  frames: number;
  seconds: number;
  /** Cameras held by each worker at the end of the window. */
  spread: number[];
  /** Times the spread was seen to change during the window (sampled every 5 s). */
  moves: number;
}

interface Probe {
  frames(): Promise<number>;
  /** Cameras per lease holder (unexpired leases). */
  spread(): Promise<number[]>;
  close(): Promise<void>;
}

/** How long cameras may take to spread evenly once all are leased. */
const EVEN_WAIT_MS = 60_000;
const SPREAD_SQL = 'SELECT holder, count(*) AS n FROM camera_leases WHERE expires_at > $1 GROUP BY holder ORDER BY n DESC';

function pgProbe(url: string): Probe {
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  return {
    async frames() {
      await connected;
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM frames')).rows[0]!.n);
    },
    async spread() {
      await connected;
      return (await client.query<{ n: string }>(SPREAD_SQL, [Date.now()])).rows.map((r) => Number(r.n));
    },
    close: () => client.end(),
  };
}

function sqliteProbe(file: string): Probe {
  let db: Database.Database | undefined;
  const open = () => (db ??= new Database(file, { readonly: true, fileMustExist: true }));
  return {
    frames: async () => Number((open().prepare('SELECT count(*) AS n FROM frames').get() as { n: number }).n),
    spread: async () => (open().prepare(SPREAD_SQL.replace('$1', '?')).all(Date.now()) as Array<{ n: number }>).map((r) => Number(r.n)),
    close: async () => {
      db?.close();
    },
  };
}

/** Asks until the tables exist (the first worker creates them) or the deadline passes. */
async function retry<T>(fn: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

function startWorker(configFile: string, stderrTail: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/run-cli.ts', 'worker', '--config', configFile], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail.push(chunk);
    if (stderrTail.length > 20) stderrTail.shift();
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

export async function measureFrames(setup: FrameSetup): Promise<FrameResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-scale-frames-'));
  let database: TestDatabase | undefined;
  const children: ChildProcess[] = [];
  const stderrTail: string[] = [];
  let probe: Probe | undefined;
  try {
    if (setup.backend === 'postgres') database = await createTestDatabase();
    const dataDir = join(dir, 'data');
    const config = {
      logging: { level: 'warn' },
      detector: { workers: setup.detectorWorkers },
      storage: { data_dir: dataDir, ...(database ? { database: database.url } : {}) },
      cameras: Object.fromEntries(
        Array.from({ length: setup.cameras }, (_, i) => [`cam${i + 1}`, { input: SAMPLE_CLIP, fps: setup.fps, live: { enabled: true } }]),
      ),
    };
    const configFile = join(dir, 'vigil.yml');
    // JSON is YAML: the workers read it through the real loader.
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    for (let i = 0; i < setup.workers; i++) children.push(startWorker(configFile, stderrTail));
    for (const child of children) {
      child.once('exit', (code, signal) => {
        if (code !== 0 && signal !== 'SIGINT') log(`${setup.label}: a worker exited early (code ${code}, ${signal ?? 'no signal'}): ${stderrTail.join('').slice(-2000)}`);
      });
    }
    probe = database ? pgProbe(database.url) : sqliteProbe(join(dataDir, DATABASE_FILE));
    const p = probe;
    const started = Date.now();
    const deadline = started + 180_000;
    // Ready: every camera leased and frames arriving; then up to EVEN_WAIT_MS more for the cameras
    // to settle evenly over the workers. If they do not (leases moving back and forth), the window is
    // measured anyway and the moves are reported.
    const leased = (spread: number[]) => spread.reduce((a, b) => a + b, 0) === setup.cameras;
    const even = (spread: number[]) => leased(spread) && spread.length === setup.workers && spread[0]! - spread.at(-1)! <= 1;
    let evenSince: number | undefined;
    for (;;) {
      const [spread, frames] = await retry(async () => [await p.spread(), await p.frames()] as const, deadline);
      if (children.some((c) => c.exitCode !== null)) throw new Error(`${setup.label}: a worker exited: ${stderrTail.join('').slice(-2000)}`);
      if (leased(spread) && frames > 0) {
        evenSince ??= Date.now();
        if (even(spread) || Date.now() - evenSince > EVEN_WAIT_MS) break;
      }
      if (Date.now() > deadline) throw new Error(`${setup.label}: cameras not all leased after 180 s (${JSON.stringify(spread)}): ${stderrTail.join('').slice(-2000)}`);
      await sleep(1_000);
    }
    const settled = await p.spread();
    log(`${setup.label}: cameras spread ${JSON.stringify(settled)} after ${((Date.now() - started) / 1000).toFixed(0)} s${even(settled) ? '' : ' (NOT even: measured anyway)'}; warming up ${setup.warmupS} s`);
    await sleep(setup.warmupS * 1000);
    const t0 = performance.now();
    const f0 = await p.frames();
    // The spread every few seconds through the window, to tell cameras moving between workers.
    const spreads: string[] = [];
    while (performance.now() - t0 < setup.seconds * 1000) {
      spreads.push(JSON.stringify(await p.spread()));
      await sleep(Math.min(5_000, setup.seconds * 1000 - (performance.now() - t0)));
    }
    const f1 = await p.frames();
    const seconds = (performance.now() - t0) / 1000;
    const spread = await p.spread();
    const moves = spreads.filter((s, i) => i > 0 && s !== spreads[i - 1]).length;
    if (moves > 0 || !even(spread)) log(`${setup.label}: the cameras moved during the window: ${spreads.join(' ')}`);
    const result: FrameResult = { framesPerS: (f1 - f0) / seconds, frames: f1 - f0, seconds, spread, moves };
    log(
      `${setup.label}: ${result.frames} frames in ${seconds.toFixed(1)} s = ${result.framesPerS.toFixed(1)} frames/s ` +
        `(${setup.cameras} cameras at ${setup.fps} fps offered = ${setup.cameras * setup.fps} frames/s; spread ${JSON.stringify(spread)}; ${load()})`,
    );
    return result;
  } finally {
    await Promise.all(children.map(stopWorker));
    await probe?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
