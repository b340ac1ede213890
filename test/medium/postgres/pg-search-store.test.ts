import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../src/adapters/storage/postgres/pg-database.ts';
import { PgSearchStore } from '../../../src/adapters/storage/postgres/pg-search-store.ts';
import { createPostgresStorage } from '../../../src/adapters/storage/postgres/pg-storage.ts';
import type { SqlClient } from '../../../src/adapters/storage/postgres/sql-client.ts';
import { createTextAnalyzer } from '../../../src/adapters/text/text-analyzer.ts';
import { textQuery } from '../../../src/domain/search/text-query.ts';
import { createEventIndexer } from '../../../src/services/search/event-indexer.ts';
import { expected, FILTERS, HOUR, seedEvents, storeSeeds, T0, WORDS, type Seeded } from '../../contract/storage/search-seeds.ts';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';

const skip = await skipWithoutPostgres('PostgreSQL search store tests');
const text = createTextAnalyzer();
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/**
 * PgSearchStore's limits, which the storage contract cannot set (it runs the defaults): the count
 * cap and the rank window, as SqliteSearchStore's own tests check them.
 */
describe.skipIf(skip)('PgSearchStore', () => {
  let database: TestDatabase;
  let db: SqlClient;
  let seeded: Seeded[];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openPostgresDatabase(database.url, { logger: silent });
    const storage = createPostgresStorage({ database: db, indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' '), logger: silent });
    seeded = seedEvents();
    await storeSeeds(storage.analyses, seeded);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('stops counting at the cap and says the total is a lower bound', async () => {
    const store = new PgSearchStore(db, { countCap: 7 });
    const red = textQuery([['red']], 'all');
    for (const query of [
      { text: red, limit: 3, timelineLimit: 5, order: 'relevance' as const },
      { text: red, fromMs: T0, toMs: T0 + 240 * HOUR, limit: 3, timelineLimit: 5, order: 'relevance' as const },
      { labels: ['person'], limit: 3, timelineLimit: 5, order: 'newest' as const },
    ]) {
      const page = await store.search(query);
      expect(page).toMatchObject({ total: 7, totalExact: false });
      expect(page.hits).toHaveLength(3);
      expect(page.timeline).toHaveLength(5);
    }
    // Under the cap the count is exact even when it is larger than the page.
    const few = await store.search({ text: textQuery([['blue'], ['umbrella']], 'all'), cameraIds: ['front'], limit: 1, order: 'relevance' });
    expect(few.totalExact).toBe(true);
    expect(few.total).toBeGreaterThan(1);
    expect(few.total).toBeLessThanOrEqual(7);
  });

  it('finds the same events whether labels are looked up in their index or checked per row', async () => {
    // selectiveShare 1: every label is "rare" (GIN index); 0: every label is checked on the rows.
    const [indexed, perRow] = [new PgSearchStore(db, { selectiveShare: 1 }), new PgSearchStore(db, { selectiveShare: 0 })];
    for (const words of WORDS) {
      for (const f of FILTERS.filter((x) => x.labels)) {
        const query = { ...f, ...(words.length ? { text: textQuery(words.map((w) => [w]), 'all') } : {}), limit: 500, order: 'newest' as const };
        const want = expected(seeded, words, f).map((x) => x.stored.event.id).sort();
        for (const store of [indexed, perRow]) {
          const page = await store.search(query);
          expect(page.hits.map((h) => h.stored.event.id).sort(), JSON.stringify({ words, f })).toEqual(want);
          expect(page.total).toBe(want.length);
        }
      }
    }
  });

  it('finds, counts and ranks the same events whether words are checked on the range first or looked up in their index', async () => {
    // filterFirstUnder 0: never checked on the range first; a billion: whenever cameras or a time range are given.
    const [byIndex, rangeFirst] = [new PgSearchStore(db, { filterFirstUnder: 0 }), new PgSearchStore(db, { filterFirstUnder: 1e9 })];
    const ranged = FILTERS.filter((f) => f.cameraIds || f.fromMs !== undefined || f.toMs !== undefined);
    expect(ranged.length).toBeGreaterThan(5);
    for (const words of WORDS.filter((w) => w.length > 0)) {
      for (const f of ranged) {
        for (const mode of ['all', 'any'] as const) {
          const query = { ...f, text: textQuery(words.map((w) => [w]), mode), limit: 5, timelineLimit: 50, order: 'relevance' as const };
          const [a, b] = [await byIndex.search(query), await rangeFirst.search(query)];
          const page = (p: typeof a) => ({ total: p.total, exact: p.totalExact, hits: p.hits.map((h) => [h.stored.event.id, h.score]), timeline: p.timeline.map((t) => t.id) });
          expect(page(b), JSON.stringify({ words, f, mode })).toEqual(page(a));
          if (mode === 'all') expect(a.total, JSON.stringify({ words, f })).toBe(expected(seeded, words, f).length);
        }
      }
    }
  });

  it('ranks the newest matches that pass the filters when more match than the window', async () => {
    const red = textQuery([['red']], 'all');
    for (const f of [{}, { labels: ['person'] }, { fromMs: T0, toMs: T0 + 240 * HOUR }]) {
      const windowed = await new PgSearchStore(db, { rankWindow: 6 }).search({ ...f, text: red, limit: 20, timelineLimit: 20, order: 'relevance' });
      const want = expected(seeded, ['red'], f);
      // Seeds are stored in id order, so the newest six matches are the six highest ids.
      const newest = want.map((w) => Number(w.stored.event.id.slice(1))).sort((a, b) => b - a).slice(0, 6);
      expect(windowed.timeline.map((t) => Number(t.id.slice(1))).sort((a, b) => b - a)).toEqual(newest);
      expect(windowed.total).toBe(want.length);
    }
  });
});
