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
import { DEFAULT_DESCRIPTION_LEASE_MS, SqliteDescriptionStore } from './sqlite-description-store.ts';

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

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-descriptions-'));
    seedDatabase(dir, EVENTS);
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

  it('is migration 5, with both tables', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('description_jobs', 'event_descriptions') ORDER BY name`).all();
    expect(tables).toEqual([{ name: 'description_jobs' }, { name: 'event_descriptions' }]);
  });

  it('enqueues once; only a manual request queues a done job again', () => {
    expect(store.enqueue('e1', { requestedBy: 'auto' })).toBe('queued');
    expect(store.enqueue('e1', { requestedBy: 'auto' })).toBe('unchanged');
    expect(store.enqueue('nope', { requestedBy: 'auto' })).toBe('unknown_event');
    const [job] = store.claimDue(now, 10);
    expect(store.complete('e1', description('red jacket'), { claim: job!.claim })).toBe(true);
    expect(store.enqueue('e1', { requestedBy: 'auto' })).toBe('unchanged');
    expect(store.state('e1').job).toMatchObject({ status: 'done', attempts: 1, requestedBy: 'auto' });
    expect(store.enqueue('e1', { requestedBy: 'manual' })).toBe('requeued');
    expect(store.state('e1').job).toMatchObject({ status: 'queued', attempts: 0, requestedBy: 'manual', nextAttemptAt: now });
    // The old description stays until the new one replaces it.
    expect(store.state('e1').description).toMatchObject({ textForSearch: 'red jacket' });
  });

  it('a manual request makes a job waiting for a retry due now', () => {
    store.enqueue('e1', { requestedBy: 'auto' });
    const [job] = store.claimDue(now, 1);
    store.fail('e1', 'provider_unavailable: down', { retryAt: now + 60_000 }, { claim: job!.claim });
    expect(store.enqueue('e1', { requestedBy: 'manual' })).toBe('requeued');
    expect(store.state('e1').job).toMatchObject({ status: 'queued', nextAttemptAt: now, attempts: 1 });
  });

  it('claims due jobs atomically, oldest first, up to the limit, each once', () => {
    for (const id of ['e3', 'e1', 'e2']) {
      store.enqueue(id, { requestedBy: 'auto' });
      now += 1;
    }
    const first = store.claimDue(now, 2);
    expect(first.map((j) => j.eventId)).toEqual(['e3', 'e1']);
    expect(first.every((j) => j.attempts === 1 && j.requestedBy === 'auto')).toBe(true);
    expect(store.claimDue(now, 2).map((j) => j.eventId)).toEqual(['e2']);
    expect(store.claimDue(now, 2)).toEqual([]);
    expect(store.counts()).toEqual({ queued: 0, running: 3, done: 0, failed: 0 });
  });

  it('does not hand out a job before its retry time', () => {
    store.enqueue('e1', { requestedBy: 'auto' });
    const [job] = store.claimDue(now, 1);
    store.fail('e1', 'provider_unavailable: down', { retryAt: now + 30_000 }, { claim: job!.claim });
    expect(store.claimDue(now + 29_999, 1)).toEqual([]);
    expect(store.claimDue(now + 30_000, 1).map((j) => [j.eventId, j.attempts])).toEqual([['e1', 2]]);
  });

  it('takes over a running job whose lease ran out, and refuses the old claimer afterwards', () => {
    store.enqueue('e1', { requestedBy: 'auto' });
    const [old] = store.claimDue(now, 1);
    expect(store.claimDue(now + DEFAULT_DESCRIPTION_LEASE_MS - 1, 1)).toEqual([]);
    // A heartbeat renews the lease.
    expect(store.heartbeat('e1', old!.claim, now + 1000)).toBe(true);
    expect(store.claimDue(now + DEFAULT_DESCRIPTION_LEASE_MS, 1)).toEqual([]);
    const [taken] = store.claimDue(now + 1000 + DEFAULT_DESCRIPTION_LEASE_MS, 1);
    expect(taken).toMatchObject({ eventId: 'e1', attempts: 2 });
    expect(store.heartbeat('e1', old!.claim, now)).toBe(false);
    expect(store.complete('e1', description('stale'), { claim: old!.claim })).toBe(false);
    expect(store.fail('e1', 'stale', { permanent: true }, { claim: old!.claim })).toBe(false);
    expect(store.complete('e1', description('fresh'), { claim: taken!.claim })).toBe(true);
    expect(store.state('e1').description?.textForSearch).toBe('fresh');
  });

  it('at startup re-queues every job a previous process left running', () => {
    store.enqueue('e1', { requestedBy: 'auto' });
    store.enqueue('e2', { requestedBy: 'auto' });
    store.claimDue(now, 2);
    expect(store.recoverRunning(now + 5)).toBe(2);
    expect(store.counts()).toEqual({ queued: 2, running: 0, done: 0, failed: 0 });
    expect(store.claimDue(now + 5, 5).map((j) => j.attempts)).toEqual([2, 2]);
  });

  it('records permanent failures with their reason', () => {
    store.enqueue('e1', { requestedBy: 'auto' });
    const [job] = store.claimDue(now, 1);
    expect(store.fail('e1', 'provider_auth: wrong key', { permanent: true }, { claim: job!.claim })).toBe(true);
    expect(store.state('e1')).toEqual({
      job: { eventId: 'e1', status: 'failed', attempts: 1, nextAttemptAt: now, lastError: 'provider_auth: wrong key', requestedBy: 'auto', updatedAt: now },
    });
    expect(store.claimDue(now + 1e9, 5)).toEqual([]);
  });

  it('stores invalid output as flagged raw text', () => {
    store.enqueue('e2', { requestedBy: 'manual', provider: 'local_vlm' });
    const job = store.claim('e2', now);
    store.complete('e2', { provider: 'local_vlm', model: 'llava', rawText: 'not json', flagged: true, textForSearch: 'not json' }, { claim: job!.claim });
    expect(store.state('e2')).toEqual({
      job: { eventId: 'e2', status: 'done', attempts: 1, nextAttemptAt: now, provider: 'local_vlm', requestedBy: 'manual', updatedAt: now },
      description: { provider: 'local_vlm', model: 'llava', createdAt: now, rawText: 'not json', flagged: true, textForSearch: 'not json' },
    });
  });

  it('makes the description searchable at once, keeping the other columns', () => {
    expect(match('turquoise')).toEqual([]);
    store.complete('e2', description('A man in a turquoise raincoat carries a ladder'));
    expect(match('turquoise')).toEqual(['e2']);
    expect(match('ladder raincoat')).toEqual(['e2']);
    // The summary, keywords and names are still indexed.
    expect(match('crossed door')).toEqual(['e1', 'e2', 'e3']);
  });

  it('keeps descriptions searchable when the analysis store re-indexes events with searchIndexer', () => {
    store.complete('e2', description('turquoise raincoat'));
    const analysis = new SqliteAnalysisStore(db, { indexer: store.searchIndexer() });
    expect(analysis.reindexEvents(true)).toBe(3);
    expect(match('turquoise')).toEqual(['e2']);
    // With the plain indexer the description would be lost: that is why searchIndexer exists.
    new SqliteAnalysisStore(db, { indexer }).reindexEvents(true);
    expect(match('turquoise')).toEqual([]);
  });

  it('goes with its event', () => {
    store.enqueue('e1', { requestedBy: 'auto' });
    store.complete('e1', description('turquoise'));
    db.prepare(`DELETE FROM events WHERE id = 'e1'`).run();
    expect(store.state('e1')).toEqual({});
    expect(store.counts()).toEqual({ queued: 0, running: 0, done: 0, failed: 0 });
    expect(match('turquoise')).toEqual([]);
  });
});
