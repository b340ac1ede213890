/**
 * Medium tests: the vector index (and the embedding jobs it queues again) on a real database with the real sqlite-vec
 * extension; other connections open it the way the rest of Vigil does, without the extension.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { MIGRATIONS } from './migrations.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';
import { SqliteJobQueue } from './sqlite-job-queue.ts';
import { SqliteVectorIndex } from './sqlite-vector-index.ts';

const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const MINUTE = 60_000;
const LEASE = { leaseMs: 10 * MINUTE };

/** e1..e6 on two cameras, a minute apart; e5 is a car. */
const EVENTS = [
  storedEvent({ id: 'e1', cameraId: 'back', type: 'line_crossing', startMs: T0, en: 'one', zhHant: '一' }),
  storedEvent({ id: 'e2', cameraId: 'back', type: 'intrusion', startMs: T0 + MINUTE, en: 'two', zhHant: '二' }),
  storedEvent({ id: 'e3', cameraId: 'front', type: 'line_crossing', startMs: T0 + 2 * MINUTE, en: 'three', zhHant: '三' }),
  storedEvent({ id: 'e4', cameraId: 'front', type: 'loitering', startMs: T0 + 3 * MINUTE, en: 'four', zhHant: '四' }),
  storedEvent({ id: 'e5', cameraId: 'front', type: 'object_seen', labels: ['car'], startMs: T0 + 4 * MINUTE, en: 'five', zhHant: '五' }),
  storedEvent({ id: 'e6', cameraId: 'back', type: 'line_crossing', startMs: T0 + 5 * MINUTE, en: 'six', zhHant: '六' }),
];

/** Unit vectors at growing angles from [1, 0, 0]: e1 is nearest to it, e6 farthest. */
const angle = (i: number): number[] => [Math.cos(i * 0.25), Math.sin(i * 0.25), 0];
const QUERY = [1, 0, 0];

describe('SqliteVectorIndex', () => {
  let dir: string;
  let db: Database.Database;
  let now: number;
  let index: SqliteVectorIndex;
  let jobs: SqliteJobQueue;
  const opened: Database.Database[] = [];

  /** Another connection to the same file, as the rest of Vigil opens it: no sqlite-vec. */
  const plainConnection = () => {
    const other = openSqliteDatabase(join(dir, 'vigil.db'));
    opened.push(other);
    return other;
  };

  const fill = async () => {
    await index.prepare('bge-m3', 3);
    for (const [i, e] of EVENTS.entries()) expect(await index.upsert(e.event.id, angle(i))).toBe(true);
  };
  const nearestIds = async (options: Parameters<SqliteVectorIndex['nearest']>[1], vector = QUERY) => (await index.nearest(vector, options)).map((m) => m.eventId);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-vectors-'));
    await seedDatabase(dir, EVENTS);
    db = plainConnection();
    now = 1_000_000;
    // As the storage wires it: a finished embedding job's vector is stored in its completion's transaction.
    jobs = new SqliteJobQueue(db, {
      now: () => now,
      writeOutput: (eventId, output) => {
        if (output.kind === 'vector') index.upsertNow(eventId, output.vector);
      },
    });
    index = new SqliteVectorIndex(db, { jobs, now: () => now });
  });

  afterEach(() => {
    for (const c of opened.splice(0)) c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migration 6 adds meta and tombstones (its jobs moved to the job queue), and no vector table until the first vector', async () => {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(6);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('embedding_jobs', 'vector_meta', 'vector_tombstones', 'event_vectors') ORDER BY name`).all();
    expect(tables).toEqual([{ name: 'vector_meta' }, { name: 'vector_tombstones' }]);
    expect(await index.info()).toBeUndefined();
    expect(await index.nearest(QUERY, { limit: 5 })).toEqual([]);
  });

  it('loads sqlite-vec only when vectors are touched', async () => {
    const load = vi.fn((c: Database.Database) => sqliteVec.load(c));
    const lazy = new SqliteVectorIndex(db, { jobs, loadExtension: load, now: () => now });
    await jobs.enqueue({ kind: 'embed_event', key: 'e1', payload: {} });
    await jobs.claimDue(['embed_event'], 5, LEASE);
    expect(await lazy.nearest(QUERY, { limit: 3 })).toEqual([]);
    expect(load).not.toHaveBeenCalled();
    await lazy.prepare('bge-m3', 3);
    await lazy.prepare('bge-m3', 3);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('says so when the extension cannot be loaded', async () => {
    const broken = new SqliteVectorIndex(db, {
      jobs,
      loadExtension: () => {
        throw new Error('not for this platform');
      },
    });
    await expect(broken.prepare('bge-m3', 3)).rejects.toThrow(expect.objectContaining({ code: 'storage_failed', message: expect.stringMatching(/not for this platform/) }));
    expect(await broken.info()).toBeUndefined();
  });

  it('never returns the vector of a deleted event, even when a new event takes its rowid', async () => {
    await fill();
    const other = plainConnection();
    // Deleting events works on a connection without sqlite-vec (which knows nothing of vec0)...
    expect(() => other.prepare('SELECT COUNT(*) FROM event_vectors').get()).toThrow(/no such module: vec0/);
    other.prepare(`DELETE FROM events WHERE id IN ('e1', 'e6')`).run();
    expect(await nearestIds({ limit: 6 })).toEqual(['e2', 'e3', 'e4', 'e5']);
    expect((await index.info())?.count).toBe(4);
    // ...and a new event e7 takes the rowid of e5 (deleted just before, then the largest), whose
    // vector is still there: no vector operation came between the delete and the insert.
    other.prepare(`DELETE FROM events WHERE id = 'e5'`).run();
    const e5Rowid = 5;
    const e7 = storedEvent({ id: 'e7', cameraId: 'front', startMs: T0 + 9 * MINUTE, en: 'seven', zhHant: '七' });
    const runId = (other.prepare('SELECT run_id FROM events WHERE id = ?').get('e4') as { run_id: number }).run_id;
    await new SqliteAnalysisStore(other).commitFrames(runId, [], { events: [{ ...e7, runId }] });
    expect((other.prepare(`SELECT rowid FROM events WHERE id = 'e7'`).get() as { rowid: number }).rowid).toBe(e5Rowid);
    expect(await nearestIds({ limit: 6 })).toEqual(['e2', 'e3', 'e4']);
    expect(await index.upsert('e7', QUERY)).toBe(true);
    expect(await nearestIds({ limit: 6 })).toEqual(['e7', 'e2', 'e3', 'e4']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM vector_tombstones').get()).toEqual({ n: 0 });
  });

  it('keeps no tombstones while there is no vector index', () => {
    db.prepare(`DELETE FROM events WHERE id = 'e1'`).run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM vector_tombstones').get()).toEqual({ n: 0 });
  });

});
