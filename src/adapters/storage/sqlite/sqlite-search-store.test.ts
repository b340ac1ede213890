import { describe, expect, it } from 'vitest';
import type { EventType } from '../../../domain/events/event-types.ts';
import { textQuery } from '../../../domain/search/text-query.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { SearchQuery } from '../../../ports/search-store.ts';
import { createEventIndexer } from '../../../services/search/event-indexer.ts';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { createTextAnalyzer } from '../../text/text-analyzer.ts';
import { migrate, MIGRATIONS } from './migrations.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';
import { SqliteSearchStore } from './sqlite-search-store.ts';

const text = createTextAnalyzer();
const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
// Ids that are not plain words: a space, CJK, punctuation. Facet tokens must keep each whole.
const CAMERAS = ['back door', '後門', 'gate-1', 'front'];
const TYPES: EventType[] = ['line_crossing', 'intrusion', 'loitering', 'object_seen'];
const LABEL_SETS = [['person'], ['car'], ['person', 'dog'], ['traffic light'], ['truck', 'person']];
const COLOURS = ['red', 'white', 'blue'];
const THINGS = ['van', 'jacket', 'bag', 'umbrella', 'bicycle'];

interface Seeded {
  stored: StoredEvent;
  words: string[];
}

/** 240 events with every combination of camera, type, labels and words, an hour or so apart, and two long ones. */
function seedEvents(): Seeded[] {
  const out: Seeded[] = [];
  for (let i = 0; i < 240; i++) {
    const words = [COLOURS[i % 3] as string, THINGS[(i * 7) % 5] as string];
    const stored = storedEvent({
      id: `e${i}`,
      cameraId: CAMERAS[i % 4] as string,
      type: TYPES[Math.floor(i / 4) % 4] as EventType,
      labels: LABEL_SETS[i % 5] as string[],
      startMs: T0 + i * HOUR + (i % 7) * 60_000,
      durationMs: ((i % 5) + 1) * 60_000,
      en: `a ${words.join(' ')} was seen`,
      zhHant: '有人經過',
    });
    out.push({ stored, words });
  }
  // Events across days: two days, and longer than the index lists days for.
  for (const [i, durationMs] of [
    [240, 30 * HOUR],
    [241, 90 * 24 * HOUR],
  ] as const) {
    const words = ['red', 'umbrella'];
    const stored = storedEvent({ id: `e${i}`, cameraId: 'front', type: 'loitering', labels: ['person'], startMs: T0 + 40 * HOUR + i, durationMs, en: `a ${words.join(' ')} stayed`, zhHant: '停留' });
    out.push({ stored, words });
  }
  return out;
}

async function openStore() {
  const db = openSqliteDatabase(':memory:');
  const analysis = new SqliteAnalysisStore(db, { indexer: createEventIndexer(text, []) });
  const runs = new Map<string, number>();
  const seeded = seedEvents();
  for (const { stored } of seeded) {
    const cameraId = stored.event.cameraId;
    let runId = runs.get(cameraId);
    if (runId === undefined) {
      const sourceId = await analysis.upsertSource({ uri: `${cameraId}.mp4`, kind: 'file', fingerprint: cameraId, codec: 'h264', width: 64, height: 48, fps: 5 }, cameraId);
      runId = (await analysis.createRun({ sourceId, cameraId, settingsKey: 'k', settings: {}, startTimeMs: T0, startTimeSource: 'config', startedAt: 0 })).id;
      runs.set(cameraId, runId);
    }
    await analysis.commitFrames(runId, [], { events: [{ ...stored, runId }] });
  }
  return { db, analysis, seeded, runs };
}

type Filter = Omit<SearchQuery, 'text' | 'limit' | 'order' | 'timelineLimit'>;

/** What should match, computed directly from the seeds. */
function expected(seeded: readonly Seeded[], words: readonly string[], f: Filter): Seeded[] {
  return seeded.filter(({ stored: { event: e }, words: w }) => {
    if (!words.every((word) => w.includes(word))) return false;
    if (f.cameraIds && !f.cameraIds.includes(e.cameraId)) return false;
    if (f.types && !f.types.includes(e.type)) return false;
    if (f.labels && !e.labels.some((l) => f.labels?.includes(l))) return false;
    if (f.fromMs !== undefined && e.endMs < f.fromMs) return false;
    if (f.toMs !== undefined && e.startMs >= f.toMs) return false;
    return true;
  });
}

const WORDS: string[][] = [[], ['red'], ['white', 'van'], ['blue', 'umbrella']];
const FILTERS: Filter[] = [
  {},
  { cameraIds: ['back door'] },
  { cameraIds: ['後門', 'gate-1'] },
  { types: ['loitering'] },
  { labels: ['person'] },
  { labels: ['traffic light'] },
  { cameraIds: ['後門'], labels: ['dog'], types: ['line_crossing', 'intrusion'] },
  { fromMs: T0 + 20 * HOUR, toMs: T0 + 60 * HOUR },
  { fromMs: T0 + 100 * HOUR + 2 * 60_000, toMs: T0 + 101 * HOUR },
  { cameraIds: ['front'], labels: ['person', 'car'], fromMs: T0, toMs: T0 + 200 * HOUR },
  // After the day the long events start; wider than the index's day terms; open-ended.
  { fromMs: T0 + 60 * HOUR, toMs: T0 + 66 * HOUR },
  { fromMs: T0 + 50 * HOUR, toMs: T0 + 60 * 24 * HOUR },
  { fromMs: T0 + 230 * HOUR },
  { toMs: T0 + 3 * HOUR },
];

describe('SqliteSearchStore', () => {
  it('finds exactly the events that have every word and pass every filter, whichever plan it takes', async () => {
    const { db, seeded } = await openStore();
    // Shares 0: every filter is checked on the rows; 1: every filter narrows in the index; 0.3: some of each.
    const stores = [0, 1, 0.3].map((selectiveShare) => new SqliteSearchStore(db, { countCap: 10_000, selectiveShare }));
    let nonEmpty = 0;
    for (const store of stores) {
      for (const words of [...WORDS, ['umbrella']]) {
        for (const f of FILTERS) {
          const want = expected(seeded, words, f);
          if (want.length) nonEmpty++;
          const match = words.length ? textQuery(text.queryTokens(words.join(' ')), 'all') : undefined;
          const page = await store.search({ ...f, ...(match ? { text: match } : {}), limit: 5, timelineLimit: 500, order: match ? 'relevance' : 'oldest' });
          const context = `${JSON.stringify(words)} ${JSON.stringify(f)}`;
          expect(page.total, context).toBe(want.length);
          expect(page.totalExact).toBe(true);
          expect(new Set(page.timeline.map((t) => t.id)), context).toEqual(new Set(want.map((w) => w.stored.event.id)));
          // The hits are the head of the same ranking, as whole events.
          expect(page.hits.map((h) => h.stored.event.id)).toEqual(page.timeline.slice(0, 5).map((t) => t.id));
          for (const hit of page.hits) expect(hit.stored.event).toEqual(want.find((w) => w.stored.event.id === hit.stored.event.id)?.stored.event);
          if (match) {
            const scores = page.hits.map((h) => h.score);
            expect(scores).toEqual([...scores].sort((a, b) => b - a));
          } else {
            const starts = page.timeline.map((t) => t.startMs);
            expect(starts).toEqual([...starts].sort((a, b) => a - b));
          }
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(90);
    // The long events are found by a range that misses the day they start.
    expect(expected(seeded, ['umbrella'], { fromMs: T0 + 60 * HOUR, toMs: T0 + 66 * HOUR }).map((w) => w.stored.event.id)).toEqual(
      expect.arrayContaining(['e240', 'e241']),
    );
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

  it('keeps per-camera counts and first/last events without scanning, through deletes', async () => {
    const { db, analysis, seeded, runs } = await openStore();
    const store = new SqliteSearchStore(db);
    const forCamera = (id: string) => seeded.filter((s) => s.stored.event.cameraId === id).map((s) => s.stored.event);
    const coverage = new Map((await store.coverage()).map((c) => [c.cameraId, c]));
    for (const id of CAMERAS) {
      const events = forCamera(id);
      expect(coverage.get(id)).toMatchObject({
        events: events.length,
        firstEventMs: Math.min(...events.map((e) => e.startMs)),
        lastEventMs: Math.max(...events.map((e) => e.endMs)),
      });
    }
    await analysis.deleteRun(runs.get('gate-1') ?? -1);
    const after = new Map((await store.coverage()).map((c) => [c.cameraId, c]));
    expect(after.get('gate-1')).toBeUndefined();
    expect(after.get('front')?.events).toBe(forCamera('front').length);
    expect((await store.search({ cameraIds: ['gate-1'], limit: 5, order: 'newest' })).total).toBe(0);
    expect((await store.search({ text: textQuery([['red']], 'all'), cameraIds: ['gate-1'], limit: 5, order: 'relevance' })).total).toBe(0);
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
