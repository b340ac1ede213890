/**
 * One question, one answer: `vigil search` and `GET /api/search` go through the same parts of the
 * composition root (search, embeddings when configured, the answers model), so for the same
 * question over the same data they give the same body, the model-written answer included.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { loadConfig, type LoadedConfig } from '../../src/config/index.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { searchResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { runCli } from '../support/cli.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { seedDatabase } from '../support/seed-database.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T = Date.UTC(2026, 10, 20, 14, 0, 0);

let dir: string;
let configFile: string;
let openai: FakeLlmServer;
let loaded: LoadedConfig;

const completion = (content: string) => ({
  json: { id: 'c', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 400, completion_tokens: 40 } },
});
const ANSWER = JSON.stringify({
  answer: 'Yes: one person (p2) loitered in the porch at the back door for 70 s.',
  cited_event_ids: ['back-loiter-1'],
  timeline: [{ event_id: 'back-loiter-1', time: '22:20:00', what: 'p2 loitered in the porch for 70 s' }],
  missing_info: [],
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-same-answer-'));
  openai = await startFakeLlmServer();
  configFile = join(dir, 'vigil.yml');
  writeFileSync(
    configFile,
    `storage:\n  data_dir: data\nsearch:\n  timezone: Asia/Taipei\ngenai:\n  providers:\n    writer: { provider: openai, model: gpt-4o-mini, base_url: "${openai.url}/v1", api_key: "sk-test-123456789" }\n  roles: { answers: writer }\ncameras:\n  back:\n    aliases: [後門, back door]\n    input: back.mp4\n`,
  );
  loaded = await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir });
  await seedDatabase(
    loaded.config.storage.data_dir,
    [
      storedEvent({ id: 'back-loiter-1', type: 'loitering', rule: 'porch', startMs: T + 20 * 60_000, durationMs: 70_000, en: 'Person p2 loitered in porch for 70 s', zhHant: '人物 p2 在「門廊」徘徊 70 秒' }),
      storedEvent({ id: 'back-cross-1', type: 'line_crossing', rule: 'door', startMs: T + 40 * 60_000, en: 'Person p5 crossed the door line', zhHant: '人物 p5 穿越門口警戒線' }),
    ],
    cameraDirectory(loaded.config),
  );
});
afterAll(async () => {
  await openai.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the same question from the CLI and the API', () => {
  it.each(['did anyone loiter at the back door', '後門有人徘徊嗎'])('gives the same answer to "%s", written by the answers model', async (question) => {
    openai.reset();
    openai.reply(completion(ANSWER));
    openai.reply(completion(ANSWER));

    const cli = await runCli(['search', question, '--json', '--config', configFile], { cwd: dir });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const fromCli = searchResponseSchema.parse(JSON.parse(cli.stdout));

    const vigil = createVigil(loaded, { logger: silent });
    try {
      const response = await vigil.httpApp().request(`/api/search?q=${encodeURIComponent(question)}&limit=10`);
      const fromApi = searchResponseSchema.parse(await response.json());
      expect(fromApi.answer?.generated).toBe(true);
      expect(fromApi.answer?.cited).toEqual(['back-loiter-1']);
      expect(fromCli).toEqual(fromApi);
    } finally {
      await vigil.close();
    }
    // Both asked the model, with the same candidates.
    expect(openai.requests).toHaveLength(2);
    expect(openai.requests[0]!.json).toEqual(openai.requests[1]!.json);

    // The text output says the model's answer too.
    openai.reply(completion(ANSWER));
    const text = await runCli(['search', question, '--config', configFile], { cwd: dir });
    expect(text.stdout.split('\n')[0]).toBe('Yes: one person (p2) loitered in the porch at the back door for 70 s.');
  });
});
