/**
 * Ingest throughput, measured side by side in one run on the street clip (vtest.avi):
 *   decode_fps            ffmpeg decode into Node, no detection
 *   detector_fps_1worker  the CenterNet pool with one worker, fed as fast as it takes frames
 *   pipeline_fps          the whole analysis (decode, gate off, detect, store) with N workers
 * ratio = pipeline_fps / (workers x detector_fps_1worker): how close the pool comes to linear
 * scaling with the rest of the pipeline running beside it.
 *
 *   npm run bench:ingest [-- <video>]   (env BENCH_WORKERS, BENCH_DETECTOR_FRAMES)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createVigil } from '../src/app.ts';
import { parseConfigText } from '../src/config/index.ts';
import { cameraSettings, detectorSettings } from '../src/config/settings/index.ts';
import type { Frame } from '../src/domain/frame.ts';
import { SAMPLE_CLIP } from '../test/support/media.ts';

const SHARED_CLIP = new URL('../../shared/data/vtest.avi', import.meta.url).pathname;
const video = process.argv[2] ?? (existsSync(SHARED_CLIP) ? SHARED_CLIP : SAMPLE_CLIP);
const workers = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const detectorFrames = Number(process.env.BENCH_DETECTOR_FRAMES ?? 120);
const WARMUP = 4;

// Built-in defaults: the decoder alone, then a one-worker detector, then the whole analysis.
const defaults = { ...parseConfigText('', { env: {}, baseDir: tmpdir(), fileLabel: 'bench' }), baseDir: tmpdir() };
const input = createVigil(defaults, { logger: createLogger('warn') }).videoInput;
const info = await input.probe(video);
const size = { width: info.width, height: info.height };
const decodeOptions = () => ({ sampleFps: info.fps, ...size, startTimeMs: 0, signal: new AbortController().signal });
const log = (line: string) => process.stderr.write(`${line}\n`);
log(`video: ${video} (${info.codec} ${info.width}x${info.height} @ ${info.fps} fps, ${info.durationSeconds} s); workers: ${workers}`);

// 1. Decode only.
let t0 = performance.now();
let decoded = 0;
const firstFrames: Frame[] = [];
for await (const frame of input.frames(info, decodeOptions())) {
  if (firstFrames.length < detectorFrames + WARMUP) firstFrames.push(frame);
  decoded++;
}
const decodeFps = decoded / ((performance.now() - t0) / 1000);
log(`decode: ${decoded} frames, ${decodeFps.toFixed(1)} frames/s`);

// 2. One detector worker, kept busy (its natural concurrency), on frames already in memory.
const config = defaults.config;
const oneWorker = createVigil(defaults, { logger: createLogger('warn'), detectorWorkers: 1 });
const single = oneWorker.detector;
for (const frame of firstFrames.slice(0, WARMUP)) await single.detect(frame);
const timed = firstFrames.slice(WARMUP);
t0 = performance.now();
const inFlight = new Set<Promise<unknown>>();
for (const frame of timed) {
  const p: Promise<unknown> = single.detect(frame).then(() => inFlight.delete(p));
  inFlight.add(p);
  if (inFlight.size >= single.concurrency) await Promise.race(inFlight);
}
await Promise.all(inFlight);
const detectorFps = timed.length / ((performance.now() - t0) / 1000);
await oneWorker.close();
log(`detector, 1 worker: ${timed.length} frames, ${detectorFps.toFixed(2)} frames/s`);
firstFrames.length = 0;

// 3. The whole pipeline: every frame, motion gating off, results stored in SQLite.
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
try {
  const loaded = parseConfigText(`storage:\n  data_dir: ${dataDir}\n  frames:\n    keep: false\n`, { env: {}, baseDir: dataDir, fileLabel: 'bench' });
  const app = createVigil({ ...loaded, baseDir: dataDir }, { logger: createLogger('warn'), detectorWorkers: workers });
  const camera = cameraSettings('bench', {}, loaded.config, { fps: info.fps });
  camera.motion = { ...camera.motion, enabled: false };
  // Warm the pool (model load) outside the timed section, as a long-running server would be.
  await app.detector.detect({ rgb: new Uint8Array(size.width * size.height * 3), ...size });
  const summary = await app.analysis.analyze({ input: video, camera, detectorSettings: detectorSettings(config.detector), signal: new AbortController().signal });
  await app.close();
  const pipelineFps = summary.session.framesPerSecond;
  log(`pipeline, ${workers} workers: ${summary.framesDecoded} frames (${summary.framesDetected} detected), ${pipelineFps.toFixed(2)} frames/s`);
  const ratio = pipelineFps / (workers * detectorFps);
  const round = (n: number) => Math.round(n * 100) / 100;
  console.log(`BENCH ${JSON.stringify({ decode_fps: round(decodeFps), detector_fps_1worker: round(detectorFps), pipeline_fps: round(pipelineFps), workers, ratio: round(ratio) })}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
