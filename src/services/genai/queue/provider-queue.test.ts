import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { fail, steps } from './testing/fake-llm-provider.ts';
import { settle } from './testing/fake-timer.ts';
import { harness, track } from './testing/harness.ts';
import type { Tracked } from './testing/harness.ts';
import type { QueueCallOptions } from './provider-queue.ts';

const count = (list: readonly Tracked<unknown>[], pred: (t: Tracked<unknown>) => boolean) => list.filter(pred).length;

describe('ProviderQueue: passing through', () => {
  it('looks like the provider it wraps and returns its answers', async () => {
    const { queue, timer, fake } = harness({}, () => ({ text: 'a car', usage: { inputTokens: 3 } }));
    expect([queue.name, queue.kind, queue.model]).toEqual(['local_vlm', 'ollama', 'fake-model']);
    const answer = track(queue.generate({ prompt: 'what?' }));
    const vectors = track(queue.embed(['a', 'b']));
    await timer.runAll();
    expect(answer.value).toEqual({ text: 'a car', model: 'fake-model', usage: { inputTokens: 3 } });
    expect(vectors.value?.vectors).toHaveLength(2);
    expect(fake.order).toEqual(['what?', 'embed:a|b']);
  });
});

describe('ProviderQueue: concurrency', () => {
  it('never has more than `concurrency` requests at the provider during a burst', async () => {
    const { queue, timer, fake } = harness({ concurrency: 3, maxQueued: 100 }, (i) => ({ latencyMs: ((i * 7) % 23) + 1 }));
    const calls = Array.from({ length: 40 }, (_, i) => track(queue.generate({ prompt: `p${i}` })));
    await settle();
    expect(fake.inFlight).toBe(3);
    expect(queue.stats()).toMatchObject({ inFlight: 3, queued: { total: 37, background: 37, interactive: 0 } });
    await timer.runAll();
    expect(fake.maxInFlight).toBe(3);
    expect(count(calls, (c) => c.state === 'fulfilled')).toBe(40);
  });

  it('holds the slot of a call its caller gave up on until the provider lets go of it', async () => {
    const { queue, timer, fake } = harness({}, steps([{ latencyMs: 100, ignoreAbort: true }]));
    const controller = new AbortController();
    const a = track(queue.generate({ prompt: 'a', signal: controller.signal }));
    const b = track(queue.generate({ prompt: 'b' }));
    await timer.advance(5);
    controller.abort();
    await settle();
    expect(a.error?.code).toBe('aborted');
    expect(fake.order).toEqual(['a']);
    await timer.advance(95);
    expect(fake.calls[1]).toMatchObject({ label: 'b', startedAt: 1_000_100 });
    await timer.runAll();
    expect(b.state).toBe('fulfilled');
    expect(fake.maxInFlight).toBe(1);
  });
});

describe('ProviderQueue: priority', () => {
  it('serves interactive calls before background ones, each in arrival order', async () => {
    const { queue, timer, fake } = harness();
    const go = (prompt: string, priority: QueueCallOptions['priority']) => track(queue.generate({ prompt }, { priority }));
    go('b0', 'background');
    go('b1', 'background');
    go('b2', 'background');
    go('i1', 'interactive');
    go('b3', 'background');
    go('i2', 'interactive');
    await timer.runAll();
    expect(fake.order).toEqual(['b0', 'i1', 'i2', 'b1', 'b2', 'b3']);
  });

  it('treats calls that do not say as background, unless configured otherwise', async () => {
    for (const [defaultPriority, expected] of [
      [undefined, ['x', 'i', 'plain']],
      ['interactive', ['x', 'plain', 'i']],
    ] as const) {
      const { queue, timer, fake } = harness(defaultPriority ? { defaultPriority } : {});
      track(queue.generate({ prompt: 'x' }));
      track(queue.generate({ prompt: 'plain' }));
      track(queue.generate({ prompt: 'i' }, { priority: 'interactive' }));
      await timer.runAll();
      expect(fake.order).toEqual(expected);
    }
  });

  it('hands out plain LlmProvider views that carry priority and camera', async () => {
    const { queue, timer, fake } = harness();
    const describer = queue.provider({ priority: 'background', camera: 'door' });
    const answerer = queue.provider({ priority: 'interactive' });
    expect(answerer.name).toBe('local_vlm');
    track(describer.generate({ prompt: 'd1' }));
    track(describer.embed(['d2']));
    track(answerer.embed(['q'], {}));
    await timer.runAll();
    expect(fake.order).toEqual(['d1', 'embed:q', 'embed:d2']);
    expect(queue.stats().cameras['door']).toMatchObject({ calls: 2, successes: 2 });
  });

  it('puts a retried call back in its old place in line', async () => {
    const { queue, timer, fake } = harness({ retry: { baseDelayMs: 500 } }, steps([{ latencyMs: 100, error: fail('provider_unavailable') }], { latencyMs: 100 }));
    for (let i = 0; i < 5; i++) track(queue.generate({ prompt: `c${i}` }));
    await timer.runAll();
    // c0 fails at 100 and sleeps 250 (half of 500): back at 350, ahead of c4 which arrived after it.
    expect(fake.order).toEqual(['c0', 'c1', 'c2', 'c3', 'c0', 'c4']);
  });
});

describe('ProviderQueue: bounded queue', () => {
  it('rejects at once with queue_full and a wait estimated from recent latency x queue length', async () => {
    const { queue, timer, fake } = harness({ maxQueued: 2 }, () => ({ latencyMs: 100 }));
    await Promise.all([queue.generate({ prompt: 'warm-up' }), timer.runAll()]);
    const held = ['a', 'b', 'c'].map((prompt) => track(queue.generate({ prompt })));
    const refused = track(queue.generate({ prompt: 'd' }));
    await settle();
    expect(refused.error).toBeInstanceOf(VigilError);
    expect(refused.error).toMatchObject({ code: 'queue_full', retryable: true, retryAfterMs: 300 });
    expect(refused.error?.message).toMatch(/busy: 2 requests are already waiting.*1 s/);
    await timer.runAll();
    expect(held.map((h) => h.state)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(fake.order).toEqual(['warm-up', 'a', 'b', 'c']);
  });

  it('estimates from initialLatencyEstimateMs before anything was measured', async () => {
    const { queue } = harness({ maxQueued: 1, concurrency: 2, initialLatencyEstimateMs: 2_000 });
    for (const prompt of ['a', 'b', 'c']) track(queue.generate({ prompt }));
    await expect(queue.generate({ prompt: 'd' })).rejects.toMatchObject({ code: 'queue_full', retryAfterMs: 3_000 });
  });

  it('lets an interactive call take the place of the newest background one when full', async () => {
    const { queue, timer, fake } = harness({ maxQueued: 2 });
    track(queue.generate({ prompt: 'running' }));
    const b1 = track(queue.generate({ prompt: 'b1' }));
    const b2 = track(queue.generate({ prompt: 'b2' }));
    const i1 = track(queue.generate({ prompt: 'i1' }, { priority: 'interactive' }));
    await settle();
    expect([b1.state, b2.error?.code]).toEqual(['pending', 'queue_full']);
    const i2 = track(queue.generate({ prompt: 'i2' }, { priority: 'interactive' }));
    const i3 = track(queue.generate({ prompt: 'i3' }, { priority: 'interactive' }));
    const b3 = track(queue.generate({ prompt: 'b3' }));
    await settle();
    // No background call left to displace: the queue is full of people, and they come first.
    expect([b1.error?.code, i3.error?.code, b3.error?.code]).toEqual(['queue_full', 'queue_full', 'queue_full']);
    await timer.runAll();
    expect([i1.state, i2.state]).toEqual(['fulfilled', 'fulfilled']);
    expect(fake.order).toEqual(['running', 'i1', 'i2']);
  });

  it('answers or refuses every one of 500 requests arriving at once: none lost, none hanging', async () => {
    const { queue, timer, fake } = harness({ concurrency: 1, maxQueued: 50 });
    const calls = Array.from({ length: 500 }, (_, i) => track(queue.generate({ prompt: `p${i}` })));
    await timer.runAll();
    expect(count(calls, (c) => c.state === 'pending')).toBe(0);
    expect(count(calls, (c) => c.state === 'fulfilled')).toBe(51);
    expect(count(calls, (c) => c.error?.code === 'queue_full')).toBe(449);
    expect(fake.calls).toHaveLength(51);
    expect(fake.maxInFlight).toBe(1);
    expect(queue.stats()).toMatchObject({ inFlight: 0, backingOff: 0, queued: { total: 0 }, totals: { calls: 500, successes: 51, failures: { queue_full: 449 } } });
  });

  it('accounts for every one of 500 staggered requests with mixed priorities, retries and failures', async () => {
    const script = (i: number) =>
      i % 7 === 3 ? { latencyMs: 10, error: fail('provider_bad_request') } : i % 11 === 5 ? { latencyMs: 10, error: fail('provider_unavailable') } : { latencyMs: 10 };
    const { queue, timer, fake } = harness({ concurrency: 1, maxQueued: 50, retry: { baseDelayMs: 20 } }, script);
    const calls: Tracked<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      calls.push(track(queue.generate({ prompt: `p${i}` }, { priority: i % 5 === 0 ? 'interactive' : 'background' })));
      await timer.advance(3);
      expect(fake.inFlight).toBeLessThanOrEqual(1);
    }
    await timer.runAll();
    const fulfilled = count(calls, (c) => c.state === 'fulfilled');
    const full = count(calls, (c) => c.error?.code === 'queue_full');
    const otherFailures = count(calls, (c) => c.state === 'rejected' && c.error?.code !== 'queue_full');
    expect(count(calls, (c) => c.state === 'pending')).toBe(0);
    expect(fulfilled + full + otherFailures).toBe(500);
    expect(full).toBeGreaterThan(0);
    expect(fulfilled).toBeGreaterThan(51);
    const { totals } = queue.stats();
    expect(totals.calls).toBe(500);
    expect(totals.successes).toBe(fulfilled);
    expect(totals.failures.queue_full).toBe(full);
    expect(Object.values(totals.failures).reduce((a, b) => a + b, 0)).toBe(full + otherFailures);
    expect(totals.attempts).toBe(fake.calls.length);
    expect(fake.maxInFlight).toBe(1);
  });
});

describe('ProviderQueue: cancelling', () => {
  it('takes a call that is still waiting out of the queue', async () => {
    const { queue, timer, fake } = harness();
    const controller = new AbortController();
    track(queue.generate({ prompt: 'a' }));
    const b = track(queue.generate({ prompt: 'b', signal: controller.signal }, { camera: 'door' }));
    track(queue.generate({ prompt: 'c' }));
    await settle();
    expect(queue.stats().queued.total).toBe(2);
    controller.abort();
    await settle();
    expect(b.error).toMatchObject({ code: 'aborted' });
    expect(queue.stats()).toMatchObject({ queued: { total: 1 }, cameras: { door: { queued: 0, failures: { aborted: 1 } } } });
    await timer.runAll();
    expect(fake.order).toEqual(['a', 'c']);
  });

  it('cancels a call at the provider, which frees the slot at once when the provider honours the signal', async () => {
    const { queue, timer, fake } = harness({}, () => ({ latencyMs: 100 }));
    const controller = new AbortController();
    const a = track(queue.generate({ prompt: 'a', signal: controller.signal }));
    track(queue.generate({ prompt: 'b' }));
    await timer.advance(5);
    controller.abort();
    await settle();
    expect(a.error).toMatchObject({ code: 'aborted' });
    expect(fake.calls[0]?.outcome).toBe('aborted');
    expect(fake.calls[1]).toMatchObject({ label: 'b', startedAt: 1_000_005 });
  });

  it('cancels a call sleeping between attempts, and one whose signal was aborted before it came', async () => {
    const { queue, timer, fake } = harness({}, () => ({ error: fail('provider_unavailable') }));
    const controller = new AbortController();
    const a = track(queue.embed(['a'], { signal: controller.signal }));
    await timer.advance(10);
    expect(queue.stats().backingOff).toBe(1);
    controller.abort();
    await settle();
    expect(a.error).toMatchObject({ code: 'aborted' });
    expect(timer.pendingTimers).toBe(0);
    await expect(queue.generate({ prompt: 'late', signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(fake.calls).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ backingOff: 0, totals: { calls: 2, failures: { aborted: 2 } } });
  });
});
