/**
 * Part 1 of bench/scale.bench.ts: job claim throughput with competing worker processes on one
 * queue. `count` frigate_ingest jobs (they need no event) are enqueued through the port, then
 * `workers` child processes (bench/scale/claim-worker.ts, each with its own storage) claim and
 * complete them until the queue is empty. Every (key, claim) handed out is recorded: a pair handed
 * to two workers, or a key completed (`done`) twice, is a double claim.
 */
import { fork } from 'node:child_process';
import type { Storage } from '../../src/ports/storage.ts';
import type { ClaimWorkerArgs, ClaimWorkerReport } from './claim-worker.ts';
import { log } from './common.ts';

export interface ClaimResult {
  jobs: number;
  claimsPerS: number;
  doubleClaims: number;
  /** Keys completed by nobody (should be 0). */
  missing: number;
  perWorker: number[];
}

const ENQUEUE_BATCH = 1_000;

export async function enqueueJobs(storage: Storage, count: number): Promise<void> {
  for (let from = 0; from < count; from += ENQUEUE_BATCH) {
    const requests = [];
    for (let i = from; i < Math.min(count, from + ENQUEUE_BATCH); i++) {
      const key = `bench-${String(i).padStart(6, '0')}`;
      requests.push({ kind: 'frigate_ingest' as const, key, payload: { eventId: key, progress: 1, message: { n: i } } });
    }
    await storage.jobs.enqueueMany(requests);
  }
}

export async function competeForJobs(
  label: string,
  args: Omit<ClaimWorkerArgs, 'backend' | 'location'> & Pick<ClaimWorkerArgs, 'backend' | 'location'>,
  workers: number,
  count: number,
): Promise<ClaimResult> {
  const script = new URL('./claim-worker.ts', import.meta.url).pathname;
  const children = Array.from({ length: workers }, () =>
    fork(script, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const reports = children.map(
    (child, i) =>
      new Promise<ClaimWorkerReport>((resolve, reject) => {
        child.once('message', (message) => resolve(message as ClaimWorkerReport));
        child.once('exit', (code) => reject(new Error(`${label}: claim worker ${i} exited with code ${code} before reporting`)));
      }),
  );
  // Each child sends nothing until told to go; give them time to open their storage first.
  const ready = children.map((child) => new Promise<void>((resolve) => child.once('spawn', () => resolve())));
  await Promise.all(ready);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  for (const child of children) child.send('go');
  const results = await Promise.all(reports);
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));

  const pairs = new Map<string, number>();
  const done = new Map<string, number>();
  for (const { records } of results) {
    for (const [key, claim, outcome] of records) {
      pairs.set(`${key}#${claim}`, (pairs.get(`${key}#${claim}`) ?? 0) + 1);
      if (outcome === 'done') done.set(key, (done.get(key) ?? 0) + 1);
    }
  }
  let doubleClaims = 0;
  for (const n of pairs.values()) if (n > 1) doubleClaims += n - 1;
  for (const n of done.values()) if (n > 1) doubleClaims += n - 1;
  const claimed = results.reduce((n, r) => n + r.records.length, 0);
  const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
  const result: ClaimResult = {
    jobs: count,
    claimsPerS: claimed / seconds,
    doubleClaims,
    missing: count - done.size,
    perWorker: results.map((r) => r.records.length),
  };
  log(
    `${label}: ${claimed} claims by ${workers} processes in ${seconds.toFixed(1)} s = ${Math.round(result.claimsPerS)} claims/s ` +
      `(per worker ${result.perWorker.join(' / ')}; double claims ${doubleClaims}; jobs never completed ${result.missing})`,
  );
  return result;
}
