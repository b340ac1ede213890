import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/domain/errors.ts';
import type { GatewayKeyLimits, GatewayKeyStore, GatewayUsageEntry, GatewayUsageStore, NewGatewayKey } from '../../../src/ports/gateway-store.ts';
import { storageBackends, type TestStorage } from './backends.ts';

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

const use = (keyId: string, at: number, model = 'qwen3', overrides: Partial<GatewayUsageEntry> = {}): GatewayUsageEntry => ({
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

describe.each(await storageBackends())('GatewayKeyStore and GatewayUsageStore on %s', (backend) => {
  let test: TestStorage;
  let keys: GatewayKeyStore;
  let usage: GatewayUsageStore;

  beforeEach(async () => {
    test = await backend.create();
    keys = test.storage.gatewayKeys;
    usage = test.storage.gatewayUsage;
  });

  afterEach(async () => {
    await test.dispose();
  });

  describe('keys', () => {
    it('creates a key and finds it by name, id and hash, limits and all', async () => {
      const limits: GatewayKeyLimits = { ...NO_LIMITS, models: ['qwen3*', 'llama3.2'], requestsPerMinute: 60, tokensPerDay: 100_000, priority: 'background' };
      const created = await keys.create(newKey('alice', { limits }));
      expect(created).toEqual({ id: expect.any(String), name: 'alice', prefix: 'vk_alice', createdAt: T0, revokedAt: null, lastUsedAt: null, limits });
      expect(await keys.find('alice')).toEqual(created);
      expect(await keys.find(created.id)).toEqual(created);
      expect(await keys.findByHash('hash-of-alice')).toEqual(created);
      expect(await keys.find('bob')).toBeUndefined();
      expect(await keys.findByHash('hash-of-bob')).toBeUndefined();
    });

    it('refuses a name already taken, revoked or not, with invalid_argument', async () => {
      await keys.create(newKey('alice'));
      await keys.revoke('alice', T0 + 1);
      const again = () => keys.create(newKey('alice', { secretHash: 'another-hash' }));
      await expect(again()).rejects.toThrow(VigilError);
      await expect(again()).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/"alice" already exists/) }));
      expect(await keys.list()).toHaveLength(1);
    });

    it('a name wins over an id that looks the same', async () => {
      const alice = await keys.create(newKey('alice'));
      const impostor = await keys.create(newKey(alice.id, { secretHash: 'h2' }));
      expect(await keys.find(alice.id)).toEqual(impostor);
      expect(await keys.find(impostor.id)).toEqual(impostor);
      expect(await keys.find('alice')).toEqual(alice);
    });

    it('lists keys oldest first, ties in creation order', async () => {
      await keys.create(newKey('zed', { createdAt: T0 }));
      await keys.create(newKey('amy', { createdAt: T0 + 10, secretHash: 'h-amy' }));
      await keys.create(newKey('bea', { createdAt: T0 - 10, secretHash: 'h-bea' }));
      await keys.create(newKey('abe', { createdAt: T0, secretHash: 'h-abe' }));
      expect((await keys.list()).map((k) => k.name)).toEqual(['bea', 'zed', 'abe', 'amy']);
    });

    it('revokes once: revoking again keeps the first time; unknown keys are not_found', async () => {
      const alice = await keys.create(newKey('alice'));
      expect((await keys.revoke('alice', T0 + 5)).revokedAt).toBe(T0 + 5);
      expect((await keys.revoke(alice.id, T0 + 9)).revokedAt).toBe(T0 + 5);
      expect((await keys.findByHash('hash-of-alice'))?.revokedAt).toBe(T0 + 5);
      await expect(keys.revoke('nobody', T0)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('revokes the key a name names, not the key whose id it is', async () => {
      const alice = await keys.create(newKey('alice'));
      const impostor = await keys.create(newKey(alice.id, { secretHash: 'h2' }));
      expect((await keys.revoke(alice.id, T0 + 5)).id).toBe(impostor.id);
      expect((await keys.find('alice'))?.revokedAt).toBeNull();
    });

    it('replaces limits; unknown keys are not_found', async () => {
      await keys.create(newKey('alice'));
      const limits = { ...NO_LIMITS, concurrentRequests: 2, maxOutputTokens: 4096 };
      expect((await keys.updateLimits('alice', limits)).limits).toEqual(limits);
      expect((await keys.find('alice'))?.limits).toEqual(limits);
      await expect(keys.updateLimits('nobody', limits)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('touch moves last use forward only', async () => {
      const alice = await keys.create(newKey('alice'));
      await keys.touch(alice.id, T0 + 100);
      await keys.touch(alice.id, T0 + 50);
      expect((await keys.find('alice'))?.lastUsedAt).toBe(T0 + 100);
      await keys.touch('ghost', T0);
    });
  });

  describe('usage', () => {
    it('adds requests up per key, model and UTC day', async () => {
      const alice = await keys.create(newKey('alice'));
      await usage.record(use(alice.id, T0));
      await usage.record(use(alice.id, T0 + 60_000, 'qwen3', { ok: false, inputTokens: 50, outputTokens: 0, queueWaitMs: 1.6, latencyMs: 10 }));
      // 23:30 + 40 min is the next UTC day.
      await usage.record(use(alice.id, T0 + 40 * 60_000));
      await usage.record(use(alice.id, T0, 'llama3.2', { inputTokens: 7, outputTokens: 3 }));
      expect(await usage.usage({})).toEqual([
        { keyId: alice.id, keyName: 'alice', model: 'qwen3', day: '2026-12-02', requests: 1, failures: 0, inputTokens: 100, outputTokens: 20, queueWaitMsTotal: 5, latencyMsTotal: 300 },
        { keyId: alice.id, keyName: 'alice', model: 'llama3.2', day: '2026-12-01', requests: 1, failures: 0, inputTokens: 7, outputTokens: 3, queueWaitMsTotal: 5, latencyMsTotal: 300 },
        { keyId: alice.id, keyName: 'alice', model: 'qwen3', day: '2026-12-01', requests: 2, failures: 1, inputTokens: 150, outputTokens: 20, queueWaitMsTotal: 7, latencyMsTotal: 310 },
      ]);
      expect(await usage.tokensOn(alice.id, '2026-12-01')).toBe(100 + 20 + 50 + 7 + 3);
      expect(await usage.tokensOn(alice.id, '2026-12-02')).toBe(120);
      expect(await usage.tokensOn(alice.id, '2026-11-30')).toBe(0);
    });

    it('counts fractions rounded and negative or broken numbers as 0', async () => {
      const alice = await keys.create(newKey('alice'));
      await usage.record(use(alice.id, T0, 'qwen3', { inputTokens: -5, outputTokens: Number.NaN, queueWaitMs: 2.5, latencyMs: Number.POSITIVE_INFINITY }));
      expect(await usage.usage({})).toEqual([expect.objectContaining({ inputTokens: 0, outputTokens: 0, queueWaitMsTotal: 3, latencyMsTotal: 0 })]);
    });

    it('orders rows of a day by key name, then model, byte-wise', async () => {
      const bob = await keys.create(newKey('bob'));
      const alice = await keys.create(newKey('alice'));
      const upper = await keys.create(newKey('Zoe'));
      for (const key of [bob, alice, upper]) {
        await usage.record(use(key.id, T0, 'qwen3'));
        await usage.record(use(key.id, T0, 'Llama'));
      }
      expect((await usage.usage({})).map((r) => `${r.keyName} ${r.model}`)).toEqual([
        'Zoe Llama',
        'Zoe qwen3',
        'alice Llama',
        'alice qwen3',
        'bob Llama',
        'bob qwen3',
      ]);
    });

    it('filters by day range (inclusive) and key', async () => {
      const alice = await keys.create(newKey('alice'));
      const bob = await keys.create(newKey('bob'));
      for (let d = 0; d < 4; d++) await usage.record(use(alice.id, T0 + d * DAY));
      await usage.record(use(bob.id, T0 + DAY));
      const days = (rows: Array<{ day: string; keyName: string }>) => rows.map((r) => `${r.day} ${r.keyName}`);
      expect(days(await usage.usage({ fromDay: '2026-12-02', toDay: '2026-12-03' }))).toEqual(['2026-12-03 alice', '2026-12-02 alice', '2026-12-02 bob']);
      expect(days(await usage.usage({ fromDay: '2026-12-03' }))).toEqual(['2026-12-04 alice', '2026-12-03 alice']);
      expect(days(await usage.usage({ toDay: '2026-12-01' }))).toEqual(['2026-12-01 alice']);
      expect(days(await usage.usage({ keyId: bob.id }))).toEqual(['2026-12-02 bob']);
    });

    it("keeps a revoked key's usage", async () => {
      const alice = await keys.create(newKey('alice'));
      await usage.record(use(alice.id, T0));
      await keys.revoke('alice', T0 + 1);
      expect(await usage.usage({})).toHaveLength(1);
      expect(await usage.tokensOn(alice.id, '2026-12-01')).toBe(120);
    });

    it('refuses usage of a key that does not exist', async () => {
      await expect(usage.record(use('ghost', T0))).rejects.toThrow();
      expect(await usage.usage({})).toEqual([]);
    });

    it('loses no count when many requests are recorded at once', async () => {
      const alice = await keys.create(newKey('alice'));
      const n = 50;
      const record = (i: number) => usage.record(use(alice.id, T0 + i * 1000, 'qwen3', { ok: i % 5 !== 0, inputTokens: i, outputTokens: 1, queueWaitMs: 2, latencyMs: 10 }));
      // The first alone, so that the others add to a row that exists (no insert race to hide behind).
      await record(0);
      await Promise.all(Array.from({ length: n - 1 }, (_, i) => record(i + 1)));
      expect(await usage.usage({})).toEqual([
        {
          keyId: alice.id,
          keyName: 'alice',
          model: 'qwen3',
          day: '2026-12-01',
          requests: n,
          failures: n / 5,
          inputTokens: (n * (n - 1)) / 2,
          outputTokens: n,
          queueWaitMsTotal: 2 * n,
          latencyMsTotal: 10 * n,
        },
      ]);
      expect(await usage.tokensOn(alice.id, '2026-12-01')).toBe((n * (n - 1)) / 2 + n);
    });
  });
});
