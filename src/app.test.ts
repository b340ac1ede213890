import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveApiToken } from './app.ts';
import { parseConfigText, type LoadedConfig } from './config/index.ts';

const dirs: string[] = [];
function config(extra = ''): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-token-'));
  dirs.push(dir);
  return { ...parseConfigText(`storage:\n  data_dir: data\n${extra}`, { env: { VIGIL_API_TOKEN: 'from-the-environment-123' }, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('resolveApiToken', () => {
  it('needs no token on loopback addresses', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) expect(resolveApiToken(config(), host)).toEqual({ generated: false });
  });

  it('uses the configured token beyond localhost', () => {
    expect(resolveApiToken(config('server:\n  token: "{VIGIL_API_TOKEN}"\n'), '0.0.0.0')).toEqual({ token: 'from-the-environment-123', generated: false });
  });

  it('generates a token once, stores it privately, and reuses it', () => {
    const loaded = config();
    const first = resolveApiToken(loaded, '0.0.0.0');
    expect(first.generated).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const file = join(loaded.config.storage.data_dir, 'api-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveApiToken(loaded, '192.0.2.10')).toEqual({ token: first.token, generated: false });
  });
});
