import { describe, expect, it } from 'vitest';
import { LatencyWindow, QueueAccounting } from './call-stats.ts';

describe('LatencyWindow', () => {
  it('gives nearest-rank percentiles', () => {
    const w = new LatencyWindow(100);
    for (let ms = 100; ms >= 1; ms--) w.add(ms);
    expect(w.summary()).toEqual({ count: 100, sumMs: 5050, meanMs: 50.5, p50Ms: 50, p95Ms: 95, window: 100 });
  });

  it('keeps all-time count and sum but percentiles over the recent window only', () => {
    const w = new LatencyWindow(10);
    for (let ms = 1; ms <= 100; ms++) w.add(ms);
    expect(w.summary()).toEqual({ count: 100, sumMs: 5050, meanMs: 95.5, p50Ms: 95, p95Ms: 100, window: 10 });
  });

  it('reports null, not NaN, before the first sample', () => {
    expect(new LatencyWindow(4).summary()).toEqual({ count: 0, sumMs: 0, meanMs: null, p50Ms: null, p95Ms: null, window: 4 });
  });
});

describe('QueueAccounting', () => {
  it('counts every event for the provider and for the camera named', () => {
    const acc = new QueueAccounting(8);
    acc.each('door', (a) => a.calls++);
    acc.each(undefined, (a) => a.calls++);
    acc.each('door', (a) => a.fail('queue_full'));
    acc.each('door', (a) => a.answered(40, { inputTokens: 3 }));
    expect(acc.total.snapshot()).toMatchObject({ calls: 2, failures: { queue_full: 1 }, tokens: { input: 3, output: 0 } });
    expect(Object.keys(acc.cameras())).toEqual(['door']);
    expect(acc.cameras()['door']).toMatchObject({ calls: 1, failures: { queue_full: 1 }, latency: { count: 1, sumMs: 40 } });
  });
});
