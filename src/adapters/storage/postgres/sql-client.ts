/**
 * The one way PostgreSQL adapters reach a database: hand-written SQL with `$1` parameters, and
 * transactions. Two implementations: `PgPoolClient` (node-postgres pool, the real server) and the
 * PGlite one in test/support/pglite.ts (in-process PostgreSQL with pgvector, for tests).
 */
export interface QueryResult<R> {
  rows: R[];
  /** Rows returned by a SELECT, or changed by an INSERT, UPDATE or DELETE. */
  rowCount: number;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /**
   * How many times to run `fn` again when PostgreSQL aborts the transaction with a serialization
   * failure (40001) or a deadlock (40P01). Default 0. Only for an `fn` whose effects are all in
   * the database: a retry starts from a rolled-back transaction, but anything `fn` did outside
   * it (files, counters, messages) has happened once per try.
   */
  retries?: number;
  /** Default: the server's (read committed unless configured otherwise). */
  isolation?: IsolationLevel;
}

export interface SqlClient {
  /** One statement; rows come back with int8 as JS numbers (see `parseSafeInteger`). */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs `fn` in BEGIN ... COMMIT on one connection, ROLLBACK when it throws (the error is
   * rethrown as it was). Called on the `tx` it was given, it runs `fn` inside the same
   * transaction (no savepoint): the outermost call commits, rolls back and retries.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `fn` on one connection held for its duration, for session-level state a pool would
   * otherwise scatter over connections (advisory locks, SET). `fn` must undo that state before it
   * returns; a session that throws gets a fresh connection next time.
   */
  session<T>(fn: (session: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLSTATEs after which the whole transaction can simply be run again. */
const RETRYABLE_TRANSACTION_STATES = new Set(['40001', '40P01']);

/** The SQLSTATE of a PostgreSQL error (node-postgres and PGlite both put it in `code`). */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryableTransactionError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_TRANSACTION_STATES.has(state);
}

export function beginStatement(isolation: IsolationLevel | undefined): string {
  // The level comes from a closed union, never from input: safe to put into the statement.
  return isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` up to 1 + `retries` times while it fails with a serialization failure or a
 * deadlock. The pause grows and is jittered, so two transactions that collided do not collide
 * again in lockstep.
 */
export async function withTransactionRetries<T>(attempt: () => Promise<T>, retries: number): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= retries || !isRetryableTransactionError(error)) throw error;
      await sleep(Math.random() * 10 * 2 ** Math.min(tried, 5));
    }
  }
}

/**
 * int8 (BIGINT) as a JS number. Vigil's BIGINTs are millisecond timestamps, ids and counts, all
 * far below 2^53; a value beyond Number.MAX_SAFE_INTEGER would come back silently rounded, so
 * it throws instead (a string or BigInt would make every caller handle a second type).
 */
export function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`PostgreSQL returned the integer ${text}, beyond what Vigil reads exactly (Number.MAX_SAFE_INTEGER, ${Number.MAX_SAFE_INTEGER})`);
  }
  return value;
}

/** The type OIDs Vigil parses itself, the same on every PostgreSQL. */
export const PG_TYPE = { INT8: 20, INT8_ARRAY: 1016 } as const;
