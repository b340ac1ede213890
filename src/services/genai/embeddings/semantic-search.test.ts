/**
 * Why vectors: a question that says what happened in other words than the event does. Keyword
 * search (the real full-text index) ranks the events sharing its words first; the vectors (a toy
 * multilingual embedder through the real service and sqlite-vec) find the event that means it;
 * reciprocal rank fusion of the two puts that event first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { createSqliteStorage } from '../../../adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import { textQuery } from '../../../domain/search/text-query.ts';
import type { Logger } from '../../../ports/logger.ts';
import type { Storage } from '../../../ports/storage.ts';
import { createEventIndexer } from '../../search/event-indexer.ts';
import { fuseRankings } from '../../search/rank-fusion.ts';
import { registryOf } from '../descriptions/testing/descriptions.ts';
import { JobRunner } from '../../jobs/job-runner.ts';
import { EmbeddingService } from './embedding.service.ts';
import { ScriptedEmbedder } from './testing/fake-embedder.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const MINUTE = 60_000;
const text = createTextAnalyzer();

const EVENTS = [
  storedEvent({ id: 'door-1', startMs: T0, en: 'Person p2 crossed the door line', zhHant: '人物 p2 穿越門口警戒線', keywords: ['person', 'crossing'] }),
  storedEvent({ id: 'gate-parcel', startMs: T0 + MINUTE, en: 'Person p1 left a parcel by the gate', zhHant: '人物 p1 在大門旁放下包裹', keywords: ['person'] }),
  storedEvent({ id: 'door-2', startMs: T0 + 2 * MINUTE, en: 'Person p4 walked to the door and back', zhHant: '人物 p4 走到門口又走回', keywords: ['person'] }),
  storedEvent({ id: 'car', type: 'object_seen', labels: ['car'], startMs: T0 + 3 * MINUTE, en: 'Car v1 entered the driveway', zhHant: '汽車 v1 駛入車道', keywords: ['car'] }),
];

describe('hybrid ranking: keywords fused with vectors', () => {
  let dir: string;
  let storage: Storage;
  let service: EmbeddingService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-hybrid-'));
    await seedDatabase(dir, EVENTS);
    storage = createSqliteStorage({ file: join(dir, 'vigil.db'), indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' ') });
    const { jobs, vectors: index } = storage;
    service = new EmbeddingService({
      jobs,
      index,
      events: storage.events,
      providers: registryOf(new ScriptedEmbedder()),
      providerName: 'local_embed',
      model: 'bge-m3',
      clock: { now: () => Date.now() },
      logger: silent,
    });
    await service.enqueue(EVENTS.map((e) => e.event.id));
    await new JobRunner({ queue: jobs, lanes: [service.jobLane()], kinds: ['embed_event'], clock: { now: () => Date.now() }, logger: silent }).processDue();
    expect((await index.info())?.count).toBe(EVENTS.length);
  });

  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the keyword search ranks, as SearchService asks the store. */
  const keywordIds = async (question: string): Promise<string[]> => {
    const match = textQuery(text.queryTokens(question), 'any');
    if (!match) return [];
    return (await storage.search.search({ text: match, limit: 10, order: 'relevance' })).hits.map((h) => h.stored.event.id);
  };

  const vectorIds = async (question: string): Promise<string[]> => {
    const similar = await service.similarEvents(question, { limit: 10, maxDistance: 0.5 });
    return similar.matches?.map((m) => m.eventId) ?? [];
  };

  it('puts the event that means the question first, where keywords rank others above it', async () => {
    const question = 'a person with a package at the door';
    const keywords = await keywordIds(question);
    expect(keywords.slice(0, 2).sort()).toEqual(['door-1', 'door-2']); // "person" and "door"
    expect(keywords).toContain('gate-parcel'); // "person" only: "parcel" is not "package"
    const vectors = await vectorIds(question);
    expect(vectors).toEqual(['gate-parcel']);
    const fused = fuseRankings([keywords, vectors]).map((f) => f.id);
    expect(fused[0]).toBe('gate-parcel');
    // Not by the tie rule: the order of the lists does not matter.
    expect(fuseRankings([vectors, keywords])[0]?.id).toBe('gate-parcel');
  });

  it('finds it when no word of the question is in any event, in either language', async () => {
    for (const question of ['courier delivery?', '有快遞嗎']) {
      const keywords = await keywordIds(question);
      expect(keywords).not.toContain('gate-parcel');
      expect(fuseRankings([keywords, await vectorIds(question)])[0]?.id).toBe('gate-parcel');
    }
  });
});
