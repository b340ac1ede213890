import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import type { ErrorCode } from '../../../domain/errors.ts';
import type { Logger } from '../../../ports/logger.ts';
import { createProviderQueue } from './provider-queue.ts';
import { FakeLlmProvider, fail, steps } from './testing/fake-llm-provider.ts';
import { FakeTimer, settle } from './testing/fake-timer.ts';
import { harness, track } from './testing/harness.ts';

const retry = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe('ProviderQueue: retries', () => {
  it('retries transient failures with exponential backoff and full jitter', async () => {
    const { queue, timer, fake } = harness({ retry }, steps([{ error: fail('provider_unavailable') }, { error: fail('provider_timeout') }]));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.state).toBe('fulfilled');
    expect(fake.calls).toHaveLength(3);
    expect(timer.sleeps).toEqual([50, 100]);
    expect(queue.stats().totals).toMatchObject({ calls: 1, successes: 1, attempts: 3, retries: 2, failures: {} });
  });

  it('keeps every backoff within its ceiling, and the ceiling capped', async () => {
    const { queue, timer } = harness({ retry: { ...retry, maxAttempts: 6, maxDelayMs: 500 }, circuit: { failureThreshold: 10 } }, () => ({ error: fail('provider_unavailable') }), () => 0.999_99);
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(timer.sleeps).toEqual([99, 199, 399, 499, 499]);
    expect(answer.error).toMatchObject({ code: 'provider_unavailable' });
  });

  it('waits at least as long as Retry-After says, and not longer', async () => {
    const { queue, timer, fake } = harness({ retry }, steps([{ latencyMs: 10, error: fail('provider_rate_limited', 7_000) }]));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(timer.sleeps).toEqual([7_000]);
    expect(fake.calls.map((c) => c.startedAt)).toEqual([1_000_000, 1_007_010]);
    expect(answer.state).toBe('fulfilled');
  });

  it('uses its own backoff when Retry-After is shorter', async () => {
    const { queue, timer } = harness({ retry: { ...retry, baseDelayMs: 1_000 } }, steps([{ error: fail('provider_rate_limited', 10) }]));
    await Promise.all([queue.generate({ prompt: 'q' }), timer.runAll()]);
    expect(timer.sleeps).toEqual([500]);
  });

  it('hands a Retry-After longer than maxRetryAfterMs back to the caller instead of sleeping on it', async () => {
    const { queue, timer, fake } = harness({ retry: { ...retry, maxRetryAfterMs: 60_000 } }, steps([{ error: fail('provider_rate_limited', 120_000) }]));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.error).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: 120_000 });
    expect(timer.sleeps).toEqual([]);
    expect(fake.calls).toHaveLength(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { queue, timer, fake } = harness({ retry: { ...retry, maxAttempts: 3 } }, () => ({ error: fail('provider_timeout') }));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.error).toMatchObject({ code: 'provider_timeout', message: 'scripted provider_timeout' });
    expect(fake.calls).toHaveLength(3);
    expect(queue.stats().totals).toMatchObject({ attempts: 3, retries: 2, failures: { provider_timeout: 1 } });
  });

  it('retries bad output once only, however the other failures go', async () => {
    const { queue, timer, fake } = harness(
      { retry },
      steps([{ error: fail('provider_bad_output') }, { error: fail('provider_unavailable') }, { error: fail('provider_bad_output') }]),
    );
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.error).toMatchObject({ code: 'provider_bad_output' });
    expect(fake.calls).toHaveLength(3);
  });

  it.each<ErrorCode>(['provider_auth', 'provider_bad_request', 'aborted'])('fails at once on %s', async (code) => {
    const { queue, timer, fake } = harness({ retry }, () => ({ error: fail(code) }));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.error).toMatchObject({ code });
    expect(fake.calls).toHaveLength(1);
    expect(timer.sleeps).toEqual([]);
  });

  it('turns an unexpected error into provider_failed, keeps it as the cause, and does not retry', async () => {
    const boom = new TypeError('boom');
    const { queue, timer, fake } = harness({ retry }, () => ({ error: boom }));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.error).toBeInstanceOf(VigilError);
    expect(answer.error).toMatchObject({ code: 'provider_failed', cause: boom, retryable: false });
    expect(fake.calls).toHaveLength(1);
  });
});

describe('ProviderQueue: circuit breaker', () => {
  const circuit = { failureThreshold: 3, cooldownMs: 10_000 };
  const once = { maxAttempts: 1 };

  async function tripped(afterTrip: (i: number) => { error?: unknown } = () => ({})) {
    const h = harness({ circuit, retry: once }, (i) => (i < 3 ? { latencyMs: 10, error: fail('provider_unavailable') } : afterTrip(i)));
    for (let i = 0; i < 3; i++) track(h.queue.generate({ prompt: `f${i}` }));
    await h.timer.advance(30);
    expect(h.queue.stats().circuit).toEqual({ state: 'open', consecutiveFailures: 3, retryAfterMs: 10_000, opens: 1 });
    return h;
  }

  it('opens after K consecutive failures and then fails fast, saying when to come back', async () => {
    const { queue, timer, fake } = await tripped();
    await timer.advance(4_000);
    const refused = track(queue.generate({ prompt: 'x' }));
    await settle();
    expect(refused.error).toMatchObject({ code: 'circuit_open', retryable: true, retryAfterMs: 6_000 });
    expect(refused.error?.message).toMatch(/3 errors in a row.*6 s/);
    expect(fake.calls).toHaveLength(3);
    expect(queue.stats().totals.failures).toEqual({ provider_unavailable: 3, circuit_open: 1 });
  });

  it('half-opens after the cooldown with one trial call while the others wait, and closes on success', async () => {
    const { queue, timer, fake } = await tripped();
    await timer.advance(10_000);
    expect(queue.stats().circuit.state).toBe('half_open');
    const calls = ['trial', 'o1', 'o2'].map((prompt) => track(queue.generate({ prompt }, { priority: 'interactive' })));
    await settle();
    expect(fake.order.slice(3)).toEqual(['trial']);
    expect(queue.stats().queued.total).toBe(2);
    await timer.runAll();
    expect(calls.map((c) => c.state)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(queue.stats().circuit).toEqual({ state: 'closed', consecutiveFailures: 0, retryAfterMs: 0, opens: 1 });
  });

  it('re-opens when the trial fails, and tells the waiting calls at once', async () => {
    const { queue, timer, fake } = await tripped((i) => (i === 3 ? { error: fail('provider_timeout') } : {}));
    await timer.advance(10_000);
    const calls = ['trial', 'o1', 'o2'].map((prompt) => track(queue.generate({ prompt })));
    await timer.advance(10);
    expect(calls.map((c) => c.error?.code)).toEqual(['provider_timeout', 'circuit_open', 'circuit_open']);
    expect(calls[1]?.error).toMatchObject({ retryAfterMs: 10_000, cause: expect.objectContaining({ code: 'provider_timeout' }) });
    expect(fake.calls).toHaveLength(4);
    expect(queue.stats()).toMatchObject({ queued: { total: 0 }, circuit: { state: 'open', opens: 2 } });
  });

  it('fails the calls already waiting when it opens', async () => {
    const { queue, timer, fake } = harness({ circuit, retry: once }, () => ({ latencyMs: 10, error: fail('provider_unavailable') }));
    const calls = Array.from({ length: 6 }, (_, i) => track(queue.generate({ prompt: `c${i}` })));
    await timer.runAll();
    expect(calls.map((c) => c.error?.code)).toEqual([
      'provider_unavailable',
      'provider_unavailable',
      'provider_unavailable',
      'circuit_open',
      'circuit_open',
      'circuit_open',
    ]);
    expect(fake.calls).toHaveLength(3);
  });

  it('stops retrying a call when the circuit opens under it', async () => {
    const { queue, timer, fake } = harness({ circuit: { failureThreshold: 2, cooldownMs: 10_000 }, retry }, () => ({ error: fail('provider_unavailable') }));
    const answer = track(queue.generate({ prompt: 'q' }));
    await timer.runAll();
    expect(answer.error).toMatchObject({ code: 'circuit_open', cause: expect.objectContaining({ code: 'provider_unavailable' }) });
    expect(fake.calls).toHaveLength(2);
    expect(queue.stats().totals).toMatchObject({ attempts: 2, retries: 1, failures: { circuit_open: 1 } });
  });

  it('does not count answers that blame the request (auth, bad request) as the provider being down', async () => {
    const script = steps([
      { error: fail('provider_unavailable') },
      { error: fail('provider_unavailable') },
      { error: fail('provider_bad_request') },
      { error: fail('provider_unavailable') },
      { error: fail('provider_unavailable') },
    ]);
    const { queue, timer } = harness({ circuit, retry: once }, script);
    for (let i = 0; i < 5; i++) track(queue.generate({ prompt: `c${i}` }));
    await timer.runAll();
    expect(queue.stats().circuit).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
  });

  it('logs when the circuit opens and closes', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (_obj, msg) => lines.push(`info ${msg}`),
      warn: (obj, msg) => lines.push(`warn ${msg} ${JSON.stringify(obj)}`),
      error: () => undefined,
      child: () => logger,
    };
    const timer = new FakeTimer();
    const fake = new FakeLlmProvider(timer, (i) => (i === 0 ? { error: fail('provider_unavailable') } : {}));
    const queue = createProviderQueue({ provider: fake, timer, logger, options: { circuit: { failureThreshold: 1, cooldownMs: 100 }, retry: once } });
    track(queue.generate({ prompt: 'a' }));
    await timer.advance(200);
    track(queue.generate({ prompt: 'b' }));
    await timer.runAll();
    expect(lines).toEqual(['warn model provider circuit opened {"cooldownMs":100,"code":"provider_unavailable"}', 'info model provider circuit closed']);
  });
});
