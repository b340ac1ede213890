import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../src/adapters/storage/postgres/pg-database.ts';
import { PG_MIGRATIONS, type MigrationOutcome } from '../../../src/adapters/storage/postgres/pg-migrations.ts';
import type { SqlClient } from '../../../src/adapters/storage/postgres/sql-client.ts';
import type { Logger } from '../../../src/ports/logger.ts';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';

const LATEST = PG_MIGRATIONS.length;

const skip = await skipWithoutPostgres('openPostgresDatabase tests');

/** A logger that keeps every line, to check what was said and that no password was. */
function recordingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const record = (level: string) => (obj: object, msg?: string) => void lines.push(JSON.stringify({ level, ...bindings, ...obj, msg }));
  return {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

const SECRET = 'hunter2-secret';

describe.skipIf(skip)('openPostgresDatabase', () => {
  let database: TestDatabase;
  let opened: SqlClient | undefined;
  const lines: string[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    lines.length = 0;
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    await database.drop();
  });

  /** The test database's URL with a password in it (trust auth ignores it), to check it never shows. */
  const withPassword = (url: string, change: (u: URL) => void = () => undefined) => {
    const u = new URL(url);
    u.password = SECRET;
    change(u);
    return u.toString();
  };

  it('connects, migrates and returns a working client; the log names the database without its password', async () => {
    const outcomes: MigrationOutcome[] = [];
    opened = await openPostgresDatabase(withPassword(database.url), { logger: recordingLogger(lines), onMigrated: (o) => outcomes.push(o) });
    expect(outcomes).toEqual([{ from: 0, to: LATEST, applied: PG_MIGRATIONS.map((_, i) => i + 1) }]);
    expect((await opened.query<{ id: number }>('SELECT id FROM run_id_high_water')).rows).toEqual([{ id: 0 }]);
    expect(lines.join('\n')).toContain(`"database":"postgres://postgres:***@127.0.0.1:5432/${database.name}"`);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('opens an up-to-date database without migrating again', async () => {
    const first = await openPostgresDatabase(database.url, { logger: recordingLogger(lines) });
    await first.close();
    const outcomes: MigrationOutcome[] = [];
    opened = await openPostgresDatabase(database.url, { logger: recordingLogger(lines), onMigrated: (o) => outcomes.push(o) });
    expect(outcomes).toEqual([{ from: LATEST, to: LATEST, applied: [] }]);
  });

  it('says plainly that nothing listens at the address, without the password', async () => {
    const url = withPassword(database.url, (u) => (u.port = '1'));
    const error = await openPostgresDatabase(url, { logger: recordingLogger(lines) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'VigilError', code: 'storage_failed', retryable: true });
    expect(String(error)).toContain(`PostgreSQL refused the connection at postgres://postgres:***@127.0.0.1:1/${database.name}: is the server running`);
    expect(String(error)).not.toContain(SECRET);
  });

  it('names a database that does not exist and how to create it', async () => {
    const url = withPassword(database.url, (u) => (u.pathname = '/vigil_no_such_database'));
    await expect(openPostgresDatabase(url, { logger: recordingLogger(lines) })).rejects.toMatchObject({
      code: 'storage_failed',
      retryable: false,
      message: 'There is no PostgreSQL database "vigil_no_such_database" at postgres://postgres:***@127.0.0.1:5432/vigil_no_such_database: create it (createdb vigil_no_such_database) or fix the database name in the URL.',
    });
  });

  it('refuses what is not a PostgreSQL URL without repeating it', async () => {
    await expect(openPostgresDatabase(`host=db password=${SECRET}`, { logger: recordingLogger(lines) })).rejects.toSatisfy(
      (e: Error) => e.message.startsWith('The PostgreSQL URL is not a URL') && !e.message.includes(SECRET),
    );
    await expect(openPostgresDatabase(`mysql://u:${SECRET}@db/x`, { logger: recordingLogger(lines) })).rejects.toMatchObject({
      code: 'config_invalid',
      message: 'The PostgreSQL URL mysql://u:***@db/x must start with postgres:// or postgresql://.',
    });
  });
});
