/**
 * End to end below HTTP: the real Ollama adapter (/api/embed) behind the real provider queue,
 * a real database with sqlite-vec, and a fake Ollama server answering with small fixed vectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from '../../../../test/support/fake-llm-server.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { createOllamaProvider } from '../../../adapters/llm/ollama/ollama-provider.ts';
import { createSqliteStorage } from '../../../adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import type { Logger } from '../../../ports/logger.ts';
import { ProviderQueue } from '../queue/index.ts';
import { JobRunner } from '../../jobs/job-runner.ts';
import { createEventIndexer } from '../../search/event-indexer.ts';
import { EmbeddingService } from './embedding.service.ts';
import { conceptVector } from './testing/fake-embedder.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const text = createTextAnalyzer();
const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
const EVENTS = [
  storedEvent({ id: 'parcel', cameraId: 'front', startMs: T0, en: 'Person p1 left a parcel by the gate', zhHant: '人物 p1 在大門旁放下包裹', keywords: ['person'] }),
  storedEvent({ id: 'car', cameraId: 'front', type: 'object_seen', labels: ['car'], startMs: T0 + 60_000, en: 'Car v1 seen in the driveway', zhHant: '汽車 v1 出現在車道', keywords: ['car'] }),
  storedEvent({ id: 'door', cameraId: 'back', startMs: T0 + 120_000, en: 'Person p2 crossed the door line', zhHant: '人物 p2 穿越門口警戒線', keywords: ['person'] }),
];

const embedBody = z.object({ model: z.string(), input: z.array(z.string()), keep_alive: z.string() });
/** Answers like Ollama's /api/embed, with the toy concept vectors. */
const embedReply = (request: RecordedRequest) => ({
  json: { model: 'bge-m3', embeddings: embedBody.parse(request.json).input.map(conceptVector), prompt_eval_count: 42 },
});

describe('embeddings through the Ollama adapter', () => {
  let server: FakeLlmServer;
  let dataDir: string;
  let now: number;

  beforeAll(async () => {
    server = await startFakeLlmServer();
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-embed-ollama-'));
    await seedDatabase(dataDir, EVENTS);
  });

  beforeEach(() => {
    server.reset();
    server.setFallback(embedReply);
    now = T0 + 3_600_000;
  });

  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function start() {
    const storage = createSqliteStorage({ file: join(dataDir, 'vigil.db'), indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' '), now: () => now });
    const queue = new ProviderQueue({
      provider: createOllamaProvider({
        name: 'local',
        kind: 'ollama',
        model: 'llava:7b',
        embeddingModel: 'bge-m3',
        baseUrl: server.url,
        providerOptions: { keep_alive: '10m' },
        timeoutMs: 5000,
      }),
      options: { retry: { maxAttempts: 1 } },
      logger: silent,
    });
    const { jobs, vectors: index } = storage;
    const service = new EmbeddingService({
      jobs,
      index,
      events: storage.events,
      providers: { names: () => ['local'], get: (name, context) => (name === 'local' ? queue.provider(context) : undefined) },
      providerName: 'local',
      model: 'bge-m3',
      clock: { now: () => now },
      logger: silent,
      retry: { baseMs: 15_000 },
    });
    const runner = new JobRunner({ queue: jobs, lanes: [service.jobLane()], kinds: ['embed_event'], clock: { now: () => now }, logger: silent });
    return { storage, jobs, index, service, queue, runner };
  }

  it('embeds every event in one /api/embed call, after an outage, and answers a question by meaning', async () => {
    const { storage, jobs, index, service, queue, runner } = start();
    server.reply({ status: 503, json: { error: 'model is loading' } });
    expect(await service.enqueue(['parcel', 'car', 'door'])).toBe(3);

    await runner.processDue();
    expect(await jobs.get('embed_event', 'parcel')).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: now + 15_000, lastError: expect.stringMatching(/^provider_unavailable/) });
    now += 15_000;
    expect(await runner.processDue()).toBe(3);

    expect(server.requests).toHaveLength(2);
    const batch = server.lastRequest();
    expect(batch.path).toBe('/api/embed');
    expect(embedBody.parse(batch.json)).toEqual({
      model: 'bge-m3',
      keep_alive: '10m',
      // Due at the same time: taken in id order.
      input: [
        'Car v1 seen in the driveway\n汽車 v1 出現在車道\ncar',
        'Person p2 crossed the door line\n人物 p2 穿越門口警戒線\nperson',
        'Person p1 left a parcel by the gate\n人物 p1 在大門旁放下包裹\nperson',
      ],
    });
    expect(await index.info()).toEqual({ model: 'bge-m3', dimension: 4, count: 3 });

    // 「有快遞嗎」 ("any courier?") shares no word with any event.
    const similar = await service.similarEvents('有快遞嗎', { limit: 3 });
    expect(similar.matches?.map((m) => m.eventId)).toEqual(['parcel', 'door', 'car']);
    expect(similar.matches?.[0]?.distance).toBeLessThan(0.01);
    expect(embedBody.parse(server.lastRequest().json).input).toEqual(['有快遞嗎']);
    const vehicles = await service.similarEvents('a truck?', { limit: 3, filter: { cameraIds: ['front'] }, maxDistance: 0.5 });
    expect(vehicles.matches?.map((m) => m.eventId)).toEqual(['car']);
    expect(queue.stats().totals).toMatchObject({ calls: 4, successes: 3, failures: { provider_unavailable: 1 }, tokens: { input: 126 } });
    await storage.close();
  });

  it('falls back to keywords, saying why, when Ollama refuses the question', async () => {
    const { storage, service } = start();
    server.reply({ status: 404, json: { error: 'model "bge-m3" not found, try pulling it first' } });
    const similar = await service.similarEvents('a parcel', { limit: 3 });
    expect(similar).toMatchObject({ matches: undefined, reason: 'provider_failed', detail: expect.stringMatching(/^provider_bad_request: .*not found/) });
    await storage.close();
  });
});
