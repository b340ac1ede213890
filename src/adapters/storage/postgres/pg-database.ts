import { VigilError } from '../../../domain/errors.ts';
import type { Logger } from '../../../ports/logger.ts';
import { maskUrl } from './pg-errors.ts';
import { migratePostgres, type MigrationOutcome } from './pg-migrations.ts';
import { createPgPoolClient, type PgPoolClientOptions } from './pg-pool-client.ts';
import type { SqlClient } from './sql-client.ts';

export interface OpenPostgresOptions {
  logger: Logger;
  pool?: Omit<PgPoolClientOptions, 'onIdleError'>;
  /** Told what the migration did (from, to, applied), e.g. for a startup log line. */
  onMigrated?: (outcome: MigrationOutcome) => void;
}

/**
 * Refuses anything but postgres:// and postgresql:// URLs before node-postgres sees them: its
 * parser would put the whole string, password included, into the error it throws.
 */
function checkUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new VigilError('config_invalid', 'The PostgreSQL URL is not a URL: write it as postgres://user:password@host:5432/database (it is not shown here, in case it holds a password).');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new VigilError('config_invalid', `The PostgreSQL URL ${maskUrl(url)} must start with postgres:// or postgresql://.`);
  }
}

/**
 * Connects to PostgreSQL, checks that the connection works (so a wrong host, user, password or
 * database is told now, with the URL and what to check, never the password), brings the schema
 * up to date and returns the client. The caller closes it.
 */
export async function openPostgresDatabase(url: string, options: OpenPostgresOptions): Promise<SqlClient> {
  checkUrl(url);
  const log = options.logger.child({ module: 'postgres', database: maskUrl(url) });
  const client = createPgPoolClient(url, {
    ...options.pool,
    // The pool replaces the connection; worth a line, since many in a row mean the server is gone.
    onIdleError: (error) => log.warn({ err: error.message }, 'An idle PostgreSQL connection failed; the pool will open a new one'),
  });
  try {
    await client.query('SELECT 1');
    const outcome = await migratePostgres(client);
    options.onMigrated?.(outcome);
    if (outcome.applied.length) log.info({ from: outcome.from, to: outcome.to }, 'PostgreSQL schema migrated');
    return client;
  } catch (error) {
    await client.close();
    throw error;
  }
}
