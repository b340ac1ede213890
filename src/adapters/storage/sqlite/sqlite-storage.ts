import type Database from 'better-sqlite3';
import type { RunOwner } from '../../../ports/analysis-store.ts';
import type { EventIndexer } from '../../../ports/search-index.ts';
import type { Storage } from '../../../ports/storage.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';
import { SqliteDescriptionStore } from './sqlite-description-store.ts';
import { SqliteEventStore } from './sqlite-event-store.ts';
import { SqliteGatewayStore } from './sqlite-gateway-store.ts';
import { SqliteImageAnalysisStore } from './sqlite-image-analysis-store.ts';
import { SqliteJobQueue } from './sqlite-job-queue.ts';
import { SqliteRetentionStore } from './sqlite-retention-store.ts';
import { SqliteSearchStore } from './sqlite-search-store.ts';
import { SqliteVectorIndex } from './sqlite-vector-index.ts';
import { SqliteWorkerRegistry } from './sqlite-worker-registry.ts';
import { lazyStorage, once } from '../lazy-storage.ts';

export interface SqliteStorageOptions {
  /** The database file (created with its folder when missing), or `:memory:`. */
  file: string;
  /** Turns an event into its search document (text analysis and camera names). */
  indexer: EventIndexer;
  /** Index tokens of a text, joined by spaces: how descriptions are made searchable. */
  tokenize: (text: string) => string;
  now?: () => number;
  /** Who this process is when it claims analysis runs, and how to tell a dead one (tests; default: this host and pid). */
  runOwner?: { owner: RunOwner; processExists?: (pid: number) => boolean };
}

/**
 * Every store in one SQLite file, each built on first use. The file is opened (and its schema
 * brought up to date) by the first store that needs it.
 */
export function createSqliteStorage(options: SqliteStorageOptions): Storage & { readonly db: Database.Database } {
  const now = options.now ?? Date.now;
  let handle: Database.Database | undefined;
  const db = once(() => (handle = openSqliteDatabase(options.file)));
  // The description store owns the search entry's description field, so events are indexed
  // through it: otherwise re-indexing an event would blank its description in search.
  const descriptions = once(() => new SqliteDescriptionStore(db(), { indexer: options.indexer, tokenize: options.tokenize, now }));
  const analyses = once(
    () =>
      new SqliteAnalysisStore(db(), {
        indexer: descriptions().searchIndexer(),
        now,
        ...(options.runOwner ? { owner: options.runOwner.owner, ...(options.runOwner.processExists ? { processExists: options.runOwner.processExists } : {}) } : {}),
      }),
  );
  const jobs = once(
    () =>
      new SqliteJobQueue(db(), {
        now,
        // A finished job's output is written inside the job's completion transaction.
        writeOutput: (eventId, output) => {
          if (output.kind === 'description') descriptions().saveNow(eventId, output.description);
          else vectors().upsertNow(eventId, output.vector);
        },
      }),
  );
  const vectors = once(() => new SqliteVectorIndex(db(), { jobs: jobs(), now }));
  const events = once(() => new SqliteEventStore(db()));
  const search = once(() => new SqliteSearchStore(db()));
  const retention = once(() => new SqliteRetentionStore(db()));
  const imageAnalyses = once(() => new SqliteImageAnalysisStore(db()));
  const workers = once(() => new SqliteWorkerRegistry(db()));
  const gateway = once(() => new SqliteGatewayStore(db()));
  let closed = false;
  return lazyStorage(
    {
      analyses: analyses,
      searchIndex: analyses,
      events: events,
      descriptions: descriptions,
      search: search,
      vectors: vectors,
      jobs: jobs,
      retention: retention,
      imageAnalyses: imageAnalyses,
      gatewayKeys: gateway,
      gatewayUsage: gateway,
      workers: workers,
    },
    {
      /** The SQLite connection itself, for tests that look at rows directly. */
      get db() {
        return db();
      },
      location: options.file,
      async open() {
        db();
      },
      async close() {
        if (closed) return;
        closed = true;
        if (handle?.open) handle.close();
      },
    },
  );
}
