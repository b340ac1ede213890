import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/domain/errors.ts';
import { createPgPoolClient, type PgPoolClient } from '../../../src/adapters/storage/postgres/pg-pool-client.ts';
import type { SqlClient } from '../../../src/adapters/storage/postgres/sql-client.ts';
import { adminQuery, createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';

const skip = await skipWithoutPostgres('PostgreSQL pool client tests');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const backendPid = async (db: SqlClient) => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
const terminate = (pid: number) => adminQuery('SELECT pg_terminate_backend($1)', [pid]);

describe.skipIf(skip)('PgPoolClient', () => {
  let database: TestDatabase;
  let db: PgPoolClient;
  const idleErrors: Error[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPgPoolClient(database.url, { onIdleError: (error) => idleErrors.push(error), max: 4 });
    await db.query('CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE items');
    idleErrors.length = 0;
  });

  const ids = async () => (await db.query<{ id: number }>('SELECT id FROM items ORDER BY id')).rows.map((r) => r.id);

  it('reads BIGINT as numbers up to MAX_SAFE_INTEGER and refuses anything beyond', async () => {
    const { rows } = await db.query<{ big: number; n: number; list: number[] }>(
      `SELECT $1::int8 AS big, COUNT(*) AS n, ARRAY[1, -2, NULL]::int8[] AS list FROM items`,
      [Number.MAX_SAFE_INTEGER],
    );
    expect(rows[0]).toEqual({ big: Number.MAX_SAFE_INTEGER, n: 0, list: [1, -2, null] });
    await expect(db.query(`SELECT 9007199254740992::int8 AS big`)).rejects.toThrow(/9007199254740992, beyond what Vigil reads exactly/);
    // The failed parse did not poison the connection.
    expect((await db.query<{ one: number }>('SELECT 1::int8 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('commits a transaction and returns its result', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id, n) VALUES (1, 0), (2, 0)');
      return (await tx.query('UPDATE items SET n = 1')).rowCount;
    });
    expect(result).toBe(2);
    expect(await ids()).toEqual([1, 2]);
  });

  it('rolls back when the function throws, rethrowing its error as it was', async () => {
    const thrown = new Error('changed my mind');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (id, n) VALUES (1, 0)');
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(await ids()).toEqual([]);
  });

  it('runs a nested transaction inside the outer one: the outer rollback undoes both', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction(async (inner) => {
          expect(inner).toBe(tx);
          await inner.query('INSERT INTO items (id, n) VALUES (1, 0)');
        });
        await tx.query('INSERT INTO items (id, n) VALUES (1, 0)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([]);
  });

  it('refuses a transaction connection used after its transaction ended', async () => {
    let leaked: SqlClient | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query('SELECT 1')).rejects.toThrow(/after its transaction or session ended/);
  });

  it('runs a transaction again after a serialization failure, when asked to', async () => {
    await db.query('INSERT INTO items (id, n) VALUES (1, 0)');
    let attempts = 0;
    await db.transaction(
      async (tx) => {
        attempts++;
        await tx.query('SELECT n FROM items WHERE id = 1');
        // Another connection changes the row after this transaction's snapshot, the first time only.
        if (attempts === 1) await db.query('UPDATE items SET n = n + 100 WHERE id = 1');
        await tx.query('UPDATE items SET n = n + 1 WHERE id = 1');
      },
      { isolation: 'repeatable read', retries: 3 },
    );
    expect(attempts).toBe(2);
    expect((await db.query<{ n: number }>('SELECT n FROM items')).rows).toEqual([{ n: 101 }]);
  });

  it('rethrows a serialization failure when no retry was asked for', async () => {
    await db.query('INSERT INTO items (id, n) VALUES (1, 0)');
    await expect(
      db.transaction(
        async (tx) => {
          await tx.query('SELECT n FROM items WHERE id = 1');
          await db.query('UPDATE items SET n = n + 100 WHERE id = 1');
          await tx.query('UPDATE items SET n = n + 1 WHERE id = 1');
        },
        { isolation: 'repeatable read' },
      ),
    ).rejects.toMatchObject({ code: '40001' });
    expect((await db.query<{ n: number }>('SELECT n FROM items')).rows).toEqual([{ n: 100 }]);
  });

  it('runs the loser of a deadlock again, so both transactions commit', async () => {
    await db.query('INSERT INTO items (id, n) VALUES (1, 0), (2, 0)');
    let attempts = 0;
    let bothHoldOne = 0;
    // Each locks one row, waits until the other holds the other row, then asks for it.
    const crossing = (first: number, second: number) =>
      db.transaction(
        async (tx) => {
          attempts++;
          await tx.query(`SET LOCAL deadlock_timeout = '50ms'`);
          await tx.query('UPDATE items SET n = n + 1 WHERE id = $1', [first]);
          if (attempts <= 2) {
            bothHoldOne++;
            await until(() => bothHoldOne >= 2, 'both transactions to hold a row');
          }
          await tx.query('UPDATE items SET n = n + 1 WHERE id = $1', [second]);
        },
        { retries: 3 },
      );
    await Promise.all([crossing(1, 2), crossing(2, 1)]);
    expect(attempts).toBe(3);
    expect((await db.query<{ n: number }>('SELECT n FROM items ORDER BY id')).rows).toEqual([{ n: 2 }, { n: 2 }]);
  });

  it('survives an idle connection losing its server: the error is reported, the next query reconnects', async () => {
    const pid = await backendPid(db);
    await terminate(pid);
    await until(() => idleErrors.length > 0, 'the pool to report the dead idle connection');
    expect(idleErrors[0]!.message).toMatch(/terminating connection due to administrator command/);
    const rows = await Promise.all([1, 2, 3].map(() => backendPid(db)));
    expect(rows).not.toContain(pid);
  });

  it('turns a connection lost inside a transaction into a retryable VigilError, without crashing', async () => {
    const outcome = db.transaction(async (tx) => {
      await terminate(await backendPid(tx));
      // The 'error' event arrives between queries, when nobody is waiting for an answer.
      await sleep(200);
      await tx.query('SELECT 1');
    });
    await expect(outcome).rejects.toBeInstanceOf(VigilError);
    await expect(outcome).rejects.toMatchObject({ code: 'storage_failed', retryable: true });
    await expect(outcome).rejects.toThrow(/The connection to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5432\/vigil_test_\w+ was lost/);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('gives a session one connection, and never hands on a connection whose session failed', async () => {
    const single = createPgPoolClient(database.url, { onIdleError: (error) => idleErrors.push(error), max: 1 });
    try {
      const pids = await single.session(async (s) => [await backendPid(s), await backendPid(s), await s.transaction((tx) => backendPid(tx))]);
      expect(new Set(pids).size).toBe(1);
      await expect(
        single.session(async (s) => {
          await s.query(`SET search_path = nowhere`);
          throw new Error('failed part-way');
        }),
      ).rejects.toThrow('failed part-way');
      const path = await single.query<{ search_path: string }>('SHOW search_path');
      expect(path.rows[0]!.search_path).toBe('"$user", public');
    } finally {
      await single.close();
    }
  });
});
