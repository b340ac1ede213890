import { VigilError } from '../../../domain/errors.ts';
import { SCHEMA_V1 } from './pg-schema-v1.ts';
import { SCHEMA_V2 } from './pg-schema-v2.ts';
import { SCHEMA_V3 } from './pg-schema-v3.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * One schema version: its statements, run in order in one transaction. A list rather than one
 * script because PGlite's `query` takes a single statement (and node-postgres takes several only
 * without parameters); functions with `$$` bodies stay one statement each.
 */
export interface PgMigration {
  /** What it adds, recorded with it in `schema_migrations`. */
  name: string;
  statements: readonly string[];
}

/**
 * PostgreSQL schema versions, applied in order and recorded in `schema_migrations`. Never edit a
 * published migration: add a new one. Version n is PG_MIGRATIONS[n - 1]. Version numbers are
 * PostgreSQL's own: version 1 is the schema SQLite reaches after its 15 migrations.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3];

/**
 * Session advisory lock key for migrating: one number for Vigil's schema, the same in every
 * process ("vigil" in ASCII). Other applications sharing the database would have to pick it too.
 */
export const MIGRATION_LOCK_KEY = 0x76_69_67_69_6c;

export interface MigrationOutcome {
  /** The version found before migrating (0 for an empty database). */
  from: number;
  to: number;
  /** Versions this call applied; empty when another process had already applied them. */
  applied: number[];
}

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY CHECK (version > 0),
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

async function currentVersion(db: SqlClient): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}

/**
 * Brings the database to the newest schema this Vigil knows. Exactly one process migrates at a
 * time: each takes a session advisory lock first, so the others wait and then find the versions
 * applied. Each version is applied in its own transaction, so a failure leaves the database at
 * the last version that completed. A database newer than this Vigil is refused.
 */
export async function migratePostgres(
  db: SqlClient,
  options: { migrations?: readonly PgMigration[]; now?: () => number } = {},
): Promise<MigrationOutcome> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  const now = options.now ?? Date.now;
  return db.session(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    let outcome: MigrationOutcome;
    try {
      outcome = await migrateLocked(session, migrations, now);
    } catch (error) {
      try {
        await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      } catch {
        // The migration's own error is the one to report. The lock cannot outlive this: a pool
        // destroys a connection whose session failed, and the server then drops its locks.
      }
      throw error;
    }
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    return outcome;
  });
}

async function migrateLocked(session: SqlClient, migrations: readonly PgMigration[], now: () => number): Promise<MigrationOutcome> {
  // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
  await session.query(CREATE_MIGRATIONS_TABLE);
  const from = await currentVersion(session);
  if (from > migrations.length) {
    throw new VigilError('storage_failed', `The database is at schema version ${from}, newer than this Vigil (${migrations.length}); upgrade Vigil.`);
  }
  const applied: number[] = [];
  for (let version = from + 1; version <= migrations.length; version++) {
    const migration = migrations[version - 1]!;
    await session.transaction(async (tx) => {
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [version, migration.name, now()]);
    });
    applied.push(version);
  }
  return { from, to: migrations.length, applied };
}
