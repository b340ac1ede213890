import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/live.ts';
import { sampleExcerpt } from '../support/media.ts';
import { type PrivatePostgres, skipWithoutPrivatePostgres, startPrivatePostgres } from '../support/private-postgres.ts';
import { killWorker, overlappingRuns, SharedStorageView, startWorker, type WorkerProcess, writeWorkerConfig } from '../support/workers.ts';

const CAMERAS = ['cam-a', 'cam-b'];
/** Frames dropped, summed over every worker and camera. */
const total = (byWorker: Record<number, Record<string, number>>) => Object.values(byWorker).reduce((n, cameras) => n + Object.values(cameras).reduce((a, b) => a + b, 0), 0);
const LEASE_S = 3;
/** Longer than a lease: every lease has run out by the clock when the server is back. */
const DOWN_MS = 5_000;
const START_TIMEOUT_MS = 90_000;

/**
 * Two `vigil worker` processes analysing two looping cameras while their PostgreSQL server is
 * restarted (a server of this test's own: the shared one serves the other test files). They must
 * come back by themselves: no worker exits, every camera is analysed again by one worker, and
 * nothing stored before the restart is lost.
 */
describe.skipIf(skipWithoutPrivatePostgres('the PostgreSQL restart test'))('vigil workers while their PostgreSQL server restarts', () => {
  let server: PrivatePostgres;
  let view: SharedStorageView;
  let dir: string;
  const workers: WorkerProcess[] = [];
  const logs = () => workers.map((w) => `--- worker ${w.pid} ${JSON.stringify(w.exited() ?? 'running')}\n${w.output().slice(-4000)}`).join('\n');

  beforeAll(async () => {
    server = await startPrivatePostgres();
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query('CREATE DATABASE vigil');
    await admin.end();
    const url = server.url.replace(/\/postgres$/, '/vigil');
    view = new SharedStorageView(url);
    dir = mkdtempSync(join(tmpdir(), 'vigil-pg-restart-'));
    const config = writeWorkerConfig(dir, { databaseUrl: url, dataDir: join(dir, 'data'), clip: sampleExcerpt('street', 10, 16), cameras: CAMERAS, leaseS: LEASE_S, fps: 2 });
    workers.push(startWorker(config));
    await waitFor(
      () => view.leases().catch(() => []),
      (leases) => leases.length > 0,
      START_TIMEOUT_MS,
    );
    workers.push(startWorker(config));
  });

  afterAll(async () => {
    await Promise.all(workers.map(killWorker));
    await view?.close();
    await server?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every camera held by a live worker and storing frames: `frames` more than `from` each. */
  const analysing = async (from: Record<string, number>, timeoutMs: number) =>
    waitFor(
      async () => ({ counts: await view.frameCounts().catch(() => ({}) as Record<string, number>), leases: await view.leases().catch(() => []) }),
      ({ counts, leases }) =>
        CAMERAS.every((c) => (counts[c] ?? 0) >= (from[c] ?? 0) + 4) &&
        CAMERAS.every((c) => leases.some((l) => l.cameraId === c && l.expiresAt > Date.now() && workers.some((w) => w.pid === l.holderPid && !w.exited()))),
      timeoutMs,
    ).catch((error: unknown) => {
      throw new Error(`the cameras are not analysed\n${logs()}`, { cause: error });
    });

  it('reconnect by themselves: no worker exits, every camera is analysed again, nothing stored is lost', async () => {
    await analysing({}, START_TIMEOUT_MS);
    const eventsBefore = await view.eventIds();
    const droppedBefore = total(await view.droppedFrames());
    const stoppedAt = Date.now();
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    await server.start();
    const framesAtRestart = await view.frameCounts();
    const back = await analysing(framesAtRestart, 60_000);
    const resumedMs = Date.now() - stoppedAt - DOWN_MS;

    expect(workers.map((w) => w.exited())).toEqual(workers.map(() => undefined));
    const eventsAfter = await view.eventIds();
    for (const camera of CAMERAS) expect(eventsAfter[camera] ?? []).toEqual(expect.arrayContaining(eventsBefore[camera] ?? []));
    expect(overlappingRuns(await view.runs()).map(([a, b]) => ({ a, b }))).toEqual([]);
    // What was analysed but could not be stored while the server was down is counted as dropped
    // (reported with the next heartbeat, at most a lease round after the restart).
    const dropped = await waitFor(
      () => view.droppedFrames(),
      (byWorker) => total(byWorker) > droppedBefore,
      (LEASE_S + 2) * 1000,
    ).catch((error: unknown) => {
      throw new Error(`no worker counted a dropped frame during the restart (${droppedBefore} before)\n${logs()}`, { cause: error });
    });
    console.info(
      `[postgres-restart] down ${DOWN_MS} ms; every camera analysed again ${resumedMs} ms after the server was back; frames ${JSON.stringify(back.counts)}; dropped per worker ${JSON.stringify(dropped)} (${droppedBefore} before)`,
    );
  });
});
