import type { RunOwner } from '../../../ports/analysis-store.ts';
import type { Logger } from '../../../ports/logger.ts';
import type { EventIndexer } from '../../../ports/search-index.ts';
import type { Storage } from '../../../ports/storage.ts';
import { PgAnalysisStore } from './pg-analysis-store.ts';
import { PgBroadcast } from './pg-broadcast.ts';
import { openPostgresDatabase } from './pg-database.ts';
import { migratePostgres } from './pg-migrations.ts';
import { PgDescriptionStore } from './pg-description-store.ts';
import { maskUrl } from './pg-errors.ts';
import { PgEventStore } from './pg-event-store.ts';
import { PgGatewayStore } from './pg-gateway-store.ts';
import { PgImageAnalysisStore } from './pg-image-analysis-store.ts';
import { PgJobQueue } from './pg-job-queue.ts';
import { createPgLeadership } from './pg-leadership.ts';
import { createPgNotifications } from './pg-notifications.ts';
import { PgRetentionStore } from './pg-retention-store.ts';
import { PgSearchStore } from './pg-search-store.ts';
import type { PgStoreOptions } from './pg-store-options.ts';
import { PgVectorIndex } from './pg-vector-index.ts';
import type { QueryResult, SqlClient, TransactionOptions } from './sql-client.ts';
import { PgWorkerRegistry } from './pg-worker-registry.ts';
import { lazyStorage, once } from '../lazy-storage.ts';

export interface PostgresStorageOptions {
  /** postgres://user:password@host:5432/database, or a client already open (tests: PGlite); its schema is brought up to date either way. */
  database: string | SqlClient;
  indexer: EventIndexer;
  tokenize: (text: string) => string;
  now?: () => number;
  logger: Logger;
  /** Who this process is when it claims analysis runs, and how to tell a dead one (tests; default: this host and pid). */
  runOwner?: { owner: RunOwner; processExists?: (pid: number) => boolean };
}

/**
 * A client that connects (and migrates) on first use, so that the stores can be built
 * synchronously like SQLite's and the first query of any of them opens the database once.
 */
class OpeningClient implements SqlClient {
  private opened: Promise<SqlClient> | undefined;
  private closed = false;

  constructor(private readonly open: () => Promise<SqlClient>) {}

  client(): Promise<SqlClient> {
    if (this.closed) return Promise.reject(new Error('The PostgreSQL storage was closed'));
    this.opened ??= this.open().catch((error: unknown) => {
      // A failed open is not remembered: the next use tries again (the server may be back).
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  async query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return (await this.client()).query<R>(text, params);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return (await this.client()).transaction(fn, options);
  }

  async session<T>(fn: (session: SqlClient) => Promise<T>): Promise<T> {
    return (await this.client()).session(fn);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.close();
  }
}

/**
 * Every store in one PostgreSQL database, each built on first use, sharing one connection pool.
 * Any number of Vigil processes may use the same database at once.
 */
export function createPostgresStorage(options: PostgresStorageOptions): Storage {
  const { database } = options;
  const db = new OpeningClient(async () => {
    if (typeof database === 'string') return openPostgresDatabase(database, { logger: options.logger });
    await migratePostgres(database);
    return database;
  });
  const storeOptions: PgStoreOptions = {
    now: options.now ?? Date.now,
    indexer: options.indexer,
    tokenize: options.tokenize,
    // A finished job's output is written inside the job's completion transaction.
    writeOutput: async (tx, eventId, output) => {
      if (output.kind === 'description') await descriptions().saveIn(tx, eventId, output.description);
      else await vectors().upsertIn(tx, eventId, output.vector);
    },
  };
  const analyses = once(() => new PgAnalysisStore(db, storeOptions, options.runOwner));
  const descriptions = once(() => new PgDescriptionStore(db, storeOptions));
  // LISTEN needs a URL to open connections of its own: a client given by the caller (PGlite) has none.
  const notifications =
    typeof database === 'string'
      ? createPgNotifications(database, { onError: (error) => options.logger.warn({ err: error.message }, 'a PostgreSQL connection used for LISTEN was lost; reopening it') })
      : undefined;
  let jobsBuilt = false;
  const jobs = once(() => {
    jobsBuilt = true;
    // Workers of other processes wake on LISTEN/NOTIFY.
    return new PgJobQueue(db, { ...storeOptions, ...(notifications ? { notifications } : {}) });
  });
  const broadcast = notifications ? new PgBroadcast(db, notifications) : undefined;
  const leadership =
    typeof database === 'string'
      ? createPgLeadership(database, { onError: (role, error) => options.logger.warn({ role, err: error.message }, 'the PostgreSQL connection that holds or seeks a duty was lost; trying again') })
      : undefined;
  const vectors = once(() => new PgVectorIndex(db, storeOptions));
  const events = once(() => new PgEventStore(db));
  const search = once(() => new PgSearchStore(db));
  const retention = once(() => new PgRetentionStore(db));
  const imageAnalyses = once(() => new PgImageAnalysisStore(db));
  const workers = once(() => new PgWorkerRegistry(db));
  const gateway = once(() => new PgGatewayStore(db));
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
      ...(broadcast ? { broadcast } : {}),
      ...(leadership ? { leadership } : {}),
      location: typeof database === 'string' ? maskUrl(database) : 'PostgreSQL (a client given by the caller)',
      async open() {
        await db.client();
      },
      async close() {
        if (jobsBuilt) await jobs().close();
        await db.close();
      },
    },
  );
}
