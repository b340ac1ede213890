/**
 * Search latency on a year of synthetic bilingual events from 40 cameras (test/factories/synthetic-events.ts):
 *   p50_ms_1m, p95_ms_1m, p95_ms_100k  SearchService.search (the whole request: time and camera
 *                        parsing, concepts, SQL, answer, coverage), over all the queries below
 *                        together, each run BENCH_RUNS times after a warm-up
 *   naive_over_vigil_10k  on 10k events, p50 of a prototype that loads every event (SELECT *,
 *                        JSON parse) and counts substring hits of the query's words, per query,
 *                        divided by p50 of Vigil on the same database (all queries pooled)
 *
 * The databases are seeded once per size through the real schema, SqliteAnalysisStore.commitFrames
 * and the real indexer, and kept in <tmpdir>/vigil-bench-search/<version>/<count>/ for later runs.
 *
 *   npm run bench:search   (node --import tsx bench/search.bench.ts;
 *                           env BENCH_RUNS=30, BENCH_QUERY_SECONDS=15 per query at most, BENCH_SIZES=100000,1000000)
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { openSqliteDatabase, SqliteAnalysisStore } from '../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { createLogger, createVigil, DATABASE_FILE, sharedTextAnalysis } from '../src/app.ts';
import { cameraDirectory } from '../src/config/settings/index.ts';
import type { StoredEvent } from '../src/ports/analysis-store.ts';
import type { EventIndexer, SearchDocument } from '../src/ports/search-index.ts';
import { createEventIndexer } from '../src/services/search/event-indexer.ts';
import type { SearchRequest, SearchService } from '../src/services/search/search.service.ts';
import { syntheticEvents } from '../test/factories/synthetic-events.ts';
import { benchConfig, type BenchQuery, cameras, FROM, NOW, QUERIES, runIdOf, SEED } from './search-workload.ts';

/** Bump when the generator or the schema changes, so cached databases are rebuilt. */
const GENERATOR_VERSION = 'v2';
const CACHE_DIR = join(tmpdir(), 'vigil-bench-search', GENERATOR_VERSION);
const BATCH = 5_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const MIN_RUNS = 8;
const BUDGET_MS = Number(process.env.BENCH_QUERY_SECONDS ?? 15) * 1000;
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const LIMIT = 20;

const log = (line: string) => process.stderr.write(`${line}\n`);

interface SeedBatch {
  events: StoredEvent[];
  docs: SearchDocument[];
}

/** Batches of generated events in flight between the worker and the writer. */
const IN_FLIGHT = 4;

/**
 * Worker side of seeding: generates the events and tokenizes them with the real indexer (the
 * costly half), so that the main thread only writes them; batches wait for credit from the writer.
 */
function generateInWorker(count: number, dataDir: string): void {
  const port = parentPort;
  if (!port) return;
  const indexer = createEventIndexer(sharedTextAnalysis(), cameraDirectory(benchConfig(dataDir).config));
  const source = syntheticEvents({ seed: SEED, count, cameras, fromMs: FROM, toMs: NOW, runIdOf });
  let credit = IN_FLIGHT;
  let finished = false;
  const pump = () => {
    while (credit > 0 && !finished) {
      const events: StoredEvent[] = [];
      for (let next = source.next(); !next.done; next = source.next()) {
        events.push(next.value);
        if (events.length === BATCH) break;
      }
      if (events.length === 0) {
        finished = true;
        port.postMessage(null);
        return;
      }
      const batch: SeedBatch = { events, docs: events.map(indexer) };
      port.postMessage(batch);
      credit--;
    }
  };
  port.on('message', () => {
    credit++;
    pump();
  });
  pump();
}

/** Seeds `count` events into a new database in `dataDir`; returns where the time went. */
async function seed(dataDir: string, count: number): Promise<{ seconds: number; commitSeconds: number }> {
  const t0 = performance.now();
  const db = openSqliteDatabase(join(dataDir, DATABASE_FILE));
  // The worker made the documents with the real indexer; the store takes them from here.
  const docs = new Map<string, SearchDocument>();
  const indexer: EventIndexer = ({ event }) => {
    const doc = docs.get(event.id);
    if (!doc) throw new Error(`no search document for ${event.id}`);
    return doc;
  };
  const store = new SqliteAnalysisStore(db, { indexer });
  for (const camera of cameras) {
    const sourceId = await store.upsertSource(
      { uri: `rtsp://bench/${camera.id}`, kind: 'stream', fingerprint: `bench:${camera.id}`, codec: 'h264', width: 768, height: 576, fps: 5 },
      camera.id,
    );
    const run = await store.createRun({ sourceId, cameraId: camera.id, settingsKey: 'bench', settings: {}, startTimeMs: FROM, startTimeSource: 'wall_clock', startedAt: FROM });
    if (run.id !== runIdOf(camera.id)) throw new Error(`run ${run.id} of ${camera.id} is not ${runIdOf(camera.id)}`);
  }
  let commitMs = 0;
  let done = 0;
  // Node 20 workers do not inherit `--import tsx`: register it in the worker, then load this file.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { count, dataDir } });
  await new Promise<void>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the seeding worker exited with code ${code}`)));
    worker.on('message', (message: SeedBatch | null) => {
      if (message === null) {
        resolve();
        return;
      }
      const start = performance.now();
      docs.clear();
      message.events.forEach((stored, i) => docs.set(stored.event.id, message.docs[i] as SearchDocument));
      store
        .commitFrames(1, [], { events: message.events })
        .then(() => {
          commitMs += performance.now() - start;
          worker.postMessage('more');
          done += message.events.length;
          if (done % 100_000 === 0 || done === count) {
            const s = (performance.now() - t0) / 1000;
            log(`  seeded ${done} / ${count} in ${s.toFixed(0)} s (${Math.round(done / s)} events/s)`);
          }
        })
        .catch((error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
    });
  });
  worker.removeAllListeners('exit');
  await worker.terminate();
  // One frame at "now" per run, so coverage says every camera was analysed until now.
  const lastFrame = Math.floor(((NOW - FROM) * 5) / 1000);
  for (const camera of cameras) {
    const runId = runIdOf(camera.id);
    await store.commitFrames(runId, [{ index: lastFrame, timestampMs: NOW, ptsSeconds: (NOW - FROM) / 1000, detected: true, changedFraction: 0, detections: [] }]);
    await store.finishRun(runId, 'complete', NOW);
  }
  db.close();
  return { seconds: (performance.now() - t0) / 1000, commitSeconds: commitMs / 1000 };
}

/** The data directory holding `count` events, seeded now unless an earlier run left it. */
async function database(count: number): Promise<{ dataDir: string; seedSeconds?: number }> {
  const dataDir = join(CACHE_DIR, String(count));
  if (existsSync(join(dataDir, DATABASE_FILE))) {
    log(`${count}: reusing ${dataDir}`);
    return { dataDir };
  }
  // Seeded under another name and renamed when complete, so an interrupted run is never reused.
  const partial = `${dataDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`${count}: seeding ${partial}`);
  const timing = await seed(partial, count);
  renameSync(partial, dataDir);
  log(
    `${count}: seeded in ${timing.seconds.toFixed(1)} s (${Math.round(count / timing.seconds)} events/s; ` +
      `SQLite writes ${timing.commitSeconds.toFixed(1)} s on the main thread, generation and tokens in a worker)`,
  );
  return { dataDir, seedSeconds: timing.seconds };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Milliseconds of each run of `fn` after the warm-up: `runs` of them, or fewer (never under
 * MIN_RUNS) once BUDGET_MS is spent, so a slow query at 1M does not take half an hour.
 */
async function time(fn: () => unknown, runs = RUNS): Promise<number[]> {
  const warmStart = performance.now();
  for (let i = 0; i < WARMUP && performance.now() - warmStart < BUDGET_MS / 4; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs && (i < MIN_RUNS || performance.now() - start < BUDGET_MS); i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

async function describeResult(search: SearchService, query: BenchQuery): Promise<string> {
  const r = await search.search({ ...query.request, limit: LIMIT });
  const i = r.interpretation;
  const parts = [
    `total ${r.total}`,
    i.cameras.length ? `cameras ${i.cameras.join(',')}` : '',
    i.types.length ? `types ${i.types.join(',')}` : '',
    i.labels.length ? `labels ${i.labels.join(',')}` : '',
    i.terms.length ? `terms ${i.terms.join(',')}` : '',
    i.fromMs !== undefined && i.toMs !== undefined ? `time ${new Date(i.fromMs).toISOString()}..${new Date(i.toMs).toISOString()}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/** Runs every query on the database; per-query lines on stderr, all run times returned. */
async function measureVigil(label: string, dataDir: string): Promise<{ all: number[]; byQuery: Map<string, number[]> }> {
  const t0 = performance.now();
  const app = createVigil(benchConfig(dataDir), { clock: { now: () => NOW }, logger: createLogger('warn') });
  // The first call opens the database and brings the search index up to date.
  await app.search.coverage();
  log(`${label}: first search built (opens the database, indexes unindexed events) ${(performance.now() - t0).toFixed(0)} ms`);
  try {
    const coverage = await time(() => app.search.coverage(), Math.min(RUNS, 10));
    log(`${label}: coverage() alone (the /api/cameras listing; no longer run per search) p50 ${round(percentile(coverage, 50))} ms`);
    const all: number[] = [];
    const byQuery = new Map<string, number[]>();
    for (const query of QUERIES) {
      const info = await describeResult(app.search, query);
      const times = await time(() => app.search.search({ ...query.request, limit: LIMIT }));
      all.push(...times);
      byQuery.set(query.name, times);
      log(
        `${label}: ${query.name.padEnd(26)} p50 ${round(percentile(times, 50)).toString().padStart(8)} ms  ` +
          `p95 ${round(percentile(times, 95)).toString().padStart(8)} ms  (${times.length} runs)  [${info}]`,
      );
    }
    log(`${label}: all queries p50 ${round(percentile(all, 50))} ms, p95 ${round(percentile(all, 95))} ms`);
    return { all, byQuery };
  } finally {
    await app.close();
  }
}

interface NaiveEvent {
  cameraId: string;
  startMs: number;
  endMs: number;
  haystack: string;
  labels: unknown;
  actors: unknown;
  evidence: unknown;
  details: unknown;
}

function column(row: unknown, key: string): unknown {
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[key] : undefined;
}
const str = (row: unknown, key: string) => String(column(row, key) ?? '');
const num = (row: unknown, key: string) => Number(column(row, key));

/** What a first prototype does: every event from the database into memory, as objects. */
function naiveLoad(db: Database.Database): NaiveEvent[] {
  return db
    .prepare('SELECT * FROM events')
    .all()
    .map((row) => ({
      cameraId: str(row, 'camera_id'),
      startMs: num(row, 'start_ms'),
      endMs: num(row, 'end_ms'),
      haystack: `${str(row, 'summary_en')} ${str(row, 'summary_zh_hant')} ${str(row, 'keywords')} ${str(row, 'camera_id')}`.toLowerCase(),
      labels: JSON.parse(str(row, 'labels_json')),
      actors: JSON.parse(str(row, 'actors_json')),
      evidence: JSON.parse(str(row, 'evidence_json')),
      details: JSON.parse(str(row, 'details_json')),
    }));
}

/** English words whole, Chinese character by character; score = how many of them occur. */
function naiveSearch(events: readonly NaiveEvent[], request: Omit<SearchRequest, 'limit'>): NaiveEvent[] {
  const words = [...new Set(request.q.toLowerCase().match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? [])];
  const scored: Array<{ event: NaiveEvent; score: number }> = [];
  for (const event of events) {
    if (request.camera !== undefined && event.cameraId !== request.camera) continue;
    if (request.fromMs !== undefined && event.endMs < request.fromMs) continue;
    if (request.toMs !== undefined && event.startMs >= request.toMs) continue;
    let score = 0;
    for (const word of words) if (event.haystack.includes(word)) score++;
    if (score > 0 || words.length === 0) scored.push({ event, score });
  }
  scored.sort((a, b) => b.score - a.score || b.event.startMs - a.event.startMs);
  return scored.slice(0, LIMIT).map((s) => s.event);
}

async function measureNaive(dataDir: string): Promise<{ load: number[]; scan: number[] }> {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const load: number[] = [];
    const scan: number[] = [];
    const preloaded = naiveLoad(db);
    for (const query of QUERIES) {
      load.push(...(await time(() => naiveSearch(naiveLoad(db), query.request))));
      scan.push(...(await time(() => naiveSearch(preloaded, query.request))));
    }
    return { load, scan };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  // 1. Naive baseline against Vigil on 10k events.
  const small = await database(10_000);
  const vigil10k = await measureVigil('10k', small.dataDir);
  const naive = await measureNaive(small.dataDir);
  const vigilP50 = percentile(vigil10k.all, 50);
  const naiveP50 = percentile(naive.load, 50);
  log(`10k naive (load + scan per query): p50 ${round(naiveP50)} ms, p95 ${round(percentile(naive.load, 95))} ms`);
  log(`10k naive (scan of preloaded events): p50 ${round(percentile(naive.scan, 50))} ms, p95 ${round(percentile(naive.scan, 95))} ms`);
  log(`10k vigil: p50 ${round(vigilP50)} ms; naive/vigil p50: ${round(naiveP50 / vigilP50)}x (load + scan), ${round(percentile(naive.scan, 50) / vigilP50)}x (scan only)`);

  // 2. Vigil on the large databases.
  const results = new Map<number, number[]>();
  for (const size of SIZES) {
    const { dataDir } = await database(size);
    results.set(size, (await measureVigil(size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`, dataDir)).all);
  }

  const at = (size: number, p: number) => {
    const times = results.get(size);
    return times ? round(percentile(times, p)) : null;
  };
  const p95At1m = at(1_000_000, 95);
  const ratio = round(naiveP50 / vigilP50);
  log(`targets: p95 at 1M <= 50 ms: ${p95At1m !== null && p95At1m <= 50 ? 'met' : 'NOT met'} (${p95At1m} ms); naive/vigil >= 20x: ${ratio >= 20 ? 'met' : 'NOT met'} (${ratio}x)`);
  console.log(
    `BENCH ${JSON.stringify({ p95_ms_1m: p95At1m, p50_ms_1m: at(1_000_000, 50), p95_ms_100k: at(100_000, 95), naive_over_vigil_10k: ratio })}`,
  );
}

if (isMainThread) await main();
else {
  const { count, dataDir } = z.object({ count: z.number(), dataDir: z.string() }).parse(workerData);
  generateInWorker(count, dataDir);
}
