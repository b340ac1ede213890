import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '../../../src/adapters/storage/postgres/pg-migrations.ts';
import { createPgPoolClient, type PgPoolClient } from '../../../src/adapters/storage/postgres/pg-pool-client.ts';
import { SEARCH_RANK_WEIGHTS } from '../../../src/adapters/storage/postgres/pg-schema-v1-events.ts';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';
import { addLabels, facetCounts, insertJob, insertRun, upsertEvent } from './schema-fixtures.ts';

const skip = await skipWithoutPostgres('PostgreSQL schema trigger tests');

/**
 * Each SQLite trigger's effect, on its PostgreSQL translation: rows in, rows out, and what the
 * trigger kept. One database for the file; every test starts from empty tables.
 */
describe.skipIf(skip)('PostgreSQL schema v1 triggers', () => {
  let database: TestDatabase;
  let db: PgPoolClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPgPoolClient(database.url, {
      onIdleError: (error) => {
        throw error;
      },
    });
    await migratePostgres(db);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE sources, analysis_runs, events, event_labels, facet_counts, jobs, event_vectors, vector_meta RESTART IDENTITY CASCADE');
    await db.query('UPDATE event_stats SET max_duration_ms = 0');
    await db.query('UPDATE run_id_high_water SET id = 0');
  });

  it('events_search_cleanup: deleting an event deletes its labels, and only its', async () => {
    const run = await insertRun(db);
    const gone = await upsertEvent(db, { id: 'e1', runId: run });
    const kept = await upsertEvent(db, { id: 'e2', runId: run });
    await addLabels(db, gone, ['person', 'car']);
    await addLabels(db, kept, ['person']);
    await db.query(`DELETE FROM events WHERE id = 'e1'`);
    const labels = await db.query<{ event_rowid: number; label: string }>('SELECT event_rowid, label FROM event_labels');
    expect(labels.rows).toEqual([{ event_rowid: kept, label: 'person' }]);
  });

  it('events_vector_cleanup (a cascading foreign key): deleting an event deletes its vector; a vector needs its event', async () => {
    const run = await insertRun(db);
    const gone = await upsertEvent(db, { id: 'e1', runId: run });
    const kept = await upsertEvent(db, { id: 'e2', runId: run });
    for (const rowid of [gone, kept]) await db.query('INSERT INTO event_vectors (event_rowid, embedding) VALUES ($1, $2)', [rowid, [0.5, 0.25]]);
    await db.query(`DELETE FROM events WHERE id = 'e1'`);
    const vectors = await db.query<{ event_rowid: number; embedding: number[] }>('SELECT event_rowid, embedding FROM event_vectors');
    expect(vectors.rows).toEqual([{ event_rowid: kept, embedding: [0.5, 0.25] }]);
    await expect(db.query('INSERT INTO event_vectors (event_rowid, embedding) VALUES ($1, $2)', [gone, [1]])).rejects.toMatchObject({ code: '23503' });
  });

  it('facet_counts_event_insert: each new event counts for its camera and type; an upsert of it does not', async () => {
    const run = await insertRun(db);
    await upsertEvent(db, { id: 'e1', runId: run, cameraId: 'door', type: 'object_appeared' });
    await upsertEvent(db, { id: 'e2', runId: run, cameraId: 'door', type: 'loitering' });
    await upsertEvent(db, { id: 'e3', runId: run, cameraId: 'yard', type: 'loitering' });
    await upsertEvent(db, { id: 'e1', runId: run, endMs: 9_000 });
    expect(await facetCounts(db)).toEqual({ 'camera:door': 2, 'camera:yard': 1, 'type:loitering': 2, 'type:object_appeared': 1 });
  });

  it('facet_counts_event_delete: a deleted event is uncounted; a count at 0 keeps its row', async () => {
    const run = await insertRun(db);
    await upsertEvent(db, { id: 'e1', runId: run, cameraId: 'door', type: 'loitering' });
    await upsertEvent(db, { id: 'e2', runId: run, cameraId: 'yard', type: 'loitering' });
    await db.query(`DELETE FROM events WHERE id = 'e1'`);
    expect(await facetCounts(db)).toEqual({ 'camera:door': 0, 'camera:yard': 1, 'type:loitering': 1 });
  });

  it('facet_counts_event_move: an event moved to another camera or type is counted there instead', async () => {
    const run = await insertRun(db);
    await upsertEvent(db, { id: 'e1', runId: run, cameraId: 'door', type: 'loitering' });
    await db.query(`UPDATE events SET camera_id = 'gate' WHERE id = 'e1'`);
    expect(await facetCounts(db)).toEqual({ 'camera:door': 0, 'camera:gate': 1, 'type:loitering': 1 });
    await db.query(`UPDATE events SET type = 'object_appeared', camera_id = camera_id WHERE id = 'e1'`);
    expect(await facetCounts(db)).toEqual({ 'camera:door': 0, 'camera:gate': 1, 'type:loitering': 0, 'type:object_appeared': 1 });
  });

  it('facet_counts_label_insert: each label row counts once for its label', async () => {
    const run = await insertRun(db);
    const a = await upsertEvent(db, { id: 'e1', runId: run });
    const b = await upsertEvent(db, { id: 'e2', runId: run });
    await addLabels(db, a, ['person', 'car']);
    await addLabels(db, b, ['person', 'person']);
    const counts = await facetCounts(db);
    expect([counts['label:person'], counts['label:car']]).toEqual([2, 1]);
  });

  it('facet_counts_label_delete: a deleted label row is uncounted, also when its event goes', async () => {
    const run = await insertRun(db);
    const a = await upsertEvent(db, { id: 'e1', runId: run });
    const b = await upsertEvent(db, { id: 'e2', runId: run });
    await addLabels(db, a, ['person', 'car']);
    await addLabels(db, b, ['person']);
    await db.query(`DELETE FROM event_labels WHERE event_rowid = $1 AND label = 'car'`, [a]);
    await db.query(`DELETE FROM events WHERE id = 'e2'`);
    const counts = await facetCounts(db);
    expect([counts['label:person'], counts['label:car']]).toEqual([1, 0]);
  });

  it('events_stats_insert: the longest event inserted is kept, never shrinking', async () => {
    const run = await insertRun(db);
    const max = async () => (await db.query<{ m: number }>('SELECT max_duration_ms AS m FROM event_stats WHERE id = 1')).rows[0]!.m;
    await upsertEvent(db, { id: 'e1', runId: run, startMs: 1_000, endMs: 61_000 });
    expect(await max()).toBe(60_000);
    await upsertEvent(db, { id: 'e2', runId: run, startMs: 1_000, endMs: 2_000 });
    await db.query(`DELETE FROM events WHERE id = 'e1'`);
    expect(await max()).toBe(60_000);
  });

  it('events_stats_update: an event that grows (an upsert of its end, or a moved start) raises the maximum', async () => {
    const run = await insertRun(db);
    const max = async () => (await db.query<{ m: number }>('SELECT max_duration_ms AS m FROM event_stats WHERE id = 1')).rows[0]!.m;
    await upsertEvent(db, { id: 'e1', runId: run, startMs: 1_000, endMs: 2_000 });
    await upsertEvent(db, { id: 'e1', runId: run, startMs: 1_000, endMs: 31_000 });
    expect(await max()).toBe(30_000);
    await db.query(`UPDATE events SET start_ms = 0 WHERE id = 'e1'`);
    expect(await max()).toBe(31_000);
  });

  it('jobs_event_cleanup: deleting an event deletes the jobs naming it, not the others', async () => {
    const run = await insertRun(db);
    await upsertEvent(db, { id: 'e1', runId: run });
    await upsertEvent(db, { id: 'e2', runId: run });
    await insertJob(db, 'describe_event', 'e1', 'e1');
    await insertJob(db, 'frigate_ingest', 'f1', 'e1');
    await insertJob(db, 'describe_event', 'e2', 'e2');
    await insertJob(db, 'frigate_ingest', 'f2', null);
    await db.query(`DELETE FROM events WHERE id = 'e1'`);
    const jobs = await db.query<{ key: string }>('SELECT key FROM jobs ORDER BY key');
    expect(jobs.rows.map((r) => r.key)).toEqual(['e2', 'f2']);
  });

  it('run_id_high_water_advance: the high water follows new runs and a deleted newest run id is never given again', async () => {
    const highWater = async () => (await db.query<{ id: number }>('SELECT id FROM run_id_high_water')).rows[0]!.id;
    await insertRun(db, 'door', 'a');
    const newest = await insertRun(db, 'door', 'b');
    expect(await highWater()).toBe(newest);
    await db.query('DELETE FROM analysis_runs WHERE id = $1', [newest]);
    const next = await insertRun(db, 'door', 'b');
    expect(next).toBeGreaterThan(newest);
    expect(await highWater()).toBe(next);
  });

  it('deleting a run fires every event trigger through the cascade', async () => {
    const run = await insertRun(db, 'door');
    const rowid = await upsertEvent(db, { id: 'e1', runId: run, cameraId: 'door', type: 'loitering' });
    await addLabels(db, rowid, ['person']);
    await insertJob(db, 'describe_event', 'e1', 'e1');
    await db.query('DELETE FROM analysis_runs WHERE id = $1', [run]);
    expect(await facetCounts(db)).toEqual({ 'camera:door': 0, 'label:person': 0, 'type:loitering': 0 });
    expect((await db.query('SELECT 1 FROM event_labels UNION ALL SELECT 1 FROM jobs')).rowCount).toBe(0);
  });

  it('the search document matches Vigil tokens (CJK included) and ranks summary above description', async () => {
    const run = await insertRun(db);
    await upsertEvent(db, { id: 'in-summary', runId: run });
    await upsertEvent(db, { id: 'in-description', runId: run });
    await upsertEvent(db, { id: 'unindexed', runId: run });
    const index = (id: string, summary: string, description: string) =>
      db.query(`UPDATE events SET search = vigil_search_document($2, 'kw', 'front door 前门', $3) WHERE id = $1`, [id, summary, description]);
    await index('in-summary', 'person walk 行人', 'car');
    await index('in-description', 'car park', 'person 行人');
    const ranked = await db.query<{ id: string }>(
      `SELECT id FROM events WHERE search @@ to_tsquery('simple', $1) ORDER BY ts_rank($2, search, to_tsquery('simple', $1)) DESC`,
      ['行人 & person', SEARCH_RANK_WEIGHTS],
    );
    expect(ranked.rows.map((r) => r.id)).toEqual(['in-summary', 'in-description']);
    const byName = await db.query<{ id: string }>(`SELECT id FROM events WHERE search @@ to_tsquery('simple', '前门:C') ORDER BY id`);
    expect(byName.rows.map((r) => r.id)).toEqual(['in-description', 'in-summary']);
    const unindexed = await db.query<{ id: string }>('SELECT id FROM events WHERE search IS NULL');
    expect(unindexed.rows).toEqual([{ id: 'unindexed' }]);
  });
});
