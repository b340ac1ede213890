import { describe, expect, it } from 'vitest';
import type { Detection } from '../../domain/detection.ts';
import type { Detector, DetectorImage } from '../../ports/detector.ts';
import { FairDetectorScheduler } from './fair-detector.ts';

/** A detector whose calls finish only when the test says so; it records which image it got. */
function manualDetector(concurrency: number) {
  const calls: Array<{ tag: number; finish: (d: Detection[]) => void; fail: (e: Error) => void }> = [];
  const detector: Detector = {
    id: 'manual',
    concurrency,
    detect: (image) =>
      new Promise((resolve, reject) => {
        calls.push({ tag: image.width, finish: resolve, fail: reject });
      }),
    close: async () => {},
  };
  return { detector, calls };
}

const image = (tag: number): DetectorImage => ({ rgb: new Uint8Array(3), width: tag, height: 1 });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FairDetectorScheduler', () => {
  it("tells each camera its share of the detector's concurrency among the cameras active lately, at least one", () => {
    const { detector } = manualDetector(4);
    let now = 0;
    const scheduler = new FairDetectorScheduler(detector, () => now);
    const cameras = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((id) => scheduler.forCamera(id));
    const [a, b, c] = cameras as [Detector, Detector, Detector];
    // Only one camera has motion: it may use the whole detector.
    void a.detect(image(1));
    expect(a.concurrency).toBe(4);
    void b.detect(image(2));
    void c.detect(image(3));
    expect([a.concurrency, b.concurrency]).toEqual([2, 2]);
    for (const camera of cameras) void camera.detect(image(4));
    expect(a.concurrency).toBe(1);
    // The others go quiet (no motion, or offline): after a few seconds a's share grows again.
    now += 6_000;
    void a.detect(image(5));
    expect(a.concurrency).toBe(4);
    // A camera that has not asked yet counts itself.
    expect(scheduler.forCamera('new').concurrency).toBe(2);
  });

  it('serves cameras in turns, whatever order their frames arrived in', async () => {
    const { detector, calls } = manualDetector(1);
    const scheduler = new FairDetectorScheduler(detector);
    const busy = scheduler.forCamera('busy');
    const quiet = scheduler.forCamera('quiet');
    const results: Array<Promise<Detection[]>> = [];
    // The busy camera queues 5 frames (tags 1-5) before the quiet one queues 2 (tags 101, 102).
    for (let i = 1; i <= 5; i++) results.push(busy.detect(image(i)));
    results.push(quiet.detect(image(101)), quiet.detect(image(102)));
    expect(scheduler.waiting('busy')).toBe(4);
    for (let i = 0; i < 7; i++) {
      await settle();
      calls[i]?.finish([]);
    }
    await Promise.all(results);
    expect(calls.map((c) => c.tag)).toEqual([1, 101, 2, 102, 3, 4, 5]);
  });

  it('keeps at most the detector concurrency in flight and passes results and errors back', async () => {
    const { detector, calls } = manualDetector(2);
    const scheduler = new FairDetectorScheduler(detector);
    const a = scheduler.forCamera('a');
    const outcomes = Promise.allSettled([a.detect(image(1)), a.detect(image(2)), a.detect(image(3))]);
    await settle();
    expect(calls).toHaveLength(2);
    const person: Detection = { label: 'person', score: 0.9, box: { x1: 0, y1: 0, x2: 1, y2: 1 } };
    calls[0]?.finish([person]);
    calls[1]?.fail(new Error('model crashed'));
    await settle();
    expect(calls).toHaveLength(3);
    calls[2]?.finish([]);
    const settled = await outcomes;
    expect(settled[0]).toEqual({ status: 'fulfilled', value: [person] });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { message: 'model crashed' } });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: [] });
  });
});
