import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import {
  parseSafeInteger,
  PG_TYPE,
  withTransactionRetries,
  type QueryResult,
  type SqlClient,
  type TransactionOptions,
} from '../../src/adapters/storage/postgres/sql-client.ts';

/**
 * PostgreSQL in-process (PGlite, WebAssembly) with pgvector loaded, behind the same SqlClient as
 * the real server: for SQL that needs pgvector, which the local server does not have. One
 * connection, in memory; starts in about 2 s. Versions are pinned exactly in package.json: these
 * are the ones whose extension bundle ships inside the npm package (nothing fetched at run time).
 */

type Runner = Pick<Transaction, 'query'>;

const toResult = <R>(result: { rows: R[]; rowCount?: number; affectedRows?: number }): QueryResult<R> => ({
  rows: result.rows,
  rowCount: result.rowCount ?? result.affectedRows ?? 0,
});

/** The `tx` of a transaction: usable only until the transaction ends. */
class PgliteTransaction implements SqlClient {
  ended = false;

  constructor(private readonly tx: Runner) {}

  async query<R = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    if (this.ended) throw new Error('This connection was used after its transaction ended');
    return toResult(await this.tx.query<R>(text, [...params]));
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async session<T>(fn: (session: SqlClient) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    throw new Error('A transaction is closed by the call that opened it, not by close()');
  }
}

export class PgliteSqlClient implements SqlClient {
  constructor(readonly db: PGlite) {}

  async query<R = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return toResult(await this.db.query<R>(text, [...params]));
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return withTransactionRetries(
      () =>
        this.db.transaction(async (raw) => {
          const tx = new PgliteTransaction(raw);
          try {
            // PGlite issues BEGIN itself; the level can still be set before the first query.
            if (options.isolation !== undefined) await raw.query(`SET TRANSACTION ISOLATION LEVEL ${options.isolation.toUpperCase()}`);
            return await fn(tx);
          } finally {
            tx.ended = true;
          }
        }),
      options.retries ?? 0,
    );
  }

  /** PGlite is one connection: every session is this one. */
  async session<T>(fn: (session: SqlClient) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** A fresh in-memory PGlite with the `vector` extension available (still to be created with CREATE EXTENSION). */
export async function createPgliteClient(): Promise<PgliteSqlClient> {
  const db = await PGlite.create({
    extensions: { vector },
    // int8 as the pool client reads it: a checked JS number, never a BigInt.
    parsers: { [PG_TYPE.INT8]: parseSafeInteger },
  });
  return new PgliteSqlClient(db);
}
