import { describe, expect, it } from 'vitest';
import { fail } from './testing/fake-llm-provider.ts';
import type { ScriptStep } from './testing/fake-llm-provider.ts';
import { settle } from './testing/fake-timer.ts';
import { harness, track } from './testing/harness.ts';

/** Each prompt's attempts, in order. */
const plan: Record<string, ScriptStep[]> = {
  q1: [{ latencyMs: 100, usage: { inputTokens: 10, outputTokens: 5 } }],
  q2: [{ latencyMs: 50, error: fail('provider_unavailable') }, { latencyMs: 300, usage: { inputTokens: 20, outputTokens: 7 } }],
  q3: [{ latencyMs: 20, error: fail('provider_bad_request') }],
  q4: [{ latencyMs: 200, usage: { inputTokens: 1, outputTokens: 1 } }],
  'embed:e1': [{ latencyMs: 40, usage: { inputTokens: 4 } }],
};

function scripted() {
  const seen = new Map<string, number>();
  return (_call: number, label: string): ScriptStep => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    return plan[label]?.[n] ?? {};
  };
}

describe('ProviderQueue: accounting', () => {
  it('counts a scripted run exactly, per provider and per camera', async () => {
    const { queue, timer } = harness({ concurrency: 1, latencyWindow: 16, retry: { baseDelayMs: 100 } }, scripted());
    const controller = new AbortController();
    track(queue.generate({ prompt: 'q1' }, { camera: 'door' }));
    track(queue.generate({ prompt: 'q2' }, { camera: 'door', priority: 'interactive' }));
    track(queue.generate({ prompt: 'q3' }, { camera: 'yard' }));
    track(queue.generate({ prompt: 'q4' }));
    track(queue.embed(['e1'], { camera: 'yard' }));
    track(queue.generate({ prompt: 'gone', signal: controller.signal }, { camera: 'yard' }));
    await settle();

    expect(queue.stats()).toMatchObject({
      inFlight: 1,
      queued: { interactive: 1, background: 4, total: 5 },
      cameras: { door: { queued: 1, inFlight: 1 }, yard: { queued: 3, inFlight: 0 } },
    });
    controller.abort();
    await timer.runAll();

    const stats = queue.stats();
    expect(stats).toEqual({
      provider: 'local_vlm',
      kind: 'ollama',
      model: 'fake-model',
      concurrency: 1,
      maxQueued: 50,
      inFlight: 0,
      queued: { interactive: 0, background: 0, total: 0 },
      backingOff: 0,
      circuit: { state: 'closed', consecutiveFailures: 0, retryAfterMs: 0, opens: 0 },
      totals: {
        calls: 6,
        successes: 4,
        failures: { aborted: 1, provider_bad_request: 1 },
        attempts: 6,
        retries: 1,
        tokens: { input: 35, output: 13 },
        latency: { count: 4, sumMs: 640, meanMs: 160, p50Ms: 100, p95Ms: 300, window: 16 },
        queued: 0,
        inFlight: 0,
      },
      cameras: {
        door: {
          calls: 2,
          successes: 2,
          failures: {},
          attempts: 3,
          retries: 1,
          tokens: { input: 30, output: 12 },
          latency: { count: 2, sumMs: 400, meanMs: 200, p50Ms: 100, p95Ms: 300, window: 16 },
          queued: 0,
          inFlight: 0,
        },
        yard: {
          calls: 3,
          successes: 1,
          failures: { aborted: 1, provider_bad_request: 1 },
          attempts: 2,
          retries: 0,
          tokens: { input: 4, output: 0 },
          latency: { count: 1, sumMs: 40, meanMs: 40, p50Ms: 40, p95Ms: 40, window: 16 },
          queued: 0,
          inFlight: 0,
        },
      },
    });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('counts calls refused at the door too', async () => {
    const { queue } = harness({ maxQueued: 0 });
    track(queue.generate({ prompt: 'a' }, { camera: 'door' }));
    await expect(queue.generate({ prompt: 'b' }, { camera: 'door' })).rejects.toMatchObject({ code: 'queue_full' });
    expect(queue.stats().cameras['door']).toMatchObject({ calls: 2, failures: { queue_full: 1 }, inFlight: 1, queued: 0 });
  });
});
