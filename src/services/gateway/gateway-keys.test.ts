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
    it('makes a "vk_" secret of 32 random bytes and stores only its SHA-256 and its first 8 characters', () => {
      const { key, secret } = build().create('alice');
      expect(secret).toMatch(/^vk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret.slice(3), 'base64url')).toHaveLength(32);
      expect(key).toMatchObject({ name: 'alice', prefix: secret.slice(0, 8), createdAt: T0, revokedAt: null, lastUsedAt: null, limits: GATEWAY_KEY_DEFAULTS });
      const row = db.prepare('SELECT * FROM gateway_keys').get() as Record<string, unknown>;
      expect(row.secret_hash).toBe(sha256(secret));
      expect(JSON.stringify(row)).not.toContain(secret.slice(8));
    });

    it('gives every key its own secret', () => {
      const service = build();
      const secrets = new Set(['a', 'b', 'c', 'd'].map((n) => service.create(n).secret));
      expect(secrets.size).toBe(4);
    });

    it('uses the injected randomness', () => {
      const { secret } = build({ randomBytes: (n) => new Uint8Array(n).fill(0xff) }).create('alice');
      expect(secret).toBe(`vk_${'_'.repeat(42)}8`);
    });

    it('starts from the defaults; limits given replace them', () => {
      const defaults: GatewayKeyLimits = { ...GATEWAY_KEY_DEFAULTS, requestsPerMinute: 30, tokensPerDay: 1_000_000, priority: 'background' };
      const { key } = build({ defaults }).create('ci', { tokensPerDay: null, models: ['qwen3*'], maxOutputTokens: undefined });
      expect(key.limits).toEqual({ ...defaults, tokensPerDay: null, models: ['qwen3*'] });
    });

    it('refuses bad names and duplicate names (revoked ones too)', () => {
      const service = build();
      for (const bad of ['', 'a b', 'ünïcode', 'x'.repeat(65), 'semi;colon', '../up']) {
        expect(() => service.create(bad)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/Invalid key name/) }));
      }
      expect(service.create('x'.repeat(64)).key.name).toHaveLength(64);
      expect(service.create('Team.build_2-x').key.name).toBe('Team.build_2-x');
      service.create('alice');
      service.revoke('alice');
      expect(() => service.create('alice')).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/already exists/) }));
      expect(service.list().map((k) => k.name)).toEqual(['x'.repeat(64), 'Team.build_2-x', 'alice']);
    });

    it('refuses invalid limits, saying which and why, and stores nothing', () => {
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
        const error = (() => {
          try {
            service.create('k', limits);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(VigilError);
        expect((error as VigilError).code).toBe('invalid_argument');
        expect((error as VigilError).details.join(' ')).toMatch(new RegExp(Object.keys(limits)[0]!));
      }
      expect(service.list()).toEqual([]);
    });

    it('refuses bad defaults when built', () => {
      expect(() => build({ defaults: { ...GATEWAY_KEY_DEFAULTS, requestsPerMinute: 0 } })).toThrow(/gateway.key_defaults/);
    });
  });

  describe('authenticate', () => {
    it('finds the key of a secret, and nothing for unknown, malformed or revoked secrets', () => {
      const service = build();
      const { key, secret } = service.create('alice');
      expect(service.authenticate(secret)?.id).toBe(key.id);
      const other = `vk_${'A'.repeat(43)}`;
      for (const wrong of [other, '', 'vk_', secret.slice(0, -1), `${secret}x`, secret.toUpperCase(), ` ${secret}`]) {
        expect(service.authenticate(wrong)).toBeUndefined();
      }
      service.revoke('alice');
      expect(service.authenticate(secret)).toBeUndefined();
    });

    it('notes the last use, at most once a minute', () => {
      const service = build();
      const { secret } = service.create('alice');
      now = T0 + 1_000;
      expect(service.authenticate(secret)?.lastUsedAt).toBe(T0 + 1_000);
      now = T0 + 30_000;
      expect(service.authenticate(secret)?.lastUsedAt).toBe(T0 + 1_000);
      expect(service.find('alice')?.lastUsedAt).toBe(T0 + 1_000);
      now = T0 + 61_000;
      service.authenticate(secret);
      expect(service.find('alice')?.lastUsedAt).toBe(T0 + 61_000);
    });
  });

  describe('revoke and setLimits', () => {
    it('revokes by name or id, once; unknown keys are not_found', () => {
      const service = build();
      const { key } = service.create('alice');
      now = T0 + 5;
      expect(service.revoke(key.id)).toEqual({ key: { ...key, revokedAt: T0 + 5 }, wasRevoked: false });
      now = T0 + 9;
      expect(service.revoke('alice')).toMatchObject({ key: { revokedAt: T0 + 5 }, wasRevoked: true });
      expect(() => service.revoke('bob')).toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('changes only the limits named; null clears one; invalid ones leave the key as it was', () => {
      const service = build();
      service.create('alice', { requestsPerMinute: 60, concurrentRequests: 2 });
      const changed = service.setLimits('alice', { requestsPerMinute: null, maxOutputTokens: 4096, priority: 'background' });
      expect(changed.limits).toEqual({ ...GATEWAY_KEY_DEFAULTS, concurrentRequests: 2, maxOutputTokens: 4096, priority: 'background' });
      expect(() => service.setLimits('alice', { concurrentRequests: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
      expect(service.find('alice')?.limits).toEqual(changed.limits);
      expect(() => service.setLimits('bob', {})).toThrow(expect.objectContaining({ code: 'not_found' }));
    });
  });

  describe('usage', () => {
    it('covers the last N UTC days, today included, with totals and means per key and model', () => {
      const service = build();
      const alice = service.create('alice').key;
      const bob = service.create('bob').key;
      const record = (keyId: string, at: number, model: string, ok: boolean, wait: number, latency: number) =>
        service.recordUsage({ keyId, model, at, ok, inputTokens: 10, outputTokens: 5, queueWaitMs: wait, latencyMs: latency });
      record(alice.id, T0, 'qwen3', true, 10, 100);
      record(alice.id, T0 - DAY, 'qwen3', false, 30, 300);
      record(alice.id, T0 - 7 * DAY, 'qwen3', true, 1, 1); // eight days ago: outside the default week
      record(bob.id, T0, 'llama3.2', true, 0, 50);

      const week = service.usage();
      expect(week.fromDay).toBe('2026-12-04');
      expect(week.toDay).toBe('2026-12-10');
      expect(week.rows.map((r) => `${r.day} ${r.keyName} ${r.model}`)).toEqual(['2026-12-10 alice qwen3', '2026-12-10 bob llama3.2', '2026-12-09 alice qwen3']);
      expect(week.totals).toEqual([
        { keyId: alice.id, keyName: 'alice', model: 'qwen3', requests: 2, failures: 1, inputTokens: 20, outputTokens: 10, queueWaitMsTotal: 40, latencyMsTotal: 400, meanQueueWaitMs: 20, meanLatencyMs: 200 },
        { keyId: bob.id, keyName: 'bob', model: 'llama3.2', requests: 1, failures: 0, inputTokens: 10, outputTokens: 5, queueWaitMsTotal: 0, latencyMsTotal: 50, meanQueueWaitMs: 0, meanLatencyMs: 50 },
      ]);
      expect(service.usage({ days: 1, key: 'alice' }).totals).toMatchObject([{ keyName: 'alice', requests: 1 }]);
      expect(service.usage({ days: 8, key: alice.id }).totals).toMatchObject([{ requests: 3 }]);
      expect(service.tokensOn(alice.id, '2026-12-10')).toBe(15);
      expect(service.tokensOn(alice.id, '2026-12-09')).toBe(15);
      expect(service.tokensOn(alice.id, '2026-12-08')).toBe(0);
    });

    it("keeps a revoked key's usage", () => {
      const service = build();
      const { key } = service.create('alice');
      service.recordUsage({ keyId: key.id, model: 'm', at: T0, ok: true, inputTokens: 1, outputTokens: 1, queueWaitMs: 0, latencyMs: 1 });
      service.revoke('alice');
      expect(service.usage().totals).toMatchObject([{ keyName: 'alice', requests: 1 }]);
    });

    it('refuses bad days and unknown keys', () => {
      const service = build();
      for (const days of [0, -1, 1.5, 100_000]) expect(() => service.usage({ days })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
      expect(() => service.usage({ key: 'nobody' })).toThrow(expect.objectContaining({ code: 'not_found' }));
      expect(service.usage()).toMatchObject({ rows: [], totals: [] });
    });
  });

  it('totalsOf: no requests means means of 0, not NaN', () => {
    expect(totalsOf([{ keyId: 'k', keyName: 'k', model: 'm', day: '2026-01-01', requests: 0, failures: 0, inputTokens: 0, outputTokens: 0, queueWaitMsTotal: 0, latencyMsTotal: 0 }])).toMatchObject([
      { meanQueueWaitMs: 0, meanLatencyMs: 0 },
    ]);
  });
});
