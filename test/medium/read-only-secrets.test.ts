/**
 * `vigil events` and `vigil search` read the database and never call a model, so a genai
 * provider's key missing from the environment must not stop them: that provider is off and a
 * warning line says so. Commands that call the model still fail, naming the variable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEvent } from '../factories/stored-events.ts';
import { runCli } from '../support/cli.ts';
import { seedDatabase } from '../support/seed-database.ts';

let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-read-only-secrets-'));
  configFile = join(dir, 'vigil.yml');
  writeFileSync(
    configFile,
    `storage:
  data_dir: data
genai:
  enabled: true
  providers:
    local: { provider: ollama, model: "qwen2.5vl:7b", base_url: "http://127.0.0.1:9" }
    writer: { provider: openai, model: gpt-4o-mini, api_key: "{VIGIL_OPENAI_KEY}" }
  roles: { descriptions: local, answers: writer }
  analyze_image:
    instances:
      porch: { vision: local, text: writer }
`,
  );
  await seedDatabase(join(dir, 'data'), [storedEvent({ id: 'gate-1', startMs: Date.UTC(2026, 11, 1, 14), en: 'Person p1 crossed the gate line', zhHant: '人物 p1 穿越大門警戒線' })]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WARNING = 'warning: genai provider "writer" is off: environment variable VIGIL_OPENAI_KEY is not set (genai.providers.writer.api_key)\n';

describe('read-only commands with a genai secret unset', () => {
  it('vigil events lists the events and says which provider is off', async () => {
    const result = await runCli(['events', '--config', configFile, '--json'], { env: {} });
    expect(result.stderr).toBe(WARNING);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ total: 1, events: [{ id: 'gate-1' }] });
  });

  it('vigil search answers without the answers model, and says which provider is off', async () => {
    const result = await runCli(['search', 'who crossed the gate line', '--config', configFile, '--json'], { env: {} });
    expect(result.stderr).toBe(WARNING);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: [{ id: 'gate-1' }] });
  });

  it('vigil describe still refuses to start, naming the variable and the field', async () => {
    const result = await runCli(['describe', 'gate-1', '--config', configFile], { env: {} });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('genai.providers.writer.api_key: environment variable VIGIL_OPENAI_KEY is not set');
  });

  it('with the variable set, nothing is turned off and nothing is said', async () => {
    const result = await runCli(['events', '--config', configFile, '--json'], { env: { VIGIL_OPENAI_KEY: 'sk-test-123456' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
