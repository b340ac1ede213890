import { describe, expect, it } from 'vitest';
import { textQuery } from '../../../domain/search/text-query.ts';
import { createEventIndexer } from '../../../services/search/event-indexer.ts';
import { expected, FILTERS, HOUR, seedEvents, storeSeeds, T0, WORDS } from '../../../../test/contract/storage/search-seeds.ts';
import { createTextAnalyzer } from '../../text/text-analyzer.ts';
import { migrate, MIGRATIONS } from './migrations.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';
import { SqliteSearchStore } from './sqlite-search-store.ts';

/**
 * What only SQLite has: its plans (filters as full-text facet tokens or as row conditions), its
 * limits, its facet tokens and its index rebuild. What every backend does is
 * test/contract/storage/search-store.contract.test.ts.
 */
const text = createTextAnalyzer();

async function openStore() {
  const db = openSqliteDatabase(':memory:');
  const analysis = new SqliteAnalysisStore(db, { indexer: createEventIndexer(text, []) });
  const seeded = seedEvents();
  const runs = await storeSeeds(analysis, seeded);
  return { db, analysis, seeded, runs };
}

describe('SqliteSearchStore', () => {
  it('finds the same events whichever plan it takes', async () => {
    const { db, seeded } = await openStore();
    // Shares 0: every filter is checked on the rows; 1: every filter narrows in the index; 0.3: some of each.
    for (const selectiveShare of [0, 1, 0.3]) {
      const store = new SqliteSearchStore(db, { selectiveShare });
      for (const words of WORDS) {
        for (const f of FILTERS) {
          const want = expected(seeded, words, f);
          const match = words.length ? textQuery(text.queryTokens(words.join(' ')), 'all') : undefined;
          const page = await store.search({ ...f, ...(match ? { text: match } : {}), limit: 5, timelineLimit: 500, order: match ? 'relevance' : 'oldest' });
          const context = `${selectiveShare} ${JSON.stringify(words)} ${JSON.stringify(f)}`;
          expect({ total: page.total, exact: page.totalExact }, context).toEqual({ total: want.length, exact: true });
          expect(new Set(page.timeline.map((t) => t.id)), context).toEqual(new Set(want.map((w) => w.stored.event.id)));
          expect(page.hits.map((h) => h.stored.event.id)).toEqual(page.timeline.slice(0, 5).map((t) => t.id));
        }
      }
    }
    db.close();
  });

  it('stops counting at the cap and says the total is a lower bound', async () => {
    const { db } = await openStore();
    for (const selectiveShare of [0, 1]) {
      const store = new SqliteSearchStore(db, { countCap: 7, selectiveShare });
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
    }
    db.close();
  });

  it('ranks the newest matches that pass the filters when more match than the window', async () => {
    const { db, seeded } = await openStore();
    const red = textQuery([['red']], 'all');
    for (const f of [{}, { labels: ['person'] }, { fromMs: T0, toMs: T0 + 240 * HOUR }]) {
      const windowed = await new SqliteSearchStore(db, { rankWindow: 6, selectiveShare: 0 }).search({ ...f, text: red, limit: 20, timelineLimit: 20, order: 'relevance' });
      const want = expected(seeded, ['red'], f);
      // Seeds are stored in id order, so the newest six matches are the six highest ids.
      const newest = want.map((w) => Number(w.stored.event.id.slice(1))).sort((a, b) => b - a).slice(0, 6);
      expect(windowed.timeline.map((t) => Number(t.id.slice(1))).sort((a, b) => b - a)).toEqual(newest);
      expect(windowed.total).toBe(want.length);
    }
    db.close();
  });

  it('never lets question words match the facet tokens of filters', async () => {
    const { db } = await openStore();
    const store = new SqliteSearchStore(db);
    const facetOfFront = `c${Buffer.from('front').toString('hex')}`;
    const page = await store.search({ text: textQuery([[facetOfFront]], 'all'), limit: 5, order: 'relevance' });
    expect(page.total).toBe(0);
    db.close();
  });

  it('rebuilds the index of a database from before facets (schema 7) when it is opened', async () => {
    const { db, analysis, seeded } = await openStore();
    // Back to schema 7: the old four-column index (with its entries) and no facet counts.
    db.exec(`
      DROP TRIGGER facet_counts_event_insert; DROP TRIGGER facet_counts_event_delete; DROP TRIGGER facet_counts_event_move;
      DROP TRIGGER facet_counts_label_insert; DROP TRIGGER facet_counts_label_delete;
      DROP TABLE facet_counts; DROP TABLE events_fts;
      CREATE VIRTUAL TABLE events_fts USING fts5(summary, keywords, names, description,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO events_fts (rowid, summary) SELECT rowid, 'old' FROM events;
      ALTER TABLE events DROP COLUMN clip_frames_json;
      ALTER TABLE analysis_runs DROP COLUMN owner; ALTER TABLE analysis_runs DROP COLUMN heartbeat_at; ALTER TABLE analysis_runs DROP COLUMN input_incomplete;
      DROP TRIGGER run_id_high_water_advance; DROP TABLE run_id_high_water; DROP TABLE indexed_camera_names;
      DROP TRIGGER jobs_event_cleanup; DROP TABLE jobs;
      DROP TABLE gateway_usage; DROP TABLE gateway_keys;
      DROP TABLE camera_leases; DROP TABLE workers;
      CREATE TABLE description_jobs (event_id TEXT, status TEXT, attempts INTEGER, next_attempt_at INTEGER, last_error TEXT,
        provider TEXT, requested_by TEXT, claim INTEGER, created_at INTEGER, updated_at INTEGER);
      CREATE TABLE embedding_jobs (event_id TEXT, status TEXT, attempts INTEGER, next_attempt_at INTEGER, last_error TEXT, claim INTEGER, updated_at INTEGER);
      CREATE TABLE frigate_jobs (kind TEXT, frigate_id TEXT, event_id TEXT, payload_json TEXT, progress REAL, status TEXT, attempts INTEGER,
        next_attempt_at INTEGER, last_error TEXT, created_at INTEGER, updated_at INTEGER);
      PRAGMA user_version = 7;`);
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await analysis.reindexEvents(false)).toBe(seeded.length);
    expect(await analysis.reindexEvents(false)).toBe(0);
    const store = new SqliteSearchStore(db);
    const want = expected(seeded, ['white', 'van'], { cameraIds: ['後門'] });
    const page = await store.search({ text: textQuery(text.queryTokens('white van'), 'all'), cameraIds: ['後門'], limit: 50, order: 'relevance' });
    expect(want.length).toBeGreaterThan(0);
    expect(page.hits.map((h) => h.stored.event.id).sort()).toEqual(want.map((w) => w.stored.event.id).sort());
    expect((await store.coverage()).reduce((n, c) => n + c.events, 0)).toBe(seeded.length);
    db.close();
  });
});
