import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
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
const DAY = 86_400_000;
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
    it('creates a key and finds it by name, id and hash, limits and all', async () => {
      const limits: GatewayKeyLimits = { ...NO_LIMITS, models: ['qwen3*', 'llama3.2'], requestsPerMinute: 60, tokensPerDay: 100_000, priority: 'background' };
      const created = await store.create(newKey('alice', { limits }));
      expect(created).toEqual({ id: 'id-1', name: 'alice', prefix: 'vk_alice', createdAt: T0, revokedAt: null, lastUsedAt: null, limits });
      expect(await store.find('alice')).toEqual(created);
      expect(await store.find('id-1')).toEqual(created);
      expect(await store.findByHash('hash-of-alice')).toEqual(created);
      expect(await store.find('bob')).toBeUndefined();
      expect(await store.findByHash('hash-of-bob')).toBeUndefined();
    });

    it('refuses a name already taken, revoked or not, with invalid_argument', async () => {
      await store.create(newKey('alice'));
      await store.revoke('alice', T0 + 1);
      const again = () => store.create(newKey('alice', { secretHash: 'another-hash' }));
      await expect(again()).rejects.toThrow(VigilError);
      await expect(again()).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/"alice" already exists/) }));
      expect(await store.list()).toHaveLength(1);
    });

    it('a name wins over an id that looks the same', async () => {
      await store.create(newKey('alice'));
      const impostor = await store.create(newKey('id-1', { secretHash: 'h2' }));
      expect(await store.find('id-1')).toEqual(impostor);
      expect(await store.find('id-2')).toEqual(impostor);
    });

    it('lists keys oldest first', async () => {
      await store.create(newKey('zed', { createdAt: T0 }));
      await store.create(newKey('amy', { createdAt: T0 + 10, secretHash: 'h-amy' }));
      await store.create(newKey('bea', { createdAt: T0 - 10, secretHash: 'h-bea' }));
      expect((await store.list()).map((k) => k.name)).toEqual(['bea', 'zed', 'amy']);
    });

    it('revokes once: revoking again keeps the first time; unknown keys are not_found', async () => {
      await store.create(newKey('alice'));
      expect((await store.revoke('alice', T0 + 5)).revokedAt).toBe(T0 + 5);
      expect((await store.revoke('id-1', T0 + 9)).revokedAt).toBe(T0 + 5);
      expect((await store.findByHash('hash-of-alice'))?.revokedAt).toBe(T0 + 5);
      await expect(store.revoke('nobody', T0)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('replaces limits; unknown keys are not_found', async () => {
      await store.create(newKey('alice'));
      const limits = { ...NO_LIMITS, concurrentRequests: 2, maxOutputTokens: 4096 };
      expect((await store.updateLimits('alice', limits)).limits).toEqual(limits);
      expect((await store.find('alice'))?.limits).toEqual(limits);
      await expect(store.updateLimits('nobody', limits)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('touch moves last use forward only', async () => {
      await store.create(newKey('alice'));
      await store.touch('id-1', T0 + 100);
      await store.touch('id-1', T0 + 50);
      expect((await store.find('alice'))?.lastUsedAt).toBe(T0 + 100);
    });

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
    it('adds requests up per key, model and UTC day', async () => {
      const alice = await store.create(newKey('alice'));
      await store.record(use(alice.id, T0));
      await store.record(use(alice.id, T0 + 60_000, 'qwen3', { ok: false, inputTokens: 50, outputTokens: 0, queueWaitMs: 1.6, latencyMs: 10 }));
      // 23:30 + 40 min is the next UTC day.
      await store.record(use(alice.id, T0 + 40 * 60_000));
      await store.record(use(alice.id, T0, 'llama3.2', { inputTokens: 7, outputTokens: 3 }));
      expect(await store.usage({})).toEqual([
        { keyId: alice.id, keyName: 'alice', model: 'qwen3', day: '2026-12-02', requests: 1, failures: 0, inputTokens: 100, outputTokens: 20, queueWaitMsTotal: 5, latencyMsTotal: 300 },
        { keyId: alice.id, keyName: 'alice', model: 'llama3.2', day: '2026-12-01', requests: 1, failures: 0, inputTokens: 7, outputTokens: 3, queueWaitMsTotal: 5, latencyMsTotal: 300 },
        { keyId: alice.id, keyName: 'alice', model: 'qwen3', day: '2026-12-01', requests: 2, failures: 1, inputTokens: 150, outputTokens: 20, queueWaitMsTotal: 7, latencyMsTotal: 310 },
      ]);
      expect(await store.tokensOn(alice.id, '2026-12-01')).toBe(100 + 20 + 50 + 7 + 3);
      expect(await store.tokensOn(alice.id, '2026-12-02')).toBe(120);
      expect(await store.tokensOn(alice.id, '2026-11-30')).toBe(0);
    });

    it('filters by day range (inclusive) and key', async () => {
      const alice = await store.create(newKey('alice'));
      const bob = await store.create(newKey('bob'));
      for (let d = 0; d < 4; d++) await store.record(use(alice.id, T0 + d * DAY));
      await store.record(use(bob.id, T0 + DAY));
      const days = (rows: Array<{ day: string; keyName: string }>) => rows.map((r) => `${r.day} ${r.keyName}`);
      expect(days(await store.usage({ fromDay: '2026-12-02', toDay: '2026-12-03' }))).toEqual(['2026-12-03 alice', '2026-12-02 alice', '2026-12-02 bob']);
      expect(days(await store.usage({ fromDay: '2026-12-03' }))).toEqual(['2026-12-04 alice', '2026-12-03 alice']);
      expect(days(await store.usage({ toDay: '2026-12-01' }))).toEqual(['2026-12-01 alice']);
      expect(days(await store.usage({ keyId: bob.id }))).toEqual(['2026-12-02 bob']);
    });

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
