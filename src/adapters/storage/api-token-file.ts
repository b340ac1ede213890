import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TOKEN_FILE = 'api-token';

/** The API token kept in the data directory, if one was generated. */
export function readApiToken(dataDir: string): string | undefined {
  const file = join(dataDir, TOKEN_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/** The token kept in the data directory, generated (readable by its owner only) on first use. */
export function ensureApiToken(dataDir: string): { token: string; generated: boolean; file: string } {
  const file = join(dataDir, TOKEN_FILE);
  const existing = readApiToken(dataDir);
  if (existing) return { token: existing, generated: false, file };
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generated: true, file };
}
