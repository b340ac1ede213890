import { describe, expect, it } from 'vitest';
import type { GatewayKey, GatewayKeyLimits } from '../../ports/gateway-store.ts';
import { utcDay } from '../../domain/time/utc-day.ts';
import { KeyAdmission } from './key-admission.ts';

const NO_LIMITS: GatewayKeyLimits = {
  models: null,
  requestsPerMinute: null,
  concurrentRequests: null,
  tokensPerDay: null,
  maxContextTokens: null,
  maxOutputTokens: null,
  priority: 'interactive',
};
const key = (limits: Partial<GatewayKeyLimits>): GatewayKey => ({
  id: 'k1',
  name: 'alice',
  prefix: 'vk_abcde',
  createdAt: 0,
  revokedAt: null,
  lastUsedAt: null,
  limits: { ...NO_LIMITS, ...limits },
});
const ask = { clientModel: 'claude-sonnet-4', promptTokens: 1000, maxTokens: 32000 };

function setup(tokensUsed = 0) {
  const clock = { now: Date.UTC(2026, 11, 7, 22, 0, 0) };
  const admission = new KeyAdmission({ now: () => clock.now, tokensOn: () => tokensUsed });
  return { clock, admission };
}

describe('KeyAdmission', () => {
  it('lets models through by pattern and refuses the others with forbidden', () => {
    const { admission } = setup();
    const k = key({ models: ['claude-*', 'qwen3:8b'] });
    expect(admission.admit(k, ask).maxTokens).toBe(32000);
    expect(() => admission.admit(k, { ...ask, clientModel: 'gpt-4o' })).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('lowers max_tokens to the output cap and to the room the prompt leaves; refuses a prompt that fills the context', () => {
    const { admission } = setup();
    expect(admission.admit(key({ maxOutputTokens: 8192 }), ask).maxTokens).toBe(8192);
    expect(admission.admit(key({ maxContextTokens: 4096 }), ask).maxTokens).toBe(3096);
    expect(admission.admit(key({ maxOutputTokens: 512 }), { ...ask, maxTokens: undefined }).maxTokens).toBe(512);
    expect(() => admission.admit(key({ maxContextTokens: 1000 }), ask)).toThrow(/prompt is too long: about 1000 tokens \(an estimate\) > 1000/);
  });

  it('counts requests per minute in a sliding window and says when the next one passes', () => {
    const { admission, clock } = setup();
    const k = key({ requestsPerMinute: 2 });
    admission.admit(k, ask).release();
    clock.now += 20_000;
    admission.admit(k, ask).release();
    clock.now += 10_000;
    expect(() => admission.admit(k, ask)).toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 30_000 }));
    clock.now += 30_000;
    expect(() => admission.admit(k, ask)).not.toThrow();
  });

  it('holds concurrent requests to the limit until they are released (once each)', () => {
    const { admission } = setup();
    const k = key({ concurrentRequests: 1 });
    const first = admission.admit(k, ask);
    expect(() => admission.admit(k, ask)).toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 1000 }));
    first.release();
    first.release();
    expect(admission.active('k1')).toBe(0);
    expect(() => admission.admit(k, ask)).not.toThrow();
  });

  it('reserves what running requests may spend, so parallel requests cannot go far past the daily tokens', () => {
    const { admission } = setup(40_000);
    const k = key({ tokensPerDay: 50_000 });
    const first = admission.admit(k, { ...ask, maxTokens: 6000 });
    expect(first.maxTokens).toBe(6000);
    // 40,000 used + 7,000 reserved: 3,000 left, 1,000 of them the prompt.
    expect(admission.admit(k, { ...ask, maxTokens: 6000 }).maxTokens).toBe(2000);
    // Everything left is reserved by running requests: come back in a second, not at midnight.
    expect(() => admission.admit(k, ask)).toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 1000 }));
    first.release();
    expect(admission.admit(k, { ...ask, maxTokens: 100 }).maxTokens).toBe(100);
  });

  it('refuses a key over its tokens of the UTC day until midnight UTC', () => {
    const { admission } = setup(50_000);
    expect(() => admission.admit(key({ tokensPerDay: 50_000 }), ask)).toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 2 * 3_600_000 }));
    // Under the limit, max_tokens is what is left after the prompt.
    expect(setup(45_000).admission.admit(key({ tokensPerDay: 50_000 }), ask).maxTokens).toBe(4000);
    expect(() => setup(49_001).admission.admit(key({ tokensPerDay: 50_000 }), ask)).toThrow(/used its 50000 tokens/);
    expect(utcDay(Date.UTC(2026, 11, 7, 23, 59))).toBe('2026-12-07');
  });
});
