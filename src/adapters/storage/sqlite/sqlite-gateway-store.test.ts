import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayKeyLimits, NewGatewayKey } from '../../../ports/gateway-store.ts';
import { openSqliteDatabase } from './sqlite-analysis-store.ts';
import { SqliteGatewayStore } from './sqlite-gateway-store.ts';

const NO_LIMITS: GatewayKeyLimits = {
  models: null,
  requestsPerMinute: null,
  concurrentRequests: null,
  tokensPerDay: null,
  maxContextTokens: null,
  maxOutputTokens: null,
  priority: 'interactive',
};
const T0 = Date.UTC(2026, 11, 1, 23, 30);

const newKey = (name: string, overrides: Partial<NewGatewayKey> = {}): NewGatewayKey => ({
  name,
  prefix: `vk_${name.slice(0, 5)}`,
  secretHash: `hash-of-${name}`,
  createdAt: T0,
  limits: NO_LIMITS,
  ...overrides,
});

const use = (keyId: string, at: number, model = 'qwen3', overrides: Record<string, unknown> = {}) => ({
  keyId,
  model,
  at,
  ok: true,
  inputTokens: 100,
  outputTokens: 20,
  queueWaitMs: 5,
  latencyMs: 300,
  ...overrides,
});

/**
 * What is SQLite's own in SqliteGatewayStore: its columns and constraints as the file holds them.
 * The behaviour of the ports is test/contract/storage/gateway-store.contract.test.ts, on every backend.
 */
describe('SqliteGatewayStore', () => {
  let dir: string;
  let db: Database.Database;
  let store: SqliteGatewayStore;
  let ids: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-gateway-store-'));
    db = openSqliteDatabase(join(dir, 'vigil.db'));
    ids = 0;
    store = new SqliteGatewayStore(db, { newId: () => `id-${++ids}` });
  });

  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('keys', async () => {
    it('stores the hash and prefix, and a row with broken limits is reported, not passed on', async () => {
      await store.create(newKey('alice'));
      expect(db.prepare('SELECT secret_hash, prefix FROM gateway_keys').get()).toEqual({ secret_hash: 'hash-of-alice', prefix: 'vk_alice' });
      db.prepare(`UPDATE gateway_keys SET limits_json = '{"models":"all"}'`).run();
      await expect(store.find('alice')).rejects.toThrow(expect.objectContaining({ code: 'storage_failed' }));
      db.prepare(`UPDATE gateway_keys SET limits_json = 'not json'`).run();
      await expect(store.list()).rejects.toThrow(/not JSON/);
    });
  });

  describe('usage', async () => {
    it("keeps a revoked key's usage, and the key itself cannot be deleted from under it", async () => {
      const alice = await store.create(newKey('alice'));
      await store.record(use(alice.id, T0));
      await store.revoke('alice', T0 + 1);
      expect(await store.usage({})).toHaveLength(1);
      expect(() => db.prepare('DELETE FROM gateway_keys').run()).toThrow(/FOREIGN KEY/);
    });

    it('refuses usage of a key that does not exist', async () => {
      await expect(store.record(use('ghost', T0))).rejects.toThrow(/FOREIGN KEY/);
    });
  });
});
