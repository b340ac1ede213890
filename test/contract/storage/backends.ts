import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresStorage } from '../../../src/adapters/storage/postgres/pg-storage.ts';
import { createSqliteStorage } from '../../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../src/adapters/text/text-analyzer.ts';
import type { RunOwner } from '../../../src/ports/analysis-store.ts';
import type { EventIndexer, SearchDocument } from '../../../src/ports/search-index.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { createEventIndexer } from '../../../src/services/search/event-indexer.ts';
import type { CameraInfo } from '../../../src/services/search/search.service.ts';
import { createTestDatabase, skipWithoutPostgres } from '../../support/postgres.ts';

/**
 * The storage backends every contract test runs against, the way Kysely runs one test body per
 * dialect: SQLite (a file in a temporary folder) and PostgreSQL (a fresh database on the local
 * server). A contract file is `describe.each(await storageBackends())('… on %s', (backend) => …)`.
 */
export interface StorageBackend {
  name: 'sqlite' | 'postgres';
  /** A new, empty database and a storage on it; `dispose` closes every storage on it and removes it. */
  create(options?: StorageTestOptions): Promise<TestStorage>;
  toString(): string;
}

export interface StorageTestOptions {
  now?: () => number;
  /** Default: Vigil's real indexer (its text analysis) over these cameras. */
  cameras?: readonly CameraInfo[];
  indexer?: EventIndexer;
  /** Who this storage's process is when it claims runs, and which pids are alive (two "processes" on one database). */
  runOwner?: { owner: RunOwner; processExists?: (pid: number) => boolean };
}

export interface TestStorage {
  storage: Storage;
  /** Another storage on the same database, as another process would open it. */
  another(options?: StorageTestOptions): Storage;
  dispose(): Promise<void>;
}

const text = createTextAnalyzer();
const tokenize = (t: string) => text.indexTokens(t).join(' ');
const indexerOf = (options: StorageTestOptions): EventIndexer => options.indexer ?? createEventIndexer(text, options.cameras ?? []);

/** Keeps every storage opened on one database, to close them all before the database goes. */
function storages(open: (options: StorageTestOptions) => Storage, first: StorageTestOptions, remove: () => Promise<void>): TestStorage {
  const opened: Storage[] = [];
  const another = (options: StorageTestOptions = {}) => {
    const storage = open({ ...first, ...options });
    opened.push(storage);
    return storage;
  };
  return {
    storage: another(first),
    another,
    dispose: async () => {
      for (const storage of opened.splice(0)) await storage.close();
      await remove();
    },
  };
}

const sqlite: StorageBackend = {
  name: 'sqlite',
  async create(options = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-contract-'));
    const file = join(dir, 'vigil.db');
    return storages(
      (o) => createSqliteStorage({ file, indexer: indexerOf(o), tokenize, ...(o.now ? { now: o.now } : {}), ...(o.runOwner ? { runOwner: o.runOwner } : {}) }),
      options,
      async () => rmSync(dir, { recursive: true, force: true }),
    );
  },
  toString: () => 'sqlite',
};

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const postgres: StorageBackend = {
  name: 'postgres',
  async create(options = {}) {
    const database = await createTestDatabase();
    return storages(
      (o) =>
        createPostgresStorage({
          database: database.url,
          indexer: indexerOf(o),
          tokenize,
          logger: silent,
          ...(o.now ? { now: o.now } : {}),
          ...(o.runOwner ? { runOwner: o.runOwner } : {}),
        }),
      options,
      () => database.drop(),
    );
  },
  toString: () => 'postgres',
};

/** Both backends; PostgreSQL only where its server answers (strict runs fail without it). */
export async function storageBackends(): Promise<StorageBackend[]> {
  return (await skipWithoutPostgres('the storage contract tests on PostgreSQL')) ? [sqlite] : [sqlite, postgres];
}

/** A search document from plain words, for tests that index by hand. */
export function wordsDocument(words: Partial<SearchDocument>): SearchDocument {
  return { summary: '', keywords: '', names: '', description: '', ...words };
}
