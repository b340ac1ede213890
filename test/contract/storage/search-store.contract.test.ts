import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextAnalyzer } from '../../../src/adapters/text/text-analyzer.ts';
import { textQuery, type TextQuery } from '../../../src/domain/search/text-query.ts';
import type { SearchQuery } from '../../../src/ports/search-store.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storageBackends, type TestStorage } from './backends.ts';
import { CAMERAS, expected, FILTERS, HOUR, seedEvents, storeSeeds, T0, WORDS, type Seeded } from './search-seeds.ts';

const text = createTextAnalyzer();
const words = (q: string, mode: 'all' | 'any' = 'all'): TextQuery => {
  const query = textQuery(text.queryTokens(q), mode);
  if (query === undefined) throw new Error(`no words in ${q}`);
  return query;
};
const ids = (page: { timeline: ReadonlyArray<{ id: string }> }) => page.timeline.map((t) => t.id);

describe.each(await storageBackends())('SearchStore on %s', (backend) => {
  let t: TestStorage;
  let seeded: Seeded[];

  beforeAll(async () => {
    t = await backend.create();
    seeded = seedEvents();
    await storeSeeds(t.storage.analyses, seeded);
  });
  afterAll(() => t.dispose());

  it('finds exactly the events that have every word and pass every filter', async () => {
    let nonEmpty = 0;
    for (const w of WORDS) {
      for (const f of FILTERS) {
        const want = expected(seeded, w, f);
        if (want.length) nonEmpty++;
        const match = w.length ? words(w.join(' ')) : undefined;
        const context = `${JSON.stringify(w)} ${JSON.stringify(f)}`;
        for (const order of match ? (['relevance'] as const) : (['oldest', 'newest'] as const)) {
          const page = await t.storage.search.search({ ...f, ...(match ? { text: match } : {}), limit: 5, timelineLimit: 500, order });
          expect(page.total, context).toBe(want.length);
          expect(page.totalExact).toBe(true);
          expect(new Set(ids(page)), context).toEqual(new Set(want.map((s) => s.stored.event.id)));
          // The hits are the head of the same ranking, as whole events.
          expect(page.hits.map((h) => h.stored.event.id)).toEqual(ids(page).slice(0, 5));
          for (const hit of page.hits) expect(hit.stored.event).toEqual(want.find((s) => s.stored.event.id === hit.stored.event.id)?.stored.event);
          if (match) {
            const scores = page.hits.map((h) => h.score);
            expect(scores).toEqual([...scores].sort((a, b) => b - a));
            expect(scores.every((s) => s > 0)).toBe(true);
          } else {
            const starts = page.timeline.map((e) => e.startMs);
            expect(starts, context).toEqual([...starts].sort((a, b) => (order === 'oldest' ? a - b : b - a)));
            expect(page.hits.every((h) => h.score === 0)).toBe(true);
          }
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(50);
    // The long events are found by a range that misses the day they start.
    expect(expected(seeded, ['umbrella'], { fromMs: T0 + 60 * HOUR, toMs: T0 + 66 * HOUR }).map((s) => s.stored.event.id)).toEqual(
      expect.arrayContaining(['e240', 'e241']),
    );
  });

  it('finds events with any of the words when asked for any, and ranks those with more of them first', async () => {
    const page = await t.storage.search.search({ text: words('umbrella bicycle', 'any'), limit: 500, order: 'relevance' });
    const want = seeded.filter((s) => s.words.includes('umbrella') || s.words.includes('bicycle'));
    expect(page.total).toBe(want.length);
    expect(new Set(ids(page))).toEqual(new Set(want.map((s) => s.stored.event.id)));
    const both = await t.storage.search.search({ text: words('red umbrella', 'any'), limit: 500, order: 'relevance' });
    const withBoth = new Set(seeded.filter((s) => s.words.includes('red') && s.words.includes('umbrella')).map((s) => s.stored.event.id));
    expect(withBoth.size).toBeGreaterThan(0);
    expect(new Set(ids(both).slice(0, withBoth.size))).toEqual(withBoth);
  });

  it('reports the total as exact when it is larger than the page, and lists the timeline beyond the hits', async () => {
    const page = await t.storage.search.search({ text: words('red'), limit: 3, timelineLimit: 10, order: 'relevance' });
    expect(page).toMatchObject({ total: expected(seeded, ['red'], {}).length, totalExact: true });
    expect(page.hits).toHaveLength(3);
    expect(page.timeline).toHaveLength(10);
    const none = await t.storage.search.search({ cameraIds: ['nowhere'], limit: 3, order: 'newest' });
    expect(none).toEqual({ total: 0, totalExact: true, hits: [], timeline: [] });
    // Without a timeline limit the timeline is the hits.
    const newest = await t.storage.search.search({ limit: 4, order: 'newest' });
    expect(newest.total).toBe(seeded.length);
    expect(ids(newest)).toEqual(newest.hits.map((h) => h.stored.event.id));
    // Without words, 'relevance' lists the newest first.
    expect(ids(await t.storage.search.search({ limit: 4, order: 'relevance' }))).toEqual(ids(newest));
  });

  it('takes every word as plain text: query syntax neither fails nor widens the search', async () => {
    const red = expected(seeded, ['red'], {}).length;
    const total = async (query: TextQuery) => (await t.storage.search.search({ text: query, limit: 5, order: 'relevance' })).total;
    // The letters of a token are what it matches; what is not a letter or digit separates them.
    for (const token of ['RED', "'red'", 'red:*', '!red', '"red"', 'red\\']) expect(await total({ groups: [[token]], mode: 'all' }), token).toBe(red);
    for (const token of ['&', '|', '!', ':*', "'", "''", '\\', '"', '(', "'); DROP TABLE events; --", 're*', 'red & white', 'red | white', '後門']) {
      expect(await total({ groups: [[token]], mode: 'all' }), token).toBe(0);
      // A token that matches nothing takes nothing from the other words with any, everything with all.
      expect(await total({ groups: [['red'], [token]], mode: 'any' }), token).toBe(red);
      expect(await total({ groups: [['red'], [token]], mode: 'all' }), token).toBe(0);
      expect(await total({ groups: [['red', token]], mode: 'all' }), token).toBe(red);
    }
    // Blank tokens are no words at all: every event (all still there).
    expect((await t.storage.search.search({ text: { groups: [[' ']], mode: 'all' }, limit: 5, order: 'newest' })).total).toBe(seeded.length);
  });

  it('gives events by id in the order asked, skipping unknown ids', async () => {
    const hits = await t.storage.search.eventsByIds(['e7', 'nope', 'e3', 'e7']);
    expect(hits.map((h) => [h.stored.event.id, h.score])).toEqual([
      ['e7', 0],
      ['e3', 0],
      ['e7', 0],
    ]);
    expect(hits[0]?.stored.event).toEqual(seeded[7]?.stored.event);
    expect(await t.storage.search.eventsByIds([])).toEqual([]);
  });
});

describe.each(await storageBackends())('SearchStore on %s, stores of their own', (backend) => {
  it('orders events that start together by id, byte by byte', async () => {
    const { storage, dispose } = await backend.create();
    try {
      const startMs = T0 + HOUR;
      // Byte order (SQLite's BINARY): upper case, then '_', then lower case, then non-ASCII.
      const sorted = ['Z1', '_1', 'a1', 'b 1', 'é1'];
      const seeds: Seeded[] = ['é1', 'b 1', '_1', 'Z1', 'a1'].map((id) => ({ stored: storedEvent({ id, cameraId: 'yard', startMs, en: 'a cat', zhHant: '貓' }), words: ['cat'] }));
      seeds.push({ stored: storedEvent({ id: 'late', cameraId: 'yard', startMs: startMs + 1, en: 'a cat', zhHant: '貓' }), words: ['cat'] });
      await storeSeeds(storage.analyses, seeds);
      const query: SearchQuery = { limit: 10, order: 'oldest' };
      expect(ids(await storage.search.search(query))).toEqual([...sorted, 'late']);
      expect(ids(await storage.search.search({ ...query, order: 'newest' }))).toEqual(['late', ...sorted]);
      // Equal relevance: the newest start first.
      expect(ids(await storage.search.search({ ...query, text: words('cat'), order: 'relevance' }))[0]).toBe('late');
    } finally {
      await dispose();
    }
  });

  it('keeps per-camera counts, spans analysed and first/last events, through deletes', async () => {
    const { storage, dispose } = await backend.create();
    try {
      expect(await storage.search.coverage()).toEqual([]);
      expect(await storage.search.analysedSpans()).toEqual([]);
      const seeded = seedEvents();
      const runs = await storeSeeds(storage.analyses, seeded);
      const frontRun = runs.get('front') ?? -1;
      const frame = (index: number) => ({ index, timestampMs: T0 + index * 1000, ptsSeconds: index, detected: true, changedFraction: 0.5, detections: [] });
      await storage.analyses.commitFrames(frontRun, [frame(0), frame(1), frame(2)]);
      const forCamera = (id: string) => seeded.filter((s) => s.stored.event.cameraId === id).map((s) => s.stored.event);
      const coverage = new Map((await storage.search.coverage()).map((c) => [c.cameraId, c]));
      expect([...coverage.keys()]).toEqual([...CAMERAS].sort((a, b) => a.localeCompare(b)));
      for (const id of CAMERAS) {
        const events = forCamera(id);
        expect(coverage.get(id)).toMatchObject({
          analysedFromMs: T0,
          events: events.length,
          firstEventMs: Math.min(...events.map((e) => e.startMs)),
          lastEventMs: Math.max(...events.map((e) => e.endMs)),
        });
      }
      // Analysed until the last frame committed; a run without frames has no end yet.
      expect(coverage.get('front')?.analysedUntilMs).toBe(T0 + 2000);
      expect(coverage.get('gate-1')?.analysedUntilMs).toBeUndefined();
      const spans = await storage.search.analysedSpans();
      expect(spans.find((s) => s.cameraId === 'front')).toEqual({ cameraId: 'front', analysedFromMs: T0, analysedUntilMs: T0 + 2000, events: 0 });
      expect(spans.map((s) => s.cameraId).sort()).toEqual([...CAMERAS].sort());

      await storage.analyses.deleteRun(runs.get('gate-1') ?? -1);
      const after = new Map((await storage.search.coverage()).map((c) => [c.cameraId, c]));
      expect(after.get('gate-1')).toBeUndefined();
      expect(after.get('front')?.events).toBe(forCamera('front').length);
      expect((await storage.search.search({ cameraIds: ['gate-1'], limit: 5, order: 'newest' })).total).toBe(0);
      expect((await storage.search.search({ text: words('red'), cameraIds: ['gate-1'], limit: 5, order: 'relevance' })).total).toBe(0);
      expect((await storage.search.search({ text: words('red'), limit: 5, order: 'relevance' })).total).toBe(expected(seeded, ['red'], {}).filter((s) => s.stored.event.cameraId !== 'gate-1').length);
    } finally {
      await dispose();
    }
  });
});
