/**
 * Part 3 of bench/scale.bench.ts: search latency on the same synthetic year of events
 * (test/factories/synthetic-events.ts, the generator and seed of bench/search.bench.ts) in SQLite
 * and in PostgreSQL, with bench/search.bench.ts's queries.
 *
 * SQLite is seeded through SqliteAnalysisStore.commitFrames with the real indexer, as the search
 * bench does. PostgreSQL is then filled from that file by `vigil migrate --to` (migrateToPostgres of
 * the composition root): batched inserts of the same rows, then reindexEvents builds every search
 * document as Vigil does. Seeding PostgreSQL through commitFrames row by row was too slow at 1M
 * (the facet and stats triggers per event), and the migration is how a PostgreSQL store of this
 * size really comes to exist. Both are kept between runs: <tmpdir>/vigil-bench-scale/<version>/<n>/
 * and the database vigil_bench_<n>, unless --reseed.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase, SqliteAnalysisStore } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { createLogger, createVigil, DATABASE_FILE, migrateToPostgres, sharedTextAnalysis } from '../../src/app.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import type { StoredEvent } from '../../src/ports/analysis-store.ts';
import { createEventIndexer } from '../../src/services/search/event-indexer.ts';
import { syntheticEvents } from '../../test/factories/synthetic-events.ts';
import { adminQuery, POSTGRES_SERVER_URL } from '../../test/support/postgres.ts';
import { benchConfig, cameras, FROM, NOW, QUERIES, runIdOf, SEED } from '../search-workload.ts';
import { load, log, percentile, round } from './common.ts';

/** Bump when the generator or either schema changes, so cached stores are rebuilt. */
const VERSION = 'v1';
const CACHE_DIR = join(tmpdir(), 'vigil-bench-scale', VERSION);
const BATCH = 5_000;
const LIMIT = 20;

/** The search bench's seeding, on the main thread: the real schema, commitFrames and the real indexer. */
async function seedSqlite(dataDir: string, count: number): Promise<void> {
  const t0 = performance.now();
  const db = openSqliteDatabase(join(dataDir, DATABASE_FILE));
  const store = new SqliteAnalysisStore(db, { indexer: createEventIndexer(sharedTextAnalysis(), cameraDirectory(benchConfig(dataDir).config)) });
  for (const camera of cameras) {
    const sourceId = await store.upsertSource(
      { uri: `rtsp://bench/${camera.id}`, kind: 'stream', fingerprint: `bench:${camera.id}`, codec: 'h264', width: 768, height: 576, fps: 5 },
      camera.id,
    );
    const run = await store.createRun({ sourceId, cameraId: camera.id, settingsKey: 'bench', settings: {}, startTimeMs: FROM, startTimeSource: 'wall_clock', startedAt: FROM });
    if (run.id !== runIdOf(camera.id)) throw new Error(`run ${run.id} of ${camera.id} is not ${runIdOf(camera.id)}`);
  }
  const source = syntheticEvents({ seed: SEED, count, cameras, fromMs: FROM, toMs: NOW, runIdOf });
  let done = 0;
  for (;;) {
    const events: StoredEvent[] = [];
    for (let next = source.next(); !next.done; next = source.next()) {
      events.push(next.value);
      if (events.length === BATCH) break;
    }
    if (events.length === 0) break;
    await store.commitFrames(1, [], { events });
    done += events.length;
    if (done % 100_000 === 0 || done === count) log(`  sqlite: seeded ${done} / ${count} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  // One frame at "now" per run, so coverage says every camera was analysed until now.
  const lastFrame = Math.floor(((NOW - FROM) * 5) / 1000);
  for (const camera of cameras) {
    const runId = runIdOf(camera.id);
    await store.commitFrames(runId, [{ index: lastFrame, timestampMs: NOW, ptsSeconds: (NOW - FROM) / 1000, detected: true, changedFraction: 0, detections: [] }]);
    await store.finishRun(runId, 'complete', NOW);
  }
  db.close();
}

async function sqliteStore(count: number, reseed: boolean): Promise<string> {
  const dataDir = join(CACHE_DIR, String(count));
  if (reseed) rmSync(dataDir, { recursive: true, force: true });
  if (existsSync(join(dataDir, DATABASE_FILE))) {
    log(`search: reusing the SQLite store ${dataDir}`);
    return dataDir;
  }
  // Seeded under another name and renamed when complete, so an interrupted run is never reused.
  const partial = `${dataDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const t0 = performance.now();
  log(`search: seeding ${count} events into SQLite (${partial})`);
  await seedSqlite(partial, count);
  renameSync(partial, dataDir);
  log(`search: SQLite seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return dataDir;
}

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function databaseExists(name: string): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
}

/** vigil_bench_<n>, filled from the SQLite store by the migration unless it is there already. */
async function postgresStore(count: number, dataDir: string, reseed: boolean): Promise<string> {
  // Only [a-z0-9_]: safe in CREATE / ALTER / DROP DATABASE.
  const name = `vigil_bench_${count}`;
  const partial = `${name}_partial`;
  if (reseed) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (await databaseExists(name)) {
    log(`search: reusing the PostgreSQL database ${name}`);
    return databaseUrl(name);
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${partial} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${partial}`);
  const t0 = performance.now();
  log(`search: copying ${count} events into PostgreSQL (${partial}) by vigil migrate --to`);
  let lastLog = 0;
  const report = await migrateToPostgres(benchConfig(dataDir), databaseUrl(partial), {
    logger: createLogger('warn'),
    onProgress: (p) => {
      if (performance.now() - lastLog < 15_000) return;
      lastLog = performance.now();
      log(`  postgres: ${p.phase} ${p.table} ${p.done}${p.total ? ` / ${p.total}` : ''} at ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    },
  });
  if (report.missing.length > 0) throw new Error(`the migration left rows behind: ${JSON.stringify(report.missing)}`);
  await adminQuery(`ALTER DATABASE ${partial} RENAME TO ${name}`);
  log(`search: PostgreSQL filled in ${((performance.now() - t0) / 1000).toFixed(0)} s (${report.indexed} events indexed)`);
  return databaseUrl(name);
}

export interface SearchResult {
  events: number;
  sqliteP95: number;
  pgP95: number;
  sqliteP50: number;
  pgP50: number;
}

/**
 * Both stores open side by side; per query a warm-up of each, then `runs` rounds in alternating
 * order (SQLite then PostgreSQL, then the other way round), each round bounded by `budgetMs`.
 */
export async function measureSearch(options: { events: number; reseed: boolean; runs: number; budgetMs: number }): Promise<SearchResult> {
  const dataDir = await sqliteStore(options.events, options.reseed);
  const url = await postgresStore(options.events, dataDir, options.reseed);
  const sqlite = createVigil(benchConfig(dataDir), { clock: { now: () => NOW }, logger: createLogger('warn') });
  const postgres = createVigil(benchConfig(dataDir, url), { clock: { now: () => NOW }, logger: createLogger('warn') });
  try {
    await sqlite.search.coverage();
    await postgres.search.coverage();
    const all = { sqlite: [] as number[], postgres: [] as number[] };
    for (const query of QUERIES) {
      const request = { ...query.request, limit: LIMIT };
      const [a, b] = [await sqlite.search.search(request), await postgres.search.search(request)];
      if (a.total !== b.total) log(`search: ${query.name}: SQLite finds ${a.total}, PostgreSQL ${b.total}`);
      for (let i = 0; i < 2; i++) {
        await sqlite.search.search(request);
        await postgres.search.search(request);
      }
      const times = { sqlite: [] as number[], postgres: [] as number[] };
      const start = performance.now();
      for (let i = 0; i < options.runs && (i < 8 || performance.now() - start < options.budgetMs); i++) {
        const order = i % 2 === 0 ? (['sqlite', 'postgres'] as const) : (['postgres', 'sqlite'] as const);
        for (const side of order) {
          const app = side === 'sqlite' ? sqlite : postgres;
          const t0 = performance.now();
          await app.search.search(request);
          times[side].push(performance.now() - t0);
        }
      }
      all.sqlite.push(...times.sqlite);
      all.postgres.push(...times.postgres);
      log(
        `search ${query.name.padEnd(26)} sqlite p50 ${round(percentile(times.sqlite, 50)).toString().padStart(7)} p95 ${round(percentile(times.sqlite, 95)).toString().padStart(7)} ms | ` +
          `postgres p50 ${round(percentile(times.postgres, 50)).toString().padStart(7)} p95 ${round(percentile(times.postgres, 95)).toString().padStart(7)} ms  (${times.sqlite.length} runs, total ${a.total})`,
      );
    }
    const result: SearchResult = {
      events: options.events,
      sqliteP95: round(percentile(all.sqlite, 95)),
      pgP95: round(percentile(all.postgres, 95)),
      sqliteP50: round(percentile(all.sqlite, 50)),
      pgP50: round(percentile(all.postgres, 50)),
    };
    log(`search at ${options.events} events, all queries: sqlite p50 ${result.sqliteP50} p95 ${result.sqliteP95} ms; postgres p50 ${result.pgP50} p95 ${result.pgP95} ms (${load()})`);
    return result;
  } finally {
    await sqlite.close();
    await postgres.close();
  }
}
