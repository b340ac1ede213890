import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTextAnalyzer } from '../../../src/adapters/text/text-analyzer.ts';
import { textQuery } from '../../../src/domain/search/text-query.ts';
import type { DescriptionStore } from '../../../src/ports/description-store.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { storedEvent } from '../../factories/stored-events.ts';
import { storeEventsInOwnRuns } from '../../support/seed-storage.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const text = createTextAnalyzer();
const EVENTS = ['e1', 'e2', 'e3'].map((id, i) =>
  storedEvent({ id, startMs: Date.UTC(2024, 4, 1, 14, i), en: `Person p1 crossed the door line (${id})`, zhHant: '人物 p1 穿越門口警戒線' }),
);

const description = (words: string) => ({ provider: 'local_vlm', model: 'llava', json: { scene: words }, flagged: false, textForSearch: words });

describe.each(await storageBackends())('DescriptionStore on %s', (backend) => {
  let test: TestStorage;
  let storage: Storage;
  let store: DescriptionStore;
  let now: number;
  let runs: Map<string, number>;

  beforeEach(async () => {
    now = 1_000_000;
    test = await backend.create({ now: () => now });
    storage = test.storage;
    runs = await storeEventsInOwnRuns(storage, EVENTS);
    store = storage.descriptions;
  });

  afterEach(async () => {
    await test.dispose();
  });

  /** The ids of the events whose search entry has every word of `query`. */
  const match = async (query: string): Promise<string[]> => {
    const page = await storage.search.search({ text: textQuery(text.queryTokens(query), 'all')!, limit: 10, order: 'relevance' });
    return page.hits.map((hit) => hit.stored.event.id).sort();
  };

  it('replaces the description of an event, and refuses one for an unknown event', async () => {
    expect(await store.save('e1', description('red jacket'))).toBe(true);
    now += 10;
    expect(await store.save('e1', description('blue jacket'))).toBe(true);
    expect(await store.get('e1')).toEqual({ ...description('blue jacket'), createdAt: now });
    expect(await store.save('nope', description('x'))).toBe(false);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('stores invalid output as flagged raw text', async () => {
    await store.save('e2', { provider: 'local_vlm', model: 'llava', rawText: 'not json', flagged: true, textForSearch: 'not json' });
    expect(await store.get('e2')).toEqual({ provider: 'local_vlm', model: 'llava', createdAt: now, rawText: 'not json', flagged: true, textForSearch: 'not json' });
  });

  it('makes the description searchable at once, keeping the other fields', async () => {
    expect(await match('turquoise')).toEqual([]);
    await store.save('e2', description('A man in a turquoise raincoat carries a ladder'));
    expect(await match('turquoise')).toEqual(['e2']);
    expect(await match('ladder raincoat')).toEqual(['e2']);
    // The summary, keywords and names are still indexed.
    expect(await match('crossed door')).toEqual(['e1', 'e2', 'e3']);
    expect(await match('crossed turquoise')).toEqual(['e2']);
    // A newer description replaces the old one's words.
    await store.save('e2', description('a yellow umbrella'));
    expect(await match('turquoise')).toEqual([]);
    expect(await match('umbrella door')).toEqual(['e2']);
  });

  it('keeps descriptions searchable when the events are re-indexed', async () => {
    await store.save('e2', description('turquoise raincoat'));
    expect(await storage.searchIndex.reindexEvents(true)).toBe(3);
    expect(await match('turquoise')).toEqual(['e2']);
    expect(await storage.searchIndex.reindexCamera('back')).toBe(3);
    expect(await match('turquoise raincoat')).toEqual(['e2']);
  });

  it('saves a description written by a job as it completes', async () => {
    await storage.jobs.enqueue({ kind: 'describe_event', key: 'e3', payload: { requestedBy: 'auto' } });
    const [job] = await storage.jobs.claimDue(['describe_event'], 1, { leaseMs: 60_000 });
    expect(await storage.jobs.complete(job!, { output: { kind: 'description', description: description('a parcel on the step') } })).toBe('done');
    expect(await store.get('e3')).toMatchObject({ textForSearch: 'a parcel on the step', createdAt: now });
    expect(await match('parcel')).toEqual(['e3']);
  });

  it('goes with its event', async () => {
    await store.save('e1', description('turquoise'));
    await storage.analyses.deleteRun(runs.get('e1')!);
    expect(await store.get('e1')).toBeUndefined();
    expect(await match('turquoise')).toEqual([]);
    expect(await store.save('e1', description('turquoise'))).toBe(false);
  });
});
