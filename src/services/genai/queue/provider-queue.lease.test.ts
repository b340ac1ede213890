import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { settle } from './testing/fake-timer.ts';
import { harness, track } from './testing/harness.ts';

describe('ProviderQueue.lease: slots for work the queue does not run (gateway streams)', () => {
  it('holds a slot until finish, shares the concurrency limit with generate, and accounts tokens', async () => {
    const { queue, timer, fake } = harness({ concurrency: 1 }, () => ({ latencyMs: 10 }));
    const lease = await queue.lease({ priority: 'interactive' });
    const description = track(queue.generate({ prompt: 'describe' }, { priority: 'background' }));
    await settle();
    expect(fake.order).toEqual([]);
    expect(queue.stats()).toMatchObject({ inFlight: 1, queued: { total: 1 } });
    await timer.advance(250);
    lease.finish({ usage: { inputTokens: 12, outputTokens: 5 } });
    lease.finish({ usage: { inputTokens: 99, outputTokens: 99 } }); // a second finish changes nothing
    await timer.runAll();
    expect(description.state).toBe('fulfilled');
    expect(queue.stats().totals).toMatchObject({ calls: 2, successes: 2, tokens: { input: 12, output: 0 + 5 } });
    expect(queue.stats().totals.latency.count).toBe(2);
  });

  it('waits in priority order and says how long it waited', async () => {
    const { queue, timer } = harness({ concurrency: 1 }, () => ({ latencyMs: 100 }));
    const running = track(queue.generate({ prompt: 'first' }, { priority: 'background' }));
    const background = track(queue.generate({ prompt: 'later' }, { priority: 'background' }));
    const leased = track(queue.lease({ priority: 'interactive' }));
    await timer.advance(100);
    expect(running.state).toBe('fulfilled');
    expect(leased.state).toBe('fulfilled');
    expect(background.state).toBe('pending');
    expect(leased.value?.waitedMs).toBe(100);
    leased.value?.finish({ usage: {} });
    await timer.runAll();
    expect(background.state).toBe('fulfilled');
  });

  it('a failure frees the slot and counts against the breaker like a failed call', async () => {
    const { queue, timer } = harness({ concurrency: 1, circuit: { failureThreshold: 2, cooldownMs: 1000 } });
    for (let i = 0; i < 2; i++) {
      const lease = await queue.lease();
      lease.finish({ error: new VigilError('provider_unavailable', 'down', { retryable: true }) });
    }
    await expect(queue.lease()).rejects.toMatchObject({ code: 'circuit_open' });
    expect(queue.stats().totals.failures).toEqual({ provider_unavailable: 2, circuit_open: 1 });
    await timer.advance(1000);
    const probe = await queue.lease();
    probe.finish({ usage: {} });
    expect(queue.stats().circuit.state).toBe('closed');
  });

  it('a waiting lease whose client goes away leaves the queue; a full wait list refuses with queue_full', async () => {
    const { queue } = harness({ concurrency: 1, maxQueued: 1 });
    const held = await queue.lease();
    const controller = new AbortController();
    const waiting = track(queue.lease({ signal: controller.signal }));
    await expect(queue.lease()).rejects.toMatchObject({ code: 'queue_full', retryable: true });
    controller.abort();
    await settle();
    expect(waiting.error?.code).toBe('aborted');
    expect(queue.stats().queued.total).toBe(0);
    held.finish({ error: new VigilError('aborted', 'client left') });
    expect(queue.stats().inFlight).toBe(0);
  });
});
