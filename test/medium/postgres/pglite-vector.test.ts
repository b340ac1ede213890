import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient, type PgliteSqlClient } from '../../support/pglite.ts';

/** The harness for pgvector SQL, which the local server lacks: PGlite with the extension loaded. */
describe('PGlite harness', () => {
  let db: PgliteSqlClient;

  beforeAll(async () => {
    db = await createPgliteClient();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates the vector extension and computes cosine distance with <=>', async () => {
    await db.query('CREATE EXTENSION IF NOT EXISTS vector');
    await db.query('CREATE TABLE items (id BIGINT PRIMARY KEY, embedding vector(2))');
    await db.query(`INSERT INTO items VALUES (1, '[1,0]'), (2, '[0,1]'), (3, '[1,1]')`);
    const { rows } = await db.query<{ id: number; distance: number }>(
      `SELECT id, embedding <=> $1::vector AS distance FROM items ORDER BY distance, id`,
      ['[1,0]'],
    );
    expect(rows.map((r) => r.id)).toEqual([1, 3, 2]);
    expect(rows.map((r) => r.distance)).toEqual([0, expect.closeTo(1 - Math.SQRT1_2, 6), 1]);
  });

  it('maps transactions like the pool client: rollback on throw, nested calls reuse the transaction, BIGINT checked', async () => {
    await db.query('CREATE TABLE marks (id BIGINT PRIMARY KEY)');
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction((inner) => inner.query('INSERT INTO marks VALUES (1)'));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await db.query('SELECT * FROM marks')).rowCount).toBe(0);
    const { rows } = await db.query<{ big: number }>('SELECT $1::int8 AS big', [Number.MAX_SAFE_INTEGER]);
    expect(rows).toEqual([{ big: Number.MAX_SAFE_INTEGER }]);
    await expect(db.query('SELECT 9007199254740993::int8 AS big')).rejects.toThrow(/beyond what Vigil reads exactly/);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
