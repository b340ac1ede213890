import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { spawnCli } from './cli.ts';

/**
 * `vigil worker` processes sharing one PostgreSQL storage, and what they wrote there as the
 * tables show it: for tests that kill, pause and disconnect real workers.
 */

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited (however). */
  exit: Promise<WorkerExit>;
  /** Set once it exited. */
  exited(): WorkerExit | undefined;
  /** Everything it wrote (stdout and stderr, in arrival order): its log, for failure messages. */
  output(): string;
}

/** Starts `vigil worker --config <file>` from source as a real child process. */
export function startWorker(configFile: string): WorkerProcess {
  const child = spawnCli(['worker', '--config', configFile]);
  if (child.pid === undefined) throw new Error('vigil worker did not start');
  let output = '';
  let exited: WorkerExit | undefined;
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<WorkerExit>((resolve) =>
    child.on('close', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  return { child, pid: child.pid, exit, exited: () => exited, output: () => output };
}

/** Ends a worker at once (a paused one too) and waits until it is gone. */
export async function killWorker(worker: WorkerProcess): Promise<WorkerExit> {
  if (!worker.exited()) {
    worker.child.kill('SIGCONT');
    worker.child.kill('SIGKILL');
  }
  return worker.exit;
}

export interface WorkerConfigOptions {
  databaseUrl: string;
  dataDir: string;
  /** The file every camera plays in a loop. */
  clip: string;
  cameras: readonly string[];
  leaseS: number;
  /** Frames sampled per second per camera: low, so that several workers fit on a small machine. */
  fps: number;
  /** An MQTT broker (what `vigil serve` publishes events to); none by default. */
  mqtt?: { host: string; port: number };
}

/** A configuration of looping-file live cameras, one detector thread per worker, stored in PostgreSQL. */
export function writeWorkerConfig(dir: string, options: WorkerConfigOptions): string {
  const file = join(dir, 'vigil.yml');
  const cameras = options.cameras
    .map(
      (id) => `  ${id}:
    input: ${JSON.stringify(options.clip)}
    fps: ${options.fps}
    labels: [person]
    live: { enabled: true, queue_frames: 2, reconnect: { min_s: 0.5, max_s: 2 } }
    tripwires:
      path: { points: [[300, 170], [300, 330]], labels: [person] }`,
    )
    .join('\n');
  writeFileSync(
    file,
    `storage:
  data_dir: ${JSON.stringify(options.dataDir)}
  database: ${JSON.stringify(options.databaseUrl)}
  frames: { keep: false }
detector: { workers: 1 }
workers: { lease_s: ${options.leaseS} }
${options.mqtt ? `mqtt: { host: ${JSON.stringify(options.mqtt.host)}, port: ${options.mqtt.port} }\n` : ''}cameras:
${cameras}
`,
  );
  return file;
}

/** A worker's id is `host:pid:random` (app.ts workerIdentity). */
export function pidOfHolder(holder: string): number {
  const pid = Number(holder.split(':').at(-2));
  if (!Number.isInteger(pid)) throw new Error(`not a worker id: ${holder}`);
  return pid;
}

export interface LeaseRow {
  cameraId: string;
  holderPid: number;
  generation: number;
  expiresAt: number;
}

export interface RunSpan {
  runId: number;
  cameraId: string;
  ownerPid: number;
  status: string;
  frames: number;
  /** Arrival times of its first and last stored frame (undefined without frames). */
  firstMs?: number;
  lastMs?: number;
}

export const VIEW_APPLICATION_NAME = 'vigil-test-view';

/** Reads the shared tables straight, as an operator would (no Vigil code between). */
export class SharedStorageView {
  private readonly pool: pg.Pool;
  /** A connection of the pool that failed while idle (a test ending backends may end one). */
  lastIdleError: Error | undefined;

  constructor(url: string) {
    // Named, so that a test ending the workers' connections can spare these.
    this.pool = new pg.Pool({ connectionString: url, max: 2, application_name: VIEW_APPLICATION_NAME });
    this.pool.on('error', (error) => (this.lastIdleError = error));
  }

  async leases(): Promise<LeaseRow[]> {
    const { rows } = await this.pool.query<{ camera_id: string; holder: string; generation: string; expires_at: string }>(
      'SELECT camera_id, holder, generation, expires_at FROM camera_leases ORDER BY camera_id',
    );
    return rows.map((r) => ({ cameraId: r.camera_id, holderPid: pidOfHolder(r.holder), generation: Number(r.generation), expiresAt: Number(r.expires_at) }));
  }

  /** Every live-session run with its owner's pid and the span of its stored frames. */
  async runs(): Promise<RunSpan[]> {
    const { rows } = await this.pool.query<{ id: string; camera_id: string; owner: string; status: string; frames: string; first_ms: string | null; last_ms: string | null }>(
      `SELECT r.id, r.camera_id, r.owner, r.status, COUNT(f.frame_index) AS frames, MIN(f.ts_ms) AS first_ms, MAX(f.ts_ms) AS last_ms
       FROM analysis_runs r LEFT JOIN frames f ON f.run_id = r.id
       WHERE (r.settings_json::jsonb ->> 'session') IS NOT NULL
       GROUP BY r.id ORDER BY r.id`,
    );
    return rows.map((r) => {
      const owner = JSON.parse(r.owner) as { pid?: unknown };
      if (typeof owner.pid !== 'number') throw new Error(`run ${r.id} has no owner pid: ${r.owner}`);
      return {
        runId: Number(r.id),
        cameraId: r.camera_id,
        ownerPid: owner.pid,
        status: r.status,
        frames: Number(r.frames),
        ...(r.first_ms === null ? {} : { firstMs: Number(r.first_ms) }),
        ...(r.last_ms === null ? {} : { lastMs: Number(r.last_ms) }),
      };
    });
  }

  /** Stored frames per camera. */
  async frameCounts(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ camera_id: string; n: string }>(
      'SELECT r.camera_id, COUNT(*) AS n FROM frames f JOIN analysis_runs r ON r.id = f.run_id GROUP BY r.camera_id',
    );
    return Object.fromEntries(rows.map((r) => [r.camera_id, Number(r.n)]));
  }

  /** Frames each worker reported dropped, per camera (its last heartbeat's stats), by worker pid. */
  async droppedFrames(): Promise<Record<number, Record<string, number>>> {
    const { rows } = await this.pool.query<{ pid: number; stats_json: string }>('SELECT pid, stats_json FROM workers ORDER BY pid');
    return Object.fromEntries(
      rows.map((r) => {
        const stats = JSON.parse(r.stats_json) as Record<string, { framesDropped: number }>;
        return [r.pid, Object.fromEntries(Object.entries(stats).map(([camera, s]) => [camera, s.framesDropped]))];
      }),
    );
  }

  /** Stored event ids per camera. */
  async eventIds(): Promise<Record<string, string[]>> {
    const { rows } = await this.pool.query<{ id: string; camera_id: string }>('SELECT id, camera_id FROM events ORDER BY id');
    const byCamera: Record<string, string[]> = {};
    for (const r of rows) (byCamera[r.camera_id] ??= []).push(r.id);
    return byCamera;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Pairs of runs of one camera whose stored frames overlap in time: two writers analysing the
 * camera at once. Frames are stamped on arrival by the same machine's clock, so the runs of one
 * camera, one after another, must have disjoint spans.
 */
export function overlappingRuns(runs: readonly RunSpan[]): Array<[RunSpan, RunSpan]> {
  const withFrames = runs.filter((r) => r.firstMs !== undefined && r.lastMs !== undefined).sort((a, b) => a.firstMs! - b.firstMs!);
  const overlaps: Array<[RunSpan, RunSpan]> = [];
  for (let i = 0; i < withFrames.length; i++) {
    for (let j = i + 1; j < withFrames.length; j++) {
      const a = withFrames[i]!;
      const b = withFrames[j]!;
      if (a.cameraId === b.cameraId && b.firstMs! <= a.lastMs!) overlaps.push([a, b]);
    }
  }
  return overlaps;
}
