import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import type { z } from 'zod';
import { searchResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
/** A response body read with the contract's schema: the test fails if the server strays from it. */
async function read<S extends z.ZodType>(schema: S, response: Response | Promise<Response>): Promise<z.output<S>> {
  return schema.parse(await (await response).json());
}
const T = Date.UTC(2026, 10, 20, 14, 0, 0);

let dir: string;
let openai: FakeLlmServer;
let loaded: LoadedConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-answers-'));
  openai = await startFakeLlmServer();
  const text = `storage:\n  data_dir: data\nsearch:\n  timezone: Asia/Taipei\ngenai:\n  providers:\n    writer: { provider: openai, model: gpt-4o-mini, base_url: "${openai.url}/v1", api_key: "sk-test-123456789" }\n  roles: { answers: writer }\ncameras:\n  back:\n    aliases: [後門]\n    input: back.mp4\n`;
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  await seedDatabase(
    loaded.config.storage.data_dir,
    [
      storedEvent({ id: 'back-loiter-1', type: 'loitering', rule: 'porch', startMs: T + 20 * 60_000, durationMs: 70_000, en: 'Person p2 loitered in porch for 70 s', zhHant: '人物 p2 在「門廊」徘徊 70 秒' }),
      storedEvent({ id: 'back-loiter-2', type: 'loitering', rule: 'porch', startMs: T + 40 * 60_000, durationMs: 30_000, en: 'Person p5 loitered in porch for 30 s', zhHant: '人物 p5 在「門廊」徘徊 30 秒' }),
    ],
    cameraDirectory(loaded.config),
  );
});
afterAll(async () => {
  await openai.close();
  rmSync(dir, { recursive: true, force: true });
});

function app() {
  const vigil = createVigil(loaded, { logger: silent, clock: { now: () => Date.UTC(2026, 10, 21, 7, 30, 0) } });
  return { http: vigil.httpApp(), close: () => vigil.close() };
}

const completion = (content: string) => ({
  json: { id: 'c', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 500, completion_tokens: 60 } },
});

describe('answers written by a model, with citations checked', () => {
  const question = `/api/search?q=${encodeURIComponent('昨天晚上10點到11點後門有沒有人徘徊？')}`;

  it('keeps a cited answer and drops citations of events that were not found', async () => {
    openai.reset();
    openai.reply(
      completion(
        JSON.stringify({
          answer: '有，兩次：人物 p2 在門廊徘徊 70 秒，人物 p5 徘徊 30 秒。',
          timeline: [
            { event_id: 'back-loiter-1', time: '22:20', what: '人物 p2 徘徊 70 秒' },
            { event_id: 'made-up-event', time: '22:30', what: '不存在' },
          ],
          missing_info: [],
          cited_event_ids: ['back-loiter-1', 'back-loiter-2', 'made-up-event'],
        }),
      ),
    );
    const { http, close } = app();
    const body = await read(searchResponseSchema, http.request(question));
    await close();
    expect(body.answer).toMatchObject({ text: '有，兩次：人物 p2 在門廊徘徊 70 秒，人物 p5 徘徊 30 秒。', generated: true, model: 'gpt-4o-mini' });
    expect(body.answer.cited.sort()).toEqual(['back-loiter-1', 'back-loiter-2']);
    expect(body.answer.timeline.map((t) => t.event_id)).toEqual(['back-loiter-1']);
    // The model saw the candidates and was told the language and to cite ids.
    const sent = JSON.stringify(openai.lastRequest().json);
    expect(sent).toContain('back-loiter-1');
    expect(sent).toContain('Traditional Chinese');
  });

  it('falls back to the deterministic answer, saying why, when the model answers nonsense', async () => {
    openai.reset();
    openai.reply(completion('I think so?'));
    const { http, close } = app();
    const body = await read(searchResponseSchema, http.request(question));
    await close();
    expect(body.answer).toMatchObject({ generated: false, fallback_reason: "the model's answer was not valid JSON" });
    expect(body.answer.text).toMatch(/^找到 2 個徘徊事件/);
    expect(body.events.map((e) => e.id)).toEqual(['back-loiter-1', 'back-loiter-2']);
  });
});
