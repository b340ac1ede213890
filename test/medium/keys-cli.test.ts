/** `vigil keys` through the CLI, on a real database: the secret is shown once and stored nowhere. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { runCli } from '../support/cli.ts';
import { silentLogger } from '../support/live.ts';

interface ListedKey {
  name: string;
  prefix: string;
  revokedAt: number | null;
  limits: { requestsPerMinute: number | null; models: string[] | null; priority: string };
}

describe('vigil keys', () => {
  let dir: string;
  let configFile: string;
  const keys = (...args: string[]) => runCli(['keys', ...args, '--config', configFile]);
  /** The cells of a key's line in `vigil keys list` (columns are two or more spaces apart). */
  const listRow = async (name: string) => {
    const line = (await keys('list')).stdout.split('\n').find((l) => l.startsWith(`${name} `));
    const [, prefix, created, lastUsed, revoked, limits] = line?.split(/ {2,}/) ?? [];
    return { prefix, created, lastUsed, revoked, limits };
  };
  /** Every byte Vigil wrote under the data directory (the database, its WAL and shared memory). */
  const storedBytes = () => {
    const dataDir = join(dir, 'data');
    return Buffer.concat(
      readdirSync(dataDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => readFileSync(join(entry.parentPath, entry.name))),
    );
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-keys-cli-'));
    configFile = join(dir, 'vigil.yml');
    // No default limits, so that what is printed is what each test asked for.
    writeFileSync(
      configFile,
      'storage:\n  data_dir: data\ngateway:\n  key_defaults: { requests_per_minute: none, concurrent_requests: none, max_context_tokens: none, max_output_tokens: none }\n',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('create, list, usage, revoke: the secret is printed once and only its hash is stored', async () => {
    const created = await keys('create', 'alice', '--rpm', '30', '--models', 'qwen3*,llama3.2');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secrets = created.stdout.match(/vk_[A-Za-z0-9_-]{43}/g) ?? [];
    expect(secrets).toHaveLength(1);
    const secret = secrets[0]!;
    expect(created.stdout).toMatch(/will not be shown again/);
    expect(created.stdout).toMatch(/ANTHROPIC_AUTH_TOKEN=/);
    expect(created.stdout).toMatch(/Authorization: Bearer/);

    const listed = await keys('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^alice\\s+${secret.slice(0, 8)}\\s`, 'm'));
    expect(listed.stdout).not.toContain(secret.slice(8, 20));
    const json = await keys('list', '--json');
    const parsed = JSON.parse(json.stdout) as ListedKey[];
    expect(parsed).toMatchObject([{ name: 'alice', prefix: secret.slice(0, 8), revokedAt: null, limits: { requestsPerMinute: 30, models: ['qwen3*', 'llama3.2'], priority: 'interactive' } }]);
    expect(json.stdout).not.toContain(secret.slice(8, 20));
    expect(json.stdout).not.toMatch(/secret|hash/i);

    const empty = await keys('usage');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^No gateway requests from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\)\.$/m);
    expect(JSON.parse((await keys('usage', '--json')).stdout)).toMatchObject({ rows: [], totals: [] });

    // The gateway's side, as `vigil serve` builds it: the secret opens the key, and its requests are counted.
    const vigil = createVigil(await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir }), { logger: silentLogger });
    try {
      const key = await vigil.gatewayKeys.authenticate(secret);
      expect(key?.name).toBe('alice');
      const at = Date.now();
      await vigil.gatewayKeys.recordUsage({ keyId: key!.id, model: 'qwen3', at, ok: true, inputTokens: 1200, outputTokens: 300, queueWaitMs: 40, latencyMs: 900 });
      await vigil.gatewayKeys.recordUsage({ keyId: key!.id, model: 'qwen3', at, ok: false, inputTokens: 800, outputTokens: 0, queueWaitMs: 0, latencyMs: 100 });
    } finally {
      await vigil.close();
    }
    const used = await keys('usage', '--key', 'alice', '--days', '1');
    expect(used.code).toBe(0);
    expect(used.stdout).toMatch(/^alice\s+qwen3\s+2\s+1\s+2,000\s+300\s+20 ms\s+500 ms$/m);
    const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z$/;
    expect(await listRow('alice')).toEqual({ prefix: secret.slice(0, 8), created: expect.stringMatching(TIME), lastUsed: expect.stringMatching(TIME), revoked: '-', limits: 'models qwen3*,llama3.2; 30/min; interactive' });

    const revoked = await keys('revoke', 'alice');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/Revoked gateway key "alice"/);
    const after = JSON.parse((await keys('list', '--json')).stdout) as ListedKey[];
    expect(after[0]?.revokedAt).toEqual(expect.any(Number));
    expect((await listRow('alice')).revoked).toMatch(TIME);
    // Revoked: the secret no longer opens anything, and the usage stays.
    const reopened = createVigil(await loadConfig({ file: configFile, explicit: true, env: {}, cwd: dir }), { logger: silentLogger });
    try {
      expect(await reopened.gatewayKeys.authenticate(secret)).toBeUndefined();
    } finally {
      await reopened.close();
    }
    expect((await keys('usage', '--days', '1')).stdout).toMatch(/^alice\s+qwen3\s+2\s/m);

    const bytes = storedBytes();
    expect(bytes.includes(createHash('sha256').update(secret).digest('hex'))).toBe(true);
    expect(bytes.includes(secret)).toBe(false);
    expect(bytes.includes(secret.slice(8))).toBe(false);
  });

  it('bad input: a clear message and a non-zero exit', async () => {
    expect(await keys('create', 'bad name')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^vigil: Invalid key name "bad name"/) });
    expect(await keys('create', 'bob', '--rpm', 'lots')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--rpm expects a whole number/) });
    expect(await keys('create', 'bob', '--priority', 'urgent')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--priority/) });
    expect((await keys('create', 'bob')).code).toBe(0);
    expect(await keys('create', 'bob')).toMatchObject({ code: 2, stderr: expect.stringMatching(/"bob" already exists/) });
    expect(await keys('revoke', 'carol')).toMatchObject({ code: 1, stderr: expect.stringMatching(/No gateway key is named "carol"/) });
    expect(await keys('limits', 'carol', '--rpm', '5')).toMatchObject({ code: 1, stderr: expect.stringMatching(/No gateway key is named "carol"/) });
    expect(await keys('usage', '--days', '0')).toMatchObject({ code: 2, stderr: expect.stringMatching(/days must be a whole number/) });
    expect(await keys('usage', '--key', 'carol')).toMatchObject({ code: 1, stderr: expect.stringMatching(/carol/) });

    const changed = await keys('limits', 'bob', '--concurrency', '3', '--max-output', '4096', '--priority', 'background');
    expect(changed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^bob \(vk_\S{5}\): models all; 3 at once; output 4,096; background$/m) });
    expect((await keys('limits', 'bob', '--concurrency', 'none')).stdout).toMatch(/^bob \(vk_\S{5}\): models all; output 4,096; background$/m);
  });
});
