import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireOrSkip } from './requirements.ts';

/**
 * Tests against a real PostgreSQL server (the local one: trust auth, user postgres). Each test
 * file makes its own database with `createTestDatabase` and drops it afterwards, so files run in
 * parallel and leave nothing behind. `VIGIL_TEST_POSTGRES_URL` points at another server (its
 * database part is only where CREATE DATABASE is run from).
 */
export const POSTGRES_SERVER_URL = process.env['VIGIL_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why the server cannot be used, or undefined when it can. */
export async function postgresMissing(): Promise<string | undefined> {
  try {
    await withAdmin((c) => c.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return `no PostgreSQL server answers at ${new URL(POSTGRES_SERVER_URL).host} (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * requireOrSkip for the PostgreSQL server: skipped with the reason printed, or in a strict run
 * (CI) a failure unless VIGIL_TEST_MAY_SKIP names `postgres`. Use with top-level await:
 * `describe.skipIf(await skipWithoutPostgres(...))`.
 */
export async function skipWithoutPostgres(what: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return requireOrSkip('postgres', what, await postgresMissing(), env);
}

export interface TestDatabase {
  /** A connection URL for the new, empty database. */
  url: string;
  name: string;
  /** Ends every connection to it (pools left open included) and drops it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  // Only [a-z0-9_]: safe to put into CREATE / DROP DATABASE, which take no parameters.
  const name = `vigil_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // WITH (FORCE) terminates the database's other connections first (PostgreSQL 13+).
    drop: () => withAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** Runs `sql` as the server's admin, outside any test database (e.g. to end a backend). */
export function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  return withAdmin((c) => c.query<R>(sql, params));
}
