import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDetector } from '../../src/adapters/detectors/detector-factory.ts';
import { locateFfmpeg } from '../../src/adapters/ffmpeg/ffmpeg-binaries.ts';
import { FfmpegVideoInput } from '../../src/adapters/ffmpeg/ffmpeg-video-input.ts';
import { vigilConfigSchema } from '../../src/config/index.ts';
import { detectionFilter } from '../../src/config/settings/index.ts';
import type { Frame } from '../../src/domain/frame.ts';
import type { Detector } from '../../src/ports/detector.ts';
import { PERSON_JPG, SAMPLE_CLIP } from '../support/media.ts';

/** The real bundled model, in real worker threads, on real images. */
describe('CenterNet detector (bundled model, wasm, worker pool)', () => {
  let detector: Detector;

  beforeAll(async () => {
    const config = vigilConfigSchema.parse({});
    detector = await startDetector(config.detector, { workers: 2, filter: detectionFilter(config.detector) });
  });
  afterAll(async () => {
    await detector.close();
  });

  it('finds the person in person.jpg with a score of at least 0.5', async () => {
    const { data, info } = await sharp(PERSON_JPG).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const detections = await detector.detect({ rgb: new Uint8Array(data), width: info.width, height: info.height });
    const people = detections.filter((d) => d.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(1);
    const best = people.reduce((a, b) => (a.score > b.score ? a : b));
    expect(best.score).toBeGreaterThanOrEqual(0.5);
    // Boxes come back in the image's own pixels, inside the image.
    expect(best.box.x1).toBeGreaterThanOrEqual(0);
    expect(best.box.x2).toBeLessThanOrEqual(info.width);
    expect(best.box.y2).toBeLessThanOrEqual(info.height);
    expect(best.box.x2 - best.box.x1).toBeGreaterThan(info.width * 0.1);
  });

  it('finds at least 5 people in the street clip at 20 s', async () => {
    const input = new FfmpegVideoInput({ binaries: locateFfmpeg() });
    const info = await input.probe(SAMPLE_CLIP);
    let frame: Frame | undefined;
    const controller = new AbortController();
    for await (const f of input.frames(info, { sampleFps: 1, width: info.width, height: info.height, startTimeMs: 0, signal: controller.signal })) {
      if (f.ptsSeconds === 20) {
        frame = f;
        break;
      }
    }
    expect(frame?.ptsSeconds).toBe(20);
    const detections = await detector.detect(frame!);
    const people = detections.filter((d) => d.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(5);
    for (const p of people) expect(p.score).toBeGreaterThanOrEqual(0.4);
  });

  it('gives identical results for the same frame on any worker (needed for resumable runs)', async () => {
    const { data, info } = await sharp(PERSON_JPG).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = { rgb: new Uint8Array(data), width: info.width, height: info.height };
    const results = await Promise.all([1, 2, 3, 4].map(() => detector.detect(image)));
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  });
});
