/**
 * End to end below HTTP: the real Ollama adapter behind the real provider queue, real key-frame
 * files prepared by sharp, a real database, and a fake Ollama server recording what it is sent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { seedDatabase } from '../../../../test/support/seed-database.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../../../../test/support/fake-llm-server.ts';
import { createOllamaProvider } from '../../../adapters/llm/ollama/ollama-provider.ts';
import { SharpImagePreparer } from '../../../adapters/media/sharp-image-preparer.ts';
import { createSqliteStorage } from '../../../adapters/storage/sqlite/sqlite-storage.ts';
import { createTextAnalyzer } from '../../../adapters/text/text-analyzer.ts';
import type { Logger } from '../../../ports/logger.ts';
import { ProviderQueue } from '../queue/index.ts';
import { createEventIndexer } from '../../search/event-indexer.ts';
import { DescriptionService } from './description.service.ts';
import { descriptionJsonSchema } from './description-schema.ts';
import { DEFAULT_CAMERA_GENAI } from './description-settings.ts';
import { validDescription } from './testing/descriptions.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const text = createTextAnalyzer();

const chatReply = (content: string) => ({ json: { model: 'llava:7b', message: { role: 'assistant', content }, done: true, prompt_eval_count: 900, eval_count: 120 } });

describe('descriptions through the Ollama adapter', () => {
  let server: FakeLlmServer;
  let dataDir: string;

  beforeAll(async () => {
    server = await startFakeLlmServer();
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-describe-ollama-'));
    const stored = storedEvent({ id: 'gate-1', startMs: Date.UTC(2024, 4, 1, 14), en: 'Person p1 crossed the gate line', zhHant: '人物 p1 穿越大門警戒線', snapshotPath: 'runs/run-1/events/gate-1/snapshot.jpg' });
    const thumbnail = 'runs/run-1/events/gate-1/thumb-p1.jpg';
    await seedDatabase(dataDir, [{ ...stored, thumbnails: { p1: thumbnail } }]);
    // A 1600x1200 snapshot (resized to image_max_size on the way) and a small crop.
    const images: Array<[string, number, number]> = [
      [stored.snapshotPath!, 1600, 1200],
      [thumbnail, 96, 192],
    ];
    for (const [path, width, height] of images) {
      mkdirSync(dirname(join(dataDir, path)), { recursive: true });
      writeFileSync(join(dataDir, path), await sharp({ create: { width, height, channels: 3, background: '#336699' } }).jpeg().toBuffer());
    }
  });

  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the key frames as images and the schema as format, and stores the answer', async () => {
    const storage = createSqliteStorage({ file: join(dataDir, 'vigil.db'), indexer: createEventIndexer(text, []), tokenize: (t) => text.indexTokens(t).join(' ') });
    const queue = new ProviderQueue({
      provider: createOllamaProvider({ name: 'local_vlm', kind: 'ollama', model: 'llava:7b', baseUrl: server.url, providerOptions: { keep_alive: '10m' }, timeoutMs: 5000 }),
      logger: silent,
    });
    const service = new DescriptionService({
      jobs: storage.jobs,
      store: storage.descriptions,
      events: storage.events,
      providers: { names: () => ['local_vlm'], get: (name, context) => (name === 'local_vlm' ? queue.provider(context) : undefined) },
      providerName: 'local_vlm',
      preparer: new SharpImagePreparer(),
      readFile: async (path) => readFile(join(dataDir, path)).then((b) => new Uint8Array(b), () => undefined),
      genai: { object_prompts: {}, languages: ['zh-Hant', 'en'], image_max_size: 640 },
      cameras: [{ id: 'back', name: 'Back door', timeZone: 'Asia/Taipei', genai: DEFAULT_CAMERA_GENAI }],
      defaultTimeZone: 'UTC',
      clock: { now: () => Date.now() },
      logger: silent,
    });
    server.reply(chatReply(JSON.stringify(validDescription('紅色外套'))));

    const view = await service.describe('gate-1', { manual: true });

    expect(view).toMatchObject({ status: 'done', description: { model: 'llava:7b', flagged: false, json: validDescription('紅色外套') } });
    const request = server.lastRequest();
    expect(request.path).toBe('/api/chat');
    const body = request.json as { model: string; stream: boolean; keep_alive: string; format: unknown; messages: Array<{ role: string; content: string; images?: string[] }>; options: unknown };
    expect(body).toMatchObject({ model: 'llava:7b', stream: false, keep_alive: '10m', options: { temperature: 0.2, num_predict: 2048 } });
    expect(body.format).toEqual(descriptionJsonSchema(['zh-Hant', 'en']).schema);
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const user = body.messages[1]!;
    expect(user.content).toContain('1. Close-up of person p1');
    expect(user.content).toContain('2. Snapshot of frame 0');
    // Bare base64 JPEGs, the snapshot fitted into 640 px.
    expect(user.images).toHaveLength(2);
    const sizes = await Promise.all(user.images!.map((b64) => sharp(Buffer.from(b64, 'base64')).metadata()));
    expect(sizes.map((m) => [m.format, m.width, m.height])).toEqual([
      ['jpeg', 96, 192],
      ['jpeg', 640, 480],
    ]);
    const hit = storage.db.prepare('SELECT e.id FROM events_fts JOIN events e ON e.rowid = events_fts.rowid WHERE events_fts MATCH ?').all('"外套"');
    expect(hit).toEqual([{ id: 'gate-1' }]);
    await storage.close();
  });
});
