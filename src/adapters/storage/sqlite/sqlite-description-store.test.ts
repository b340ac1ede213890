import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { buildFtsQuery } from '../../../domain/search/fts-query.ts';
import { createEventIndexer } from '../../../services/search/event-indexer.ts';
import { createTextAnalyzer } from '../../text/text-analyzer.ts';
import { MIGRATIONS } from './migrations.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';
import { SqliteDescriptionStore } from './sqlite-description-store.ts';

const text = createTextAnalyzer();
const indexer = createEventIndexer(text, []);
const tokenize = (t: string) => text.indexTokens(t).join(' ');

const EVENTS = ['e1', 'e2', 'e3'].map((id, i) =>
  storedEvent({ id, startMs: Date.UTC(2024, 4, 1, 14, i), en: `Person p1 crossed the door line (${id})`, zhHant: '人物 p1 穿越門口警戒線' }),
);

const description = (words: string) => ({ provider: 'local_vlm', model: 'llava', json: { scene: words }, flagged: false, textForSearch: words });

describe('SqliteDescriptionStore', () => {
  let dir: string;
  let db: Database.Database;
  let now: number;
  let store: SqliteDescriptionStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-descriptions-'));
    await seedDatabase(dir, EVENTS);
    db = openSqliteDatabase(join(dir, 'vigil.db'));
    now = 1_000_000;
    store = new SqliteDescriptionStore(db, { indexer, tokenize, now: () => now });
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const match = (query: string): string[] => {
    const fts = buildFtsQuery(text.queryTokens(query), 'all');
    return db
      .prepare('SELECT e.id FROM events_fts JOIN events e ON e.rowid = events_fts.rowid WHERE events_fts MATCH ? ORDER BY e.id')
      .all(fts)
      .map((row) => (row as { id: string }).id);
  };

  it('keeps descriptions in event_descriptions (migration 5); their jobs are in the job queue (see sqlite-job-queue.test.ts)', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('description_jobs', 'event_descriptions') ORDER BY name`).all();
    expect(tables).toEqual([{ name: 'event_descriptions' }]);
  });

  it('keeps descriptions searchable when the analysis store re-indexes events with searchIndexer', async () => {
    await store.save('e2', description('turquoise raincoat'));
    const analysis = new SqliteAnalysisStore(db, { indexer: store.searchIndexer() });
    expect(await analysis.reindexEvents(true)).toBe(3);
    expect(match('turquoise')).toEqual(['e2']);
    // With the plain indexer the description would be lost: that is why searchIndexer exists.
    await new SqliteAnalysisStore(db, { indexer }).reindexEvents(true);
    expect(match('turquoise')).toEqual([]);
  });

});
