import { describe, expect, it } from 'vitest';
import type { GatewayKey, GatewayKeyLimits } from '../../ports/gateway-store.ts';
import { describeLimits, formatCreated, formatKeyList, formatUsage, parseLimitFlags } from './keys.command.ts';

const NO_LIMITS: GatewayKeyLimits = {
  models: null,
  requestsPerMinute: null,
  concurrentRequests: null,
  tokensPerDay: null,
  maxContextTokens: null,
  maxOutputTokens: null,
  priority: 'interactive',
};
const T = Date.UTC(2026, 11, 7, 9, 5, 30);
const key = (overrides: Partial<GatewayKey> = {}): GatewayKey => ({
  id: 'id-1',
  name: 'alice',
  prefix: 'vk_AbCdE',
  createdAt: T,
  revokedAt: null,
  lastUsedAt: null,
  limits: NO_LIMITS,
  ...overrides,
});

describe('parseLimitFlags', () => {
  it('reads every flag; flags not given are left out', () => {
    expect(parseLimitFlags({})).toEqual({});
    expect(
      parseLimitFlags({ models: ' qwen3*, llama3.2 ,', rpm: '60', concurrency: '2', tokensPerDay: '100000', maxContext: '32768', maxOutput: '4096', priority: 'background' }),
    ).toEqual({
      models: ['qwen3*', 'llama3.2'],
      requestsPerMinute: 60,
      concurrentRequests: 2,
      tokensPerDay: 100_000,
      maxContextTokens: 32_768,
      maxOutputTokens: 4096,
      priority: 'background',
    });
  });

  it('0 or "none" clears a number; "all" or "none" allows every model', () => {
    expect(parseLimitFlags({ rpm: '0', concurrency: 'none', models: 'all' })).toEqual({ requestsPerMinute: null, concurrentRequests: null, models: null });
    expect(parseLimitFlags({ models: 'none' })).toEqual({ models: null });
  });

  it('refuses what it cannot read, naming the flag', () => {
    expect(() => parseLimitFlags({ rpm: 'fast' })).toThrow(/--rpm expects a whole number/);
    expect(() => parseLimitFlags({ tokensPerDay: '-5' })).toThrow(/--tokens-per-day/);
    expect(() => parseLimitFlags({ maxContext: '1.5' })).toThrow(/--max-context/);
    expect(() => parseLimitFlags({ maxOutput: '99999999999999999999' })).toThrow(/--max-output/);
    expect(() => parseLimitFlags({ models: ' , ' })).toThrow(/--models/);
    expect(() => parseLimitFlags({ priority: 'urgent' })).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/--priority/) }));
  });
});

describe('output', () => {
  it('describes limits, leaving out those that are off', () => {
    expect(describeLimits(NO_LIMITS)).toBe('models all; interactive');
    expect(
      describeLimits({ models: ['a', 'b*'], requestsPerMinute: 60, concurrentRequests: 2, tokensPerDay: 100_000, maxContextTokens: 32_768, maxOutputTokens: 8192, priority: 'background' }),
    ).toBe('models a,b*; 60/min; 2 at once; 100,000 tokens/day; context 32,768; output 8,192; background');
  });

  it('lists keys by name and prefix with UTC times', () => {
    expect(formatKeyList([])).toMatch(/No gateway keys yet/);
    const text = formatKeyList([key(), key({ name: 'ci-runner', prefix: 'vk_zzzzz', lastUsedAt: T + 60_000, revokedAt: T + 120_000 })]);
    expect(text.split('\n')).toEqual([
      'NAME       PREFIX    CREATED            LAST USED          REVOKED            LIMITS',
      'alice      vk_AbCdE  2026-12-07 09:05Z  -                  -                  models all; interactive',
      'ci-runner  vk_zzzzz  2026-12-07 09:05Z  2026-12-07 09:06Z  2026-12-07 09:07Z  models all; interactive',
      '',
    ]);
  });

  it('prints usage totals per key and model, or says there was none', () => {
    expect(formatUsage({ fromDay: '2026-12-01', toDay: '2026-12-07', rows: [], totals: [] })).toBe('No gateway requests from 2026-12-01 to 2026-12-07 (UTC).\n');
    const total = { keyId: 'k', keyName: 'alice', model: 'qwen3', requests: 1200, failures: 3, inputTokens: 1_500_000, outputTokens: 20_000, queueWaitMsTotal: 0, latencyMsTotal: 0, meanQueueWaitMs: 12.4, meanLatencyMs: 2500 };
    expect(formatUsage({ fromDay: '2026-12-07', toDay: '2026-12-07', rows: [], totals: [total] }).split('\n')).toEqual([
      'Gateway usage 2026-12-07 (UTC days)',
      'KEY    MODEL  REQUESTS  FAILURES  TOKENS IN  TOKENS OUT  MEAN WAIT  MEAN LATENCY',
      'alice  qwen3     1,200         3  1,500,000      20,000      12 ms  2.5 s',
      '',
    ]);
  });

  it('shows the secret once, says it will not be shown again, and how clients send it', () => {
    const secret = `vk_${'x'.repeat(43)}`;
    const text = formatCreated({ key: key(), secret }, { server: { host: '0.0.0.0', port: 8080 }, gatewayEnabled: true });
    expect(text.split(secret)).toHaveLength(2);
    expect(text).toMatch(/will not be shown again/);
    expect(text).toContain('ANTHROPIC_BASE_URL=http://<vigil-host>:8080 ANTHROPIC_AUTH_TOKEN=<the secret>');
    expect(text).toContain('Authorization: Bearer <the secret>');
    expect(text).not.toMatch(/gateway is off/);
    expect(formatCreated({ key: key(), secret }, { server: { host: '127.0.0.1', port: 9000 }, gatewayEnabled: false })).toMatch(
      /http:\/\/127\.0\.0\.1:9000[\s\S]*the gateway is off/,
    );
  });
});
