import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY, migratePostgres, PG_MIGRATIONS, type PgMigration } from '../../../src/adapters/storage/postgres/pg-migrations.ts';
import { createPgPoolClient, type PgPoolClient } from '../../../src/adapters/storage/postgres/pg-pool-client.ts';
import { createPgliteClient } from '../../support/pglite.ts';
import { adminQuery, createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';
import { insertRun, upsertEvent } from './schema-fixtures.ts';

const skip = await skipWithoutPostgres('PostgreSQL migration tests');
const LATEST = PG_MIGRATIONS.length;
const ALL_VERSIONS = PG_MIGRATIONS.map((_, i) => i + 1);

/** Every table of schema v1, as SQLite has them after its 16 migrations (plus event_vectors). */
const TABLES = [
  'analysis_runs', 'camera_leases', 'detections', 'event_descriptions', 'event_labels', 'event_stats', 'event_vectors', 'events',
  'facet_counts', 'frames', 'gateway_keys', 'gateway_usage', 'image_analyses', 'indexed_camera_names', 'jobs',
  'run_id_high_water', 'schema_migrations', 'sources', 'tracks', 'vector_meta', 'workers',
];
const TRIGGERS = [
  'events_search_cleanup', 'events_stats_insert', 'events_stats_update', 'facet_counts_event_delete', 'facet_counts_event_insert',
  'facet_counts_event_move', 'facet_counts_label_delete', 'facet_counts_label_insert', 'jobs_event_cleanup', 'run_id_high_water_advance',
];

const failOnIdleError = (error: Error) => {
  throw error;
};

describe.skipIf(skip)('PostgreSQL migrations', () => {
  let database: TestDatabase;
  const clients: PgPoolClient[] = [];
  const connect = () => {
    const client = createPgPoolClient(database.url, { onIdleError: failOnIdleError, max: 3 });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await database.drop();
  });

  it('applies every migration to an empty database, each recorded once', async () => {
    const db = connect();
    const outcome = await migratePostgres(db);
    expect(outcome).toEqual({ from: 0, to: PG_MIGRATIONS.length, applied: PG_MIGRATIONS.map((_, i) => i + 1) });

    const tables = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
    expect(tables.rows.map((r) => r.table_name)).toEqual(TABLES);
    const triggers = await db.query<{ name: string }>(`SELECT DISTINCT trigger_name AS name FROM information_schema.triggers ORDER BY name`);
    expect(triggers.rows.map((r) => r.name)).toEqual(TRIGGERS);
    const recorded = await db.query<{ version: number; applied_at: number }>('SELECT version, applied_at FROM schema_migrations ORDER BY version');
    expect(recorded.rows.map((r) => r.version)).toEqual(ALL_VERSIONS);
    expect(recorded.rows[0]!.applied_at).toBeGreaterThan(Date.parse('2024-01-01'));
  });

  it('adds the word index by camera (btree_gin) where the extension can be created', async () => {
    const db = connect();
    await migratePostgres(db);
    const indexes = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'events_by_camera_words'`);
    expect(indexes.rows.map((r) => r.indexdef)).toEqual([expect.stringMatching(/USING gin \(camera_id, search\)/)]);
  });

  it('migrates without the word index by camera where the extension may not be created', async () => {
    // A role that may create tables in the schema but not extensions in the database.
    const role = `vigil_no_ext_${process.pid}`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    try {
      const owner = connect();
      await owner.query(`GRANT CREATE ON SCHEMA public TO ${role}`);
      const url = new URL(database.url);
      url.username = role;
      const limited = createPgPoolClient(url.toString(), { onIdleError: failOnIdleError, max: 2 });
      clients.push(limited);
      expect(await migratePostgres(limited)).toMatchObject({ from: 0, to: LATEST });
      expect((await limited.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'events_by_camera_words'`)).rowCount).toBe(0);
      expect((await limited.query(`SELECT 1 FROM pg_extension WHERE extname = 'btree_gin'`)).rowCount).toBe(0);
      await Promise.all(clients.splice(0).map((c) => c.close()));
    } finally {
      await database.drop();
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('does nothing when run again', async () => {
    const db = connect();
    await migratePostgres(db);
    await db.query(`INSERT INTO indexed_camera_names (camera_id, names_json) VALUES ('kept', '[]')`);
    expect(await migratePostgres(db)).toEqual({ from: LATEST, to: LATEST, applied: [] });
    expect((await db.query('SELECT * FROM indexed_camera_names')).rowCount).toBe(1);
    expect((await db.query('SELECT * FROM schema_migrations')).rowCount).toBe(LATEST);
  });

  it('lets one of two processes migrate while the other waits, then finds it done', async () => {
    const [a, b] = [connect(), connect()];
    const outcomes = await Promise.all([migratePostgres(a), migratePostgres(b)]);
    expect(outcomes.map((o) => o.applied).sort()).toEqual([[], ALL_VERSIONS]);
    expect((await a.query('SELECT * FROM schema_migrations')).rowCount).toBe(LATEST);
  });

  it('serialises migrations that would collide without the lock', async () => {
    // The first takes 300 ms; without the lock both processes would create `t` and one would fail.
    const slow: PgMigration[] = [{ name: 'slow', statements: ['SELECT pg_sleep(0.3)', 'CREATE TABLE t (x INTEGER)'] }];
    const [a, b] = [connect(), connect()];
    const outcomes = await Promise.all([migratePostgres(a, { migrations: slow }), migratePostgres(b, { migrations: slow })]);
    expect(outcomes.map((o) => o.applied).sort()).toEqual([[], [1]]);
    // And nothing holds the lock afterwards.
    const locks = await a.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [MIGRATION_LOCK_KEY % 2 ** 32]);
    expect(locks.rowCount).toBe(0);
  });

  it('rolls back a failing migration alone, leaving the versions before it', async () => {
    const db = connect();
    const migrations: PgMigration[] = [
      { name: 'one', statements: ['CREATE TABLE one (x INTEGER)'] },
      { name: 'two', statements: ['CREATE TABLE two (x INTEGER)', 'SELECT no_such_function()'] },
    ];
    await expect(migratePostgres(db, { migrations })).rejects.toThrow(/no_such_function/);
    const version = await db.query<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations');
    expect(version.rows[0]!.v).toBe(1);
    expect((await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'two'`)).rowCount).toBe(0);
    // The lock was released: a fixed Vigil can migrate at once.
    const fixed: PgMigration[] = [migrations[0]!, { name: 'two', statements: ['CREATE TABLE two (x INTEGER)'] }];
    expect((await migratePostgres(db, { migrations: fixed })).applied).toEqual([2]);
  });

  it('v2 fills the labels array of the events a v1 store already has, and keeps it equal to labels_json', async () => {
    const db = connect();
    await migratePostgres(db, { migrations: PG_MIGRATIONS.slice(0, 1) });
    const runId = await insertRun(db);
    const rowid = await upsertEvent(db, { id: 'e1', runId });
    await db.query(`UPDATE events SET labels_json = '["person","car"]' WHERE rowid = $1`, [rowid]);
    expect((await migratePostgres(db)).applied).toEqual(ALL_VERSIONS.slice(1));

    const labels = async () => (await db.query<{ labels: string[] }>('SELECT labels FROM events WHERE rowid = $1', [rowid])).rows[0]!.labels;
    expect(await labels()).toEqual(['person', 'car']);
    await db.query(`UPDATE events SET labels_json = '["dog"]' WHERE rowid = $1`, [rowid]);
    expect(await labels()).toEqual(['dog']);
    const indexes = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'events' AND indexname LIKE 'events_by_label%'`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['events_by_label_set']);
  });

  it('refuses a database newer than this Vigil', async () => {
    const db = connect();
    await migratePostgres(db);
    await db.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from the future', 0)`, [PG_MIGRATIONS.length + 1]);
    await expect(migratePostgres(db)).rejects.toMatchObject({
      code: 'storage_failed',
      message: `The database is at schema version ${PG_MIGRATIONS.length + 1}, newer than this Vigil (${PG_MIGRATIONS.length}); upgrade Vigil.`,
    });
  });
});

describe('PostgreSQL migrations on PGlite', () => {
  it('apply the same schema in-process, where pgvector tests will run', async () => {
    const db = await createPgliteClient();
    try {
      expect((await migratePostgres(db)).applied).toEqual(ALL_VERSIONS);
      expect((await migratePostgres(db)).applied).toEqual([]);
      const tables = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.rows[0]!.n).toBe(TABLES.length);
    } finally {
      await db.close();
    }
  });
});
