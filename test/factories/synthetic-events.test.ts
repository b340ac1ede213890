import { describe, expect, it } from 'vitest';
import { syntheticCameras, syntheticEvents } from './synthetic-events.ts';

const cameras = syntheticCameras();
const toMs = Date.parse('2026-03-20T09:30:00+08:00');
const fromMs = toMs - 30 * 86_400_000;
const generate = (seed: number, count = 3000) => [...syntheticEvents({ seed, count, cameras, fromMs, toMs })];

describe('syntheticEvents', () => {
  it('gives 40 cameras with unique ids and Chinese aliases', () => {
    expect(cameras).toHaveLength(40);
    expect(new Set(cameras.map((c) => c.id)).size).toBe(40);
    expect(cameras.find((c) => c.id === 'back')?.aliases).toContain('後門');
    expect(cameras.every((c) => c.aliases.some((a) => /\p{Script=Han}/u.test(a)))).toBe(true);
  });

  it('makes exactly `count` events in time order inside the span, with unique ids', () => {
    const events = generate(1);
    expect(events).toHaveLength(3000);
    const starts = events.map((s) => s.event.startMs);
    expect(starts.every((t, i) => t >= fromMs && t < toMs && (i === 0 || t >= (starts[i - 1] ?? 0)))).toBe(true);
    expect(new Set(events.map((s) => s.event.id)).size).toBe(3000);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generate(5, 200)).toEqual(generate(5, 200));
    expect(generate(6, 200).map((s) => s.event.id)).not.toEqual(generate(5, 200).map((s) => s.event.id));
  });

  it('covers every event type, mostly people, with bilingual summaries and appearance words', () => {
    const events = generate(2).map((s) => s.event);
    const share = (p: (e: (typeof events)[number]) => boolean) => events.filter(p).length / events.length;
    for (const type of ['line_crossing', 'intrusion', 'loitering', 'object_seen'] as const) expect(share((e) => e.type === type)).toBeGreaterThan(0.05);
    expect(share((e) => e.labels.includes('person'))).toBeGreaterThan(0.6);
    expect(share((e) => e.labels.includes('car'))).toBeGreaterThan(0.05);
    expect(events.every((e) => e.summary.en !== '' && /\p{Script=Han}/u.test(e.summary.zhHant))).toBe(true);
    expect(share((e) => e.keywords.includes('red') || e.keywords.includes('紅色'))).toBeGreaterThan(0.01);
    const loiter = events.find((e) => e.type === 'loitering');
    expect(loiter?.summary.zhHant).toMatch(/徘徊 \d+ 秒/);
  });
});
