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
  const admission = new KeyAdmission({ now: () => clock.now, tokensOn: () => Promise.resolve(tokensUsed) });
  return { clock, admission };
}

/** A store whose reads answer only when told, to let requests interleave where a real database would. */
function slowUsage(initial: number) {
  let used = initial;
  const pending: Array<() => void> = [];
  return {
    tokensOn: () =>
      new Promise<number>((resolve) => {
        const seen = used;
        pending.push(() => resolve(seen));
      }),
    /** Answers every read that is out, and those they lead to, until none is left. */
    async answerAll() {
      while (pending.length > 0) {
        for (const answer of pending.splice(0)) answer();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    write(tokens: number) {
      used += tokens;
    },
  };
}

describe('KeyAdmission', () => {
  it('lets models through by pattern and refuses the others with forbidden', async () => {
    const { admission } = setup();
    const k = key({ models: ['claude-*', 'qwen3:8b'] });
    expect((await admission.admit(k, ask)).maxTokens).toBe(32000);
    await expect(admission.admit(k, { ...ask, clientModel: 'gpt-4o' })).rejects.toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('lowers max_tokens to the output cap and to the room the prompt leaves; refuses a prompt that fills the context', async () => {
    const { admission } = setup();
    expect((await admission.admit(key({ maxOutputTokens: 8192 }), ask)).maxTokens).toBe(8192);
    expect((await admission.admit(key({ maxContextTokens: 4096 }), ask)).maxTokens).toBe(3096);
    expect((await admission.admit(key({ maxOutputTokens: 512 }), { ...ask, maxTokens: undefined })).maxTokens).toBe(512);
    await expect(admission.admit(key({ maxContextTokens: 1000 }), ask)).rejects.toThrow(/prompt is too long: about 1000 tokens \(an estimate\) > 1000/);
  });

  it('counts requests per minute in a sliding window and says when the next one passes', async () => {
    const { admission, clock } = setup();
    const k = key({ requestsPerMinute: 2 });
    (await admission.admit(k, ask)).release();
    clock.now += 20_000;
    (await admission.admit(k, ask)).release();
    clock.now += 10_000;
    await expect(admission.admit(k, ask)).rejects.toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 30_000 }));
    clock.now += 30_000;
    await expect(admission.admit(k, ask)).resolves.toBeDefined();
  });

  it('holds concurrent requests to the limit until they are released (once each)', async () => {
    const { admission } = setup();
    const k = key({ concurrentRequests: 1 });
    const first = await admission.admit(k, ask);
    await expect(admission.admit(k, ask)).rejects.toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 1000 }));
    first.release();
    first.release();
    expect(admission.active('k1')).toBe(0);
    await expect(admission.admit(k, ask)).resolves.toBeDefined();
  });

  it('reserves what running requests may spend, so parallel requests cannot go far past the daily tokens', async () => {
    const { admission } = setup(40_000);
    const k = key({ tokensPerDay: 50_000 });
    const first = await admission.admit(k, { ...ask, maxTokens: 6000 });
    expect(first.maxTokens).toBe(6000);
    // 40,000 used + 7,000 reserved: 3,000 left, 1,000 of them the prompt.
    expect((await admission.admit(k, { ...ask, maxTokens: 6000 })).maxTokens).toBe(2000);
    // Everything left is reserved by running requests: come back in a second, not at midnight.
    await expect(admission.admit(k, ask)).rejects.toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 1000 }));
    first.release();
    expect((await admission.admit(k, { ...ask, maxTokens: 100 })).maxTokens).toBe(100);
  });

  it('refuses a key over its tokens of the UTC day until midnight UTC', async () => {
    const { admission } = setup(50_000);
    await expect(admission.admit(key({ tokensPerDay: 50_000 }), ask)).rejects.toThrow(expect.objectContaining({ code: 'rate_limited', retryAfterMs: 2 * 3_600_000 }));
    // Under the limit, max_tokens is what is left after the prompt.
    expect((await setup(45_000).admission.admit(key({ tokensPerDay: 50_000 }), ask)).maxTokens).toBe(4000);
    await expect(setup(49_001).admission.admit(key({ tokensPerDay: 50_000 }), ask)).rejects.toThrow(/used its 50000 tokens/);
    expect(utcDay(Date.UTC(2026, 11, 7, 23, 59))).toBe('2026-12-07');
  });

  it('counts requests admitted while its read of the day was out: parallel requests share what is left', async () => {
    const usage = slowUsage(40_000);
    const admission = new KeyAdmission({ now: () => Date.UTC(2026, 11, 7, 22), tokensOn: usage.tokensOn });
    const k = key({ tokensPerDay: 50_000, concurrentRequests: 2 });
    const asking = Promise.allSettled([admission.admit(k, { ...ask, maxTokens: 6000 }), admission.admit(k, { ...ask, maxTokens: 6000 }), admission.admit(k, ask)]);
    await usage.answerAll();
    const [first, second, third] = await asking;
    expect(first).toMatchObject({ status: 'fulfilled', value: { maxTokens: 6000 } });
    expect(second).toMatchObject({ status: 'fulfilled', value: { maxTokens: 2000 } });
    // Two at once: the third, let through the first check, is refused once the others hold their places.
    expect(third).toMatchObject({ status: 'rejected', reason: { code: 'rate_limited', message: expect.stringMatching(/2 requests running at once/) } });
  });

  it("keeps a finished request's tokens reserved until its usage is stored, and reads again if it landed during a read", async () => {
    const usage = slowUsage(40_000);
    const admission = new KeyAdmission({ now: () => Date.UTC(2026, 11, 7, 22), tokensOn: usage.tokensOn });
    const k = key({ tokensPerDay: 50_000 });
    const asking = admission.admit(k, { ...ask, maxTokens: 6000 });
    await usage.answerAll();
    const first = await asking;

    // It ends, having spent 5,000; its row is on its way to the store.
    let stored!: () => void;
    first.release({ tokens: 5000, stored: new Promise<void>((resolve) => (stored = resolve)) });
    // Still reserved: 40,000 used + 7,000 reserved leave 2,000 after the prompt.
    const during = admission.admit(k, { ...ask, maxTokens: 6000 });
    await usage.answerAll();
    expect((await during).maxTokens).toBe(2000);
    (await during).release();

    // A read starts before the row is written and answers after: the store's old figure, and no reservation.
    const racing = admission.admit(k, { ...ask, maxTokens: 6000 });
    usage.write(5000);
    stored();
    await new Promise((resolve) => setImmediate(resolve));
    await usage.answerAll();
    // Read again: 45,000 used leave 4,000 after the prompt (not 9,000).
    expect((await racing).maxTokens).toBe(4000);
  });
});
