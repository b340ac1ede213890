/**
 * Vigil across processes (issue: PostgreSQL storage and `vigil worker`), side by side in one run:
 *   claims_per_s        job claims per second by 4 competing processes on one PostgreSQL queue
 *                       (claimDue in batches + complete, each process its own pool), all of
 *                       --jobs frigate_ingest jobs; sqlite_claims_per_s the same on one SQLite file
 *   double_claims       (key, claim) pairs handed to two workers, plus jobs completed twice, over
 *                       both backends (pg_double_claims / sqlite_double_claims apart)
 *   workers2_over_1     frames stored per second by 2 `vigil worker` processes sharing the live
 *                       cameras over PostgreSQL, divided by 1 worker with the same cameras
 *   pg_over_sqlite      1 worker on PostgreSQL over 1 worker on SQLite, frames/s
 *   pg_p95_ms_1m / sqlite_p95_ms_1m  search p95 over bench/search.bench.ts's queries on the same
 *                       synthetic events in each backend ("events" says how many: the key names
 *                       keep "1m" even when --events is smaller)
 * The frame setups are looping files played as live cameras (samples/vtest-street.mp4), each worker
 * with --detector-workers detector threads (default 1: on a 2-core machine a worker's default pool
 * already takes every core, and a second process could only add contention). `load` in the output
 * is the 1-minute load average: other work on the machine slows every figure.
 *
 *   npm run bench:scale [-- --events 1000000 --reseed --jobs 20000 --seconds 40 --warmup 15
 *                           --cameras 4 --fps 5 --detector-workers 1 --only claims,frames,search]
 * --only runs some of the three parts; the BENCH line then has only their figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPostgresStorage } from '../src/adapters/storage/postgres/pg-storage.ts';
import { createSqliteStorage } from '../src/adapters/storage/sqlite/sqlite-storage.ts';
import { createLogger, DATABASE_FILE } from '../src/app.ts';
import type { EventIndexer } from '../src/ports/search-index.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { competeForJobs, enqueueJobs, type ClaimResult } from './scale/claims.ts';
import { load, log, round } from './scale/common.ts';
import { measureFrames, type FrameSetup } from './scale/frames.ts';
import { measureSearch } from './scale/search.ts';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    reseed: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '20000' },
    'claim-workers': { type: 'string', default: '4' },
    batch: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '15' },
    cameras: { type: 'string', default: '4' },
    fps: { type: 'string', default: '5' },
    'detector-workers': { type: 'string', default: '1' },
    'search-runs': { type: 'string', default: '20' },
    'search-seconds': { type: 'string', default: '5' },
    only: { type: 'string', default: 'claims,frames,search' },
  },
});
const PARTS = ['claims', 'frames', 'search'] as const;
const only = new Set(flags.only.split(',').map((part) => part.trim()));
for (const part of only) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only expects some of ${PARTS.join(', ')}, got ${part}`);
}
const int = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} expects a positive integer, got ${String(flags[name])}`);
  return n;
};

const started = performance.now();
const loads: number[] = [];
const noteLoad = () => loads.push(loadavg()[0]!);
log(`scale bench: ${load()} at the start; events ${int('events')}, jobs ${int('jobs')}`);

// ---- 1. job claims: competing processes on one queue --------------------------------------------

const noIndexer: EventIndexer = () => {
  throw new Error('the claim bench stores no events');
};
const jobs = int('jobs');
const claimArgs = { batch: int('batch'), leaseMs: 120_000 };

async function claimsOnPostgres(): Promise<ClaimResult> {
  const database = await createTestDatabase();
  try {
    const storage = createPostgresStorage({ database: database.url, logger: createLogger('warn'), indexer: noIndexer, tokenize: (t) => t });
    const t0 = performance.now();
    await enqueueJobs(storage, jobs);
    log(`claims postgres: ${jobs} jobs enqueued in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await storage.close();
    return await competeForJobs('claims postgres', { backend: 'postgres', location: database.url, ...claimArgs }, int('claim-workers'), jobs);
  } finally {
    await database.drop();
  }
}

async function claimsOnSqlite(): Promise<ClaimResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-scale-claims-'));
  try {
    const file = join(dir, DATABASE_FILE);
    const storage = createSqliteStorage({ file, indexer: noIndexer, tokenize: (t) => t });
    const t0 = performance.now();
    await enqueueJobs(storage, jobs);
    log(`claims sqlite: ${jobs} jobs enqueued in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await storage.close();
    return await competeForJobs('claims sqlite', { backend: 'sqlite', location: file, ...claimArgs }, int('claim-workers'), jobs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

noteLoad();
const claims = only.has('claims') ? { postgres: await claimsOnPostgres(), sqlite: await claimsOnSqlite() } : undefined;
noteLoad();

// ---- 2. frames analysed per second by worker processes ------------------------------------------

const frameSetup = (label: string, backend: FrameSetup['backend'], workers: number): FrameSetup => ({
  label,
  backend,
  workers,
  cameras: int('cameras'),
  fps: int('fps'),
  detectorWorkers: int('detector-workers'),
  warmupS: int('warmup'),
  seconds: int('seconds'),
});
async function measureAllFrames() {
  const pg1 = await measureFrames(frameSetup('frames postgres, 1 worker', 'postgres', 1));
  noteLoad();
  const pg2 = await measureFrames(frameSetup('frames postgres, 2 workers', 'postgres', 2));
  noteLoad();
  const sqlite1 = await measureFrames(frameSetup('frames sqlite, 1 worker', 'sqlite', 1));
  noteLoad();
  return { pg1, pg2, sqlite1, workers2Over1: round(pg2.framesPerS / pg1.framesPerS), pgOverSqlite: round(pg1.framesPerS / sqlite1.framesPerS) };
}
const frames = only.has('frames') ? await measureAllFrames() : undefined;

// ---- 3. search at scale, both backends ----------------------------------------------------------

const search = only.has('search')
  ? await measureSearch({ events: int('events'), reseed: flags.reseed === true, runs: int('search-runs'), budgetMs: int('search-seconds') * 1000 })
  : undefined;
noteLoad();

// ---- summary ------------------------------------------------------------------------------------

const aim = (ok: boolean) => (ok ? 'met' : 'NOT met');
const doubleClaims = claims ? claims.postgres.doubleClaims + claims.sqlite.doubleClaims : undefined;
if (claims) {
  log(`aims: claims/s >= 500 on PostgreSQL: ${aim(claims.postgres.claimsPerS >= 500)} (${Math.round(claims.postgres.claimsPerS)}); double claims 0: ${aim(doubleClaims === 0)} (${doubleClaims})`);
}
if (frames) {
  log(`aims: 2 workers >= 1.7x one: ${aim(frames.workers2Over1 >= 1.7)} (${frames.workers2Over1}x); PostgreSQL >= 0.9x SQLite: ${aim(frames.pgOverSqlite >= 0.9)} (${frames.pgOverSqlite}x)`);
}
if (search) log(`aims: search p95 <= 50 ms on PostgreSQL at ${search.events} events: ${aim(search.pgP95 <= 50)} (${search.pgP95} ms; SQLite ${search.sqliteP95} ms)`);
log(`scale bench: ${((performance.now() - started) / 60_000).toFixed(1)} min; load averages at each step ${loads.map((l) => l.toFixed(1)).join(', ')}`);
console.log(
  `BENCH ${JSON.stringify({
    workers2_over_1: frames?.workers2Over1,
    pg_over_sqlite: frames?.pgOverSqlite,
    pg_p95_ms_1m: search?.pgP95,
    sqlite_p95_ms_1m: search?.sqliteP95,
    claims_per_s: claims && Math.round(claims.postgres.claimsPerS),
    double_claims: doubleClaims,
    events: search?.events,
    sqlite_claims_per_s: claims && Math.round(claims.sqlite.claimsPerS),
    pg_double_claims: claims?.postgres.doubleClaims,
    sqlite_double_claims: claims?.sqlite.doubleClaims,
    frames_per_s_pg_1: frames && round(frames.pg1.framesPerS),
    frames_per_s_pg_2: frames && round(frames.pg2.framesPerS),
    frames_per_s_sqlite_1: frames && round(frames.sqlite1.framesPerS),
    camera_moves_2w: frames?.pg2.moves,
    pg_p50_ms: search?.pgP50,
    sqlite_p50_ms: search?.sqliteP50,
    load_max: round(Math.max(...loads)),
  })}`,
);
