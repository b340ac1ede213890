import { VigilError } from '../../../domain/errors.ts';
import { sqlState } from './sql-client.ts';

/**
 * What a failure to reach PostgreSQL means to the person running Vigil, and the URL it was
 * reached at without its password. Errors of the SQL itself (a unique violation, a syntax error)
 * are none of this: they are returned as they were, for the adapters to read their `code`.
 */

/** Where a database is, for messages and logs: the URL with any password replaced by `***`. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo a string we cannot take apart: it may hold a password anywhere.
    return '(an unreadable PostgreSQL URL)';
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

export interface PgTarget {
  /** The masked URL (`maskUrl`). */
  where: string;
  user: string;
  database: string;
  host: string;
}

export function describeTarget(url: string): PgTarget {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || 'postgres';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return { where: maskUrl(url), user, database, host: parsed.hostname || 'localhost' };
}

/** Node's socket errors (in `code` too), PostgreSQL's connection SQLSTATE classes (08, 57P0x) and pg's own words. */
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03']);
/** pg's words when a connection could not be made in `connectionTimeoutMillis`. */
const CONNECT_TIMEOUT = /timeout exceeded when trying to connect|connection timeout|timeout expired/i;
const LOST_MESSAGES = [/Connection terminated/i, /terminating connection/i, /Client has encountered a connection error/i, /Client was closed/i];

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether an error says the connection (not the statement) failed: worth a fresh connection. */
export function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined && (LOST_CODES.has(code) || code.startsWith('08') || code === 'ECONNREFUSED' || code === 'ETIMEDOUT')) return true;
  return LOST_MESSAGES.some((m) => m.test(message(error)));
}

/**
 * A VigilError for failures to connect or stay connected, naming the masked URL and what to check;
 * any other error unchanged. Retryable when waiting can help (server starting, restarting, busy).
 */
export function explainPgError(error: unknown, target: PgTarget): unknown {
  if (error instanceof VigilError) return error;
  const code = sqlState(error);
  const text = message(error);
  const fail = (msg: string, retryable: boolean) => new VigilError('storage_failed', msg, { cause: error, retryable });
  const { where } = target;
  if (code === 'ECONNREFUSED') {
    return fail(`PostgreSQL refused the connection at ${where}: is the server running and listening on that host and port?`, true);
  }
  if (code === 'ENOTFOUND') return fail(`PostgreSQL's host "${target.host}" was not found (${where}): check the host name in the URL.`, false);
  if (code === 'EAI_AGAIN') return fail(`PostgreSQL's host "${target.host}" could not be looked up just now (${where}): check the network and DNS.`, true);
  if (code === 'ETIMEDOUT' || (code === undefined && CONNECT_TIMEOUT.test(text))) {
    return fail(`PostgreSQL at ${where} did not answer in time: check that the host is reachable and the server not overloaded.`, true);
  }
  if (code === '28P01' || code === '28000' || (code === undefined && /^SASL: /.test(text))) {
    return fail(
      `PostgreSQL refused to let user "${target.user}" in at ${where}: check the user name and password ` +
        `(and that pg_hba.conf allows this host). The password is never shown.`,
      false,
    );
  }
  if (code === '3D000') {
    return fail(`There is no PostgreSQL database "${target.database}" at ${where}: create it (createdb ${target.database}) or fix the database name in the URL.`, false);
  }
  if (code === '53300') return fail(`PostgreSQL at ${where} has no connection slots left (too many clients): lower the pool size or raise max_connections.`, true);
  if (code === '57P03') return fail(`PostgreSQL at ${where} is starting up or shutting down and does not take connections yet.`, true);
  if (isConnectionError(error)) return fail(`The connection to PostgreSQL at ${where} was lost (${text}); whatever PostgreSQL had not committed was rolled back.`, true);
  return error;
}
