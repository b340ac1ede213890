import pg from 'pg';
import { describeTarget, explainPgError, isConnectionError, type PgTarget } from './pg-errors.ts';
import {
  beginStatement,
  parseSafeInteger,
  PG_TYPE,
  withTransactionRetries,
  type QueryResult,
  type SqlClient,
  type TransactionOptions,
} from './sql-client.ts';

export interface PgPoolClientOptions {
  /**
   * Told of an error on a connection nobody is using (the server restarted, the network dropped,
   * an administrator ended the backend). The pool drops that connection and opens another when
   * needed; without a listener node-postgres would crash the process.
   */
  onIdleError: (error: Error) => void;
  /** Connections at most. Default 10. */
  max?: number;
  /** How long to wait for a connection, new or from the pool. Default 10 s. */
  connectionTimeoutMillis?: number;
  /** An unused connection is closed after this long. Default 30 s. */
  idleTimeoutMillis?: number;
  /** Shown in pg_stat_activity. Default "vigil". */
  applicationName?: string;
}

/**
 * int8 as a checked JS number (`parseSafeInteger`), set per pool rather than on pg's global type
 * registry, so nothing else in the process that uses `pg` is changed. int8[] likewise.
 */
/** pg's own parsers, by number: its typing names only the built-in type ids it lists. */
const defaultParser = pg.types.getTypeParser as (oid: number, format?: string) => (text: string) => unknown;
const parseInt8Array = (text: string) => (defaultParser(PG_TYPE.INT8_ARRAY, 'text')(text) as (string | null)[]).map((v) => (v === null ? null : parseSafeInteger(v)));

const vigilTypes = {
  getTypeParser: (oid: number, format?: string) => {
    if (format === undefined || format === 'text') {
      if (oid === PG_TYPE.INT8) return parseSafeInteger;
      if (oid === PG_TYPE.INT8_ARRAY) return parseInt8Array;
    }
    return defaultParser(oid, format);
  },
} as pg.CustomTypesConfig;

const toResult = <R>(result: pg.QueryResult): QueryResult<R> => ({ rows: result.rows as R[], rowCount: result.rowCount ?? 0 });

/**
 * One checked-out connection: the `tx` of a transaction, the `session` of a session. Usable only
 * while the call that checked it out is running: a query after that is a bug (it would run
 * outside the transaction it was written for), so it throws.
 */
class ConnectionClient implements SqlClient {
  private inTransaction = false;
  private ended = false;
  /** Set when the connection is in an unknown state (a failed ROLLBACK): destroy, never reuse. */
  broken = false;

  constructor(private readonly connection: pg.PoolClient) {}

  async query<R = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    if (this.ended) throw new Error('This connection was used after its transaction or session ended');
    return toResult<R>(await this.connection.query(text, [...params]));
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.inTransaction) return fn(this);
    return withTransactionRetries(() => this.runTransaction(fn, options), options.retries ?? 0);
  }

  private async runTransaction<T>(fn: (tx: SqlClient) => Promise<T>, options: TransactionOptions): Promise<T> {
    await this.query(beginStatement(options.isolation));
    this.inTransaction = true;
    try {
      const result = await fn(this);
      await this.query('COMMIT');
      return result;
    } catch (error) {
      await this.rollbackAfter(error);
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  /** Rolls back after `error`; if that fails too the connection is marked broken and `error` still wins. */
  private async rollbackAfter(error: unknown): Promise<void> {
    if (isConnectionError(error)) {
      this.broken = true;
      return;
    }
    try {
      await this.query('ROLLBACK');
    } catch {
      // The original error is what the caller must see; the connection is destroyed on release.
      this.broken = true;
    }
  }

  async session<T>(fn: (session: SqlClient) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    throw new Error('A transaction or session connection is closed by the call that opened it, not by close()');
  }

  end(): void {
    this.ended = true;
  }
}

/** A SqlClient over a node-postgres pool. Build it with `createPgPoolClient`. */
export class PgPoolClient implements SqlClient {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: PgTarget,
  ) {}

  async query<R = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    try {
      return toResult<R>(await this.pool.query(text, [...params]));
    } catch (error) {
      throw explainPgError(error, this.target);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    // Each try on a connection of its own: one that failed mid-transaction may be the problem.
    return withTransactionRetries(
      () => this.withConnection((c) => c.transaction(fn, { ...options, retries: 0 }), false),
      options.retries ?? 0,
    );
  }

  async session<T>(fn: (session: SqlClient) => Promise<T>): Promise<T> {
    return this.withConnection(fn, true);
  }

  /**
   * `fn` on a checked-out connection. `resetOnFailure`: a session that failed part-way may still
   * hold locks or settings, so its connection is destroyed; a transaction that failed was rolled
   * back, and its connection is reused unless the rollback failed or the connection was lost.
   */
  private async withConnection<T>(fn: (connection: ConnectionClient) => Promise<T>, resetOnFailure: boolean): Promise<T> {
    let connection: pg.PoolClient;
    try {
      connection = await this.pool.connect();
    } catch (error) {
      throw explainPgError(error, this.target);
    }
    // A checked-out connection has no error listener in pg-pool: losing the server between two
    // queries of a transaction would emit an unhandled 'error' and end the process.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost ??= error;
    };
    connection.on('error', onError);
    const client = new ConnectionClient(connection);
    let failed = false;
    try {
      return await fn(client);
    } catch (error) {
      failed = true;
      throw explainPgError(error, this.target);
    } finally {
      client.end();
      connection.removeListener('error', onError);
      connection.release(lost ?? (client.broken || (failed && resetOnFailure) ? true : undefined));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

export function createPgPoolClient(url: string, options: PgPoolClientOptions): PgPoolClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    application_name: options.applicationName ?? 'vigil',
    // Vigil's queries are short: JIT compilation cost up to a third of a second each (measured on
    // coverage and label searches at 1M events) and never paid off. So did parallel workers:
    // starting them took 20-25 ms per statement on the 2-core development machine, for scans that
    // take 2-10 ms alone ("person loitering" at 1M events: the newest 500 in 41 ms with two
    // workers, 2 ms without; its capped count 62 ms -> 9 ms), and the planner chose them for
    // filters it could not estimate.
    // A process paused or cut off inside a transaction (holding a camera's lease row FOR SHARE)
    // must not block a takeover for long: the server ends such a session after 5 s, and TCP
    // keepalive finds a peer that is gone.
    options: '-c jit=off -c max_parallel_workers_per_gather=0 -c idle_in_transaction_session_timeout=5000',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: vigilTypes,
  });
  pool.on('error', (error: Error & { client?: unknown }) => {
    // pg-pool hangs the dead client on the error: of no use to a logger, which would serialise it whole.
    delete error.client;
    options.onIdleError(error);
  });
  return new PgPoolClient(pool, describeTarget(url));
}
