import { describe, expect, it } from 'vitest';
import { resolveQueueOptions } from './queue-options.ts';

describe('resolveQueueOptions', () => {
  it('defaults to one request at a time for Ollama and a few for hosted APIs', () => {
    expect(resolveQueueOptions('ollama')).toMatchObject({ concurrency: 1, maxQueued: 50, defaultPriority: 'background' });
    expect(resolveQueueOptions('openai').concurrency).toBe(4);
    expect(resolveQueueOptions('ollama', { concurrency: 2, retry: { maxAttempts: 2 } })).toMatchObject({
      concurrency: 2,
      retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 30_000 },
    });
  });

  it.each([
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ maxQueued: -1 }, 'maxQueued'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    [{ retry: { baseDelayMs: Number.NaN } }, 'retry.baseDelayMs'],
    [{ circuit: { failureThreshold: 0 } }, 'circuit.failureThreshold'],
    [{ latencyWindow: 0 }, 'latencyWindow'],
  ])('rejects %o naming %s', (options, field) => {
    expect(() => resolveQueueOptions('ollama', options)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining(field) }));
  });
});
