/**
 * One of the competing claimers of bench/scale/claims.ts, as a process of its own with its own
 * storage (its own pool, or its own SQLite connection): claims `frigate_ingest` jobs in batches and
 * completes each, until the queue stays empty, and sends back every (key, claim, outcome) it saw.
 */
import { z } from 'zod';
import { createPostgresStorage } from '../../src/adapters/storage/postgres/pg-storage.ts';
import { createSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { createLogger } from '../../src/app.ts';
import type { EventIndexer } from '../../src/ports/search-index.ts';

export const claimWorkerArgs = z.object({
  backend: z.enum(['postgres', 'sqlite']),
  /** postgres:// URL or the SQLite file. */
  location: z.string(),
  batch: z.number().int().positive(),
  leaseMs: z.number().int().positive(),
});
export type ClaimWorkerArgs = z.infer<typeof claimWorkerArgs>;

/** [key, claim, outcome of complete()] per job claimed. */
export type ClaimRecord = [key: string, claim: number, outcome: string];
export interface ClaimWorkerReport {
  records: ClaimRecord[];
  /** Milliseconds from `go` to this worker's last completion. */
  ms: number;
}

const noIndexer: EventIndexer = () => {
  throw new Error('the claim bench stores no events');
};

async function main(): Promise<void> {
  const send = (message: unknown) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  const args = claimWorkerArgs.parse(JSON.parse(process.argv[2] ?? '{}'));
  const common = { indexer: noIndexer, tokenize: (t: string) => t };
  const storage =
    args.backend === 'postgres'
      ? createPostgresStorage({ database: args.location, logger: createLogger('warn'), ...common })
      : createSqliteStorage({ file: args.location, ...common });
  await storage.open();
  const queue = storage.jobs;
  // A first query, so the pool (or the file) is open before the clock starts.
  await queue.counts();
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const t0 = performance.now();
  const records: ClaimRecord[] = [];
  let lastMs = 0;
  // An empty answer can mean that the last rows are locked by another claimer right now (SKIP
  // LOCKED passes them over): look again a few times before calling the queue empty.
  for (let empty = 0; empty < 5; ) {
    const jobs = await queue.claimDue(['frigate_ingest'], args.batch, { leaseMs: args.leaseMs });
    if (jobs.length === 0) {
      empty++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    empty = 0;
    for (const job of jobs) records.push([job.key, job.claim, await queue.complete(job)]);
    lastMs = performance.now() - t0;
  }
  await storage.close();
  await send({ records, ms: lastMs } satisfies ClaimWorkerReport);
}

await main();
