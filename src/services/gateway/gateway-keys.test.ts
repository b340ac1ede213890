import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteGatewayStore } from '../../adapters/storage/sqlite/sqlite-gateway-store.ts';
import { VigilError } from '../../domain/errors.ts';
import type { GatewayKeyLimits } from '../../ports/gateway-store.ts';
import { GATEWAY_KEY_DEFAULTS, GatewayKeysService, totalsOf, type GatewayKeysServiceDeps } from './gateway-keys.ts';

const T0 = Date.UTC(2026, 11, 10, 12, 0);
const DAY = 86_400_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('GatewayKeysService', () => {
  let db: Database.Database;
  let store: SqliteGatewayStore;
  let now: number;
  const build = (overrides: Partial<GatewayKeysServiceDeps> = {}) =>
    new GatewayKeysService({ keys: store, usage: store, defaults: GATEWAY_KEY_DEFAULTS, clock: { now: () => now }, ...overrides });

  beforeEach(() => {
    db = openSqliteDatabase(':memory:');
    store = new SqliteGatewayStore(db);
    now = T0;
  });
  afterEach(() => db.close());

  describe('create', () => {
    it('makes a "vk_" secret of 32 random bytes and stores only its SHA-256 and its first 8 characters', async () => {
      const { key, secret } = await build().create('alice');
      expect(secret).toMatch(/^vk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret.slice(3), 'base64url')).toHaveLength(32);
      expect(key).toMatchObject({ name: 'alice', prefix: secret.slice(0, 8), createdAt: T0, revokedAt: null, lastUsedAt: null, limits: GATEWAY_KEY_DEFAULTS });
      const row = db.prepare('SELECT * FROM gateway_keys').get() as Record<string, unknown>;
      expect(row.secret_hash).toBe(sha256(secret));
      expect(JSON.stringify(row)).not.toContain(secret.slice(8));
    });

    it('gives every key its own secret', async () => {
      const service = build();
      const secrets = new Set<string>();
      for (const n of ['a', 'b', 'c', 'd']) secrets.add((await service.create(n)).secret);
      expect(secrets.size).toBe(4);
    });

    it('uses the injected randomness', async () => {
      const { secret } = await build({ randomBytes: (n) => new Uint8Array(n).fill(0xff) }).create('alice');
      expect(secret).toBe(`vk_${'_'.repeat(42)}8`);
    });

    it('starts from the defaults; limits given replace them', async () => {
      const defaults: GatewayKeyLimits = { ...GATEWAY_KEY_DEFAULTS, requestsPerMinute: 30, tokensPerDay: 1_000_000, priority: 'background' };
      const { key } = await build({ defaults }).create('ci', { tokensPerDay: null, models: ['qwen3*'], maxOutputTokens: undefined });
      expect(key.limits).toEqual({ ...defaults, tokensPerDay: null, models: ['qwen3*'] });
    });

    it('refuses bad names and duplicate names (revoked ones too)', async () => {
      const service = build();
      for (const bad of ['', 'a b', 'ünïcode', 'x'.repeat(65), 'semi;colon', '../up']) {
        await expect(service.create(bad)).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/Invalid key name/) }));
      }
      expect((await service.create('x'.repeat(64))).key.name).toHaveLength(64);
      expect((await service.create('Team.build_2-x')).key.name).toBe('Team.build_2-x');
      await service.create('alice');
      await service.revoke('alice');
      await expect(service.create('alice')).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/already exists/) }));
      expect((await service.list()).map((k) => k.name)).toEqual(['x'.repeat(64), 'Team.build_2-x', 'alice']);
    });

    it('refuses invalid limits, saying which and why, and stores nothing', async () => {
      const service = build();
      const bad: Array<Partial<GatewayKeyLimits>> = [
        { requestsPerMinute: 0 },
        { concurrentRequests: -1 },
        { tokensPerDay: 1.5 },
        { maxContextTokens: Number.NaN },
        { models: [] },
        { models: [' '] },
        { priority: 'urgent' as GatewayKeyLimits['priority'] },
      ];
      for (const limits of bad) {
        const error: unknown = await service.create('k', limits).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(VigilError);
        expect((error as VigilError).code).toBe('invalid_argument');
        expect((error as VigilError).details.join(' ')).toMatch(new RegExp(Object.keys(limits)[0]!));
      }
      expect(await service.list()).toEqual([]);
    });

    it('refuses bad defaults when built', () => {
      expect(() => build({ defaults: { ...GATEWAY_KEY_DEFAULTS, requestsPerMinute: 0 } })).toThrow(/gateway.key_defaults/);
    });
  });

  describe('authenticate', () => {
    it('finds the key of a secret, and nothing for unknown, malformed or revoked secrets', async () => {
      const service = build();
      const { key, secret } = await service.create('alice');
      expect((await service.authenticate(secret))?.id).toBe(key.id);
      const other = `vk_${'A'.repeat(43)}`;
      for (const wrong of [other, '', 'vk_', secret.slice(0, -1), `${secret}x`, secret.toUpperCase(), ` ${secret}`]) {
        expect(await service.authenticate(wrong)).toBeUndefined();
      }
      await service.revoke('alice');
      expect(await service.authenticate(secret)).toBeUndefined();
    });

    it('notes the last use, at most once a minute', async () => {
      const service = build();
      const { secret } = await service.create('alice');
      now = T0 + 1_000;
      expect((await service.authenticate(secret))?.lastUsedAt).toBe(T0 + 1_000);
      now = T0 + 30_000;
      expect((await service.authenticate(secret))?.lastUsedAt).toBe(T0 + 1_000);
      expect((await service.find('alice'))?.lastUsedAt).toBe(T0 + 1_000);
      now = T0 + 61_000;
      await service.authenticate(secret);
      expect((await service.find('alice'))?.lastUsedAt).toBe(T0 + 61_000);
    });
  });

  describe('revoke and setLimits', () => {
    it('revokes by name or id, once; unknown keys are not_found', async () => {
      const service = build();
      const { key } = await service.create('alice');
      now = T0 + 5;
      expect(await service.revoke(key.id)).toEqual({ key: { ...key, revokedAt: T0 + 5 }, wasRevoked: false });
      now = T0 + 9;
      expect(await service.revoke('alice')).toMatchObject({ key: { revokedAt: T0 + 5 }, wasRevoked: true });
      await expect(service.revoke('bob')).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('tells a revoke that another beat between its read and its write that the key was already revoked', async () => {
      const service = build({ clock: { now: () => ++now } });
      await service.create('alice');
      const [first, second] = await Promise.all([service.revoke('alice'), service.revoke('alice')]);
      expect([first.wasRevoked, second.wasRevoked].sort()).toEqual([false, true]);
    });

    it('changes only the limits named; null clears one; invalid ones leave the key as it was', async () => {
      const service = build();
      await service.create('alice', { requestsPerMinute: 60, concurrentRequests: 2 });
      const changed = await service.setLimits('alice', { requestsPerMinute: null, maxOutputTokens: 4096, priority: 'background' });
      expect(changed.limits).toEqual({ ...GATEWAY_KEY_DEFAULTS, concurrentRequests: 2, maxOutputTokens: 4096, priority: 'background' });
      await expect(service.setLimits('alice', { concurrentRequests: 0 })).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument' }));
      expect((await service.find('alice'))?.limits).toEqual(changed.limits);
      await expect(service.setLimits('bob', {})).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });
  });

  describe('usage', () => {
    it('covers the last N UTC days, today included, with totals and means per key and model', async () => {
      const service = build();
      const alice = (await service.create('alice')).key;
      const bob = (await service.create('bob')).key;
      const record = (keyId: string, at: number, model: string, ok: boolean, wait: number, latency: number) =>
        service.recordUsage({ keyId, model, at, ok, inputTokens: 10, outputTokens: 5, queueWaitMs: wait, latencyMs: latency });
      await record(alice.id, T0, 'qwen3', true, 10, 100);
      await record(alice.id, T0 - DAY, 'qwen3', false, 30, 300);
      await record(alice.id, T0 - 7 * DAY, 'qwen3', true, 1, 1); // eight days ago: outside the default week
      await record(bob.id, T0, 'llama3.2', true, 0, 50);

      const week = await service.usage();
      expect(week.fromDay).toBe('2026-12-04');
      expect(week.toDay).toBe('2026-12-10');
      expect(week.rows.map((r) => `${r.day} ${r.keyName} ${r.model}`)).toEqual(['2026-12-10 alice qwen3', '2026-12-10 bob llama3.2', '2026-12-09 alice qwen3']);
      expect(week.totals).toEqual([
        { keyId: alice.id, keyName: 'alice', model: 'qwen3', requests: 2, failures: 1, inputTokens: 20, outputTokens: 10, queueWaitMsTotal: 40, latencyMsTotal: 400, meanQueueWaitMs: 20, meanLatencyMs: 200 },
        { keyId: bob.id, keyName: 'bob', model: 'llama3.2', requests: 1, failures: 0, inputTokens: 10, outputTokens: 5, queueWaitMsTotal: 0, latencyMsTotal: 50, meanQueueWaitMs: 0, meanLatencyMs: 50 },
      ]);
      expect((await service.usage({ days: 1, key: 'alice' })).totals).toMatchObject([{ keyName: 'alice', requests: 1 }]);
      expect((await service.usage({ days: 8, key: alice.id })).totals).toMatchObject([{ requests: 3 }]);
      expect(await service.tokensOn(alice.id, '2026-12-10')).toBe(15);
      expect(await service.tokensOn(alice.id, '2026-12-09')).toBe(15);
      expect(await service.tokensOn(alice.id, '2026-12-08')).toBe(0);
    });

    it("keeps a revoked key's usage", async () => {
      const service = build();
      const { key } = await service.create('alice');
      await service.recordUsage({ keyId: key.id, model: 'm', at: T0, ok: true, inputTokens: 1, outputTokens: 1, queueWaitMs: 0, latencyMs: 1 });
      await service.revoke('alice');
      expect((await service.usage()).totals).toMatchObject([{ keyName: 'alice', requests: 1 }]);
    });

    it('refuses bad days and unknown keys', async () => {
      const service = build();
      for (const days of [0, -1, 1.5, 100_000]) await expect(service.usage({ days })).rejects.toThrow(expect.objectContaining({ code: 'invalid_argument' }));
      await expect(service.usage({ key: 'nobody' })).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
      expect(await service.usage()).toMatchObject({ rows: [], totals: [] });
    });
  });

  it('totalsOf: no requests means means of 0, not NaN', () => {
    expect(totalsOf([{ keyId: 'k', keyName: 'k', model: 'm', day: '2026-01-01', requests: 0, failures: 0, inputTokens: 0, outputTokens: 0, queueWaitMsTotal: 0, latencyMsTotal: 0 }])).toMatchObject([
      { meanQueueWaitMs: 0, meanLatencyMs: 0 },
    ]);
  });
});
