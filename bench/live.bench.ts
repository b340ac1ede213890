/**
 * Live cameras under load, through the composition `vigil serve` runs (createVigil(...).live: one shared
 * detector pool taken in turns, a bounded drop-oldest queue per camera, SQLite, event images).
 * Each camera is a different piece of the street clip played in a loop at its own speed
 * (ffmpeg -re), with the demo's tripwire, restricted zone and loitering zone. After a warm-up
 * (model load, queues filling), left out of every figure, over the measured window:
 *   fps_in                frames/s decoded per camera (mean over cameras)
 *   fps_processed         frames/s stored per camera (detected, or passed over by the motion gate)
 *   drop_ratio            frames dropped by the full queues / frames in, all cameras together
 *   event_latency_p95_ms  from the arrival of the frame that opened an event to the event stored
 *                         (live frames are stamped with the wall clock on arrival, loops included)
 *   rss_growth_mb         RSS of this process (detector worker threads included, ffmpeg not) at
 *                         the end of the window minus at its start
 * The detector is expected to fall behind on a small machine: then frames are dropped, and the
 * point is that memory and latency stay bounded while they are.
 *
 *   npm run bench:live [-- <seconds>]   (env BENCH_LIVE_SECONDS=180, BENCH_LIVE_WARMUP_SECONDS=20,
 *                                        BENCH_LIVE_CAMERAS=4, BENCH_LIVE_FPS=5)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { PrometheusMetrics } from '../src/adapters/metrics/prometheus-metrics.ts';
import { openSqliteDatabase } from '../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { createLogger, createVigil, DATABASE_FILE } from '../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../src/config/index.ts';
import type { EventType } from '../src/domain/events/event-types.ts';
import type { LiveMetrics } from '../src/ports/live-metrics.ts';
import type { CameraLiveState } from '../src/services/live/live-camera.ts';
import { sampleExcerpt } from '../test/support/media.ts';

const seconds = Number(process.argv[2] ?? process.env.BENCH_LIVE_SECONDS ?? 180);
const warmupSeconds = Number(process.env.BENCH_LIVE_WARMUP_SECONDS ?? 20);
const cameraCount = Number(process.env.BENCH_LIVE_CAMERAS ?? 4);
const fps = Number(process.env.BENCH_LIVE_FPS ?? 5);
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (n: number) => Math.round(n * 100) / 100;
const mb = (bytes: number) => bytes / 2 ** 20;

/** Passes what the cameras report on to /metrics' counters, and keeps every event latency of the measured window. */
class RecordingMetrics implements LiveMetrics {
  measuring = false;
  readonly latencies = new Map<string, { new: number[]; update: number[] }>();

  constructor(private readonly inner: LiveMetrics) {}

  framesIn(cameraId: string): void {
    this.inner.framesIn(cameraId);
  }

  framesDropped(cameraId: string): void {
    this.inner.framesDropped(cameraId);
  }

  frameProcessed(cameraId: string, detectionsByLabel: ReadonlyMap<string, number>): void {
    this.inner.frameProcessed(cameraId, detectionsByLabel);
  }

  eventStored(cameraId: string, type: EventType, change: 'new' | 'update', latencyMs: number): void {
    this.inner.eventStored(cameraId, type, change, latencyMs);
    if (!this.measuring) return;
    const entry = this.latencies.get(cameraId) ?? { new: [], update: [] };
    entry[change].push(latencyMs);
    this.latencies.set(cameraId, entry);
  }

  reconnected(cameraId: string): void {
    this.inner.reconnected(cameraId);
  }
}

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Total RSS of this process's children (the ffmpeg decoders), where /proc tells. */
function childrenRssMb(): number | undefined {
  if (!existsSync('/proc/self/task')) return undefined;
  let kb = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const file = `/proc/self/task/${tid}/children`;
    if (!existsSync(file)) return undefined;
    for (const pid of readFileSync(file, 'utf8').split(' ').filter(Boolean)) {
      // A child may exit between the two reads.
      const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }
  }
  return kb / 1024;
}

// The demo's rules (samples/vigil.demo.yml), on pieces of the clip that start at different
// moments and differ in length, so that the cameras are never in step.
const rules = {
  labels: ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck', 'dog', 'backpack', 'handbag', 'suitcase'],
  tripwires: { path: { points: [[300, 170], [300, 330]], inbound: 'b_to_a', labels: ['person'] } },
  zones: {
    lawn: { points: [[0, 262], [330, 330], [560, 440], [768, 500], [768, 576], [0, 576]], restricted: true, labels: ['person'] },
    entrance: { points: [[560, 80], [768, 80], [768, 200], [560, 200]], labels: ['person'], loitering: { min_seconds: 15, max_speed: 0.02 } },
  },
};
const cameras = Array.from({ length: cameraCount }, (_, i) => {
  const from = Math.round((i * 39) / Math.max(1, cameraCount - 1));
  const length = 40 - (i % 3) * 3;
  return { id: `cam${i + 1}`, clip: sampleExcerpt('street', from, length), from, length };
});

interface Measurement {
  windowSeconds: number;
  start: CameraLiveState[];
  end: CameraLiveState[];
  rssMb: { start: number; end: number; peak: number; ffmpeg: number | undefined };
  /** JS heap and memory outside it (Buffers, typed arrays) of the main thread: where RSS growth comes from. */
  heapMb: { start: number; end: number };
  externalMb: { start: number; end: number };
  /** Per camera, event latencies of the window in ms. */
  latencies: RecordingMetrics['latencies'];
  /** Per camera, the share of the window's stored frames that the detector ran on. */
  detectedShare: Map<string, number>;
  loopDelayMs: { p50: number; p99: number; max: number };
}

/** Runs the cameras through warm-up and the measured window, then stops them (always). */
async function measure(loaded: LoadedConfig): Promise<Measurement> {
  const logger = createLogger('warn');
  const metrics: RecordingMetrics = new RecordingMetrics(
    new PrometheusMetrics({ cameras: () => live.states().map((s) => ({ ...s, connected: s.status === 'streaming' })), providers: () => [] }),
  );
  // The cameras as `vigil serve` builds them, their counters recorded here.
  const vigil = createVigil(loaded, { logger, liveMetrics: metrics });
  const live = vigil.live;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let stopped = false;
  try {
    live.start();
    // Warm-up: the model loads on first use and the queues fill; every camera must be processing.
    await delay(warmupSeconds * 1000);
    const warmupDeadline = Date.now() + 120_000;
    while (live.states().some((s) => s.framesProcessed === 0)) {
      if (Date.now() > warmupDeadline) throw new Error(`cameras not processing after warm-up: ${JSON.stringify(live.states())}`);
      await delay(1000);
    }

    const start = { at: performance.now(), wallMs: Date.now(), states: live.states(), rss: process.memoryUsage.rss(), memory: process.memoryUsage() };
    metrics.measuring = true;
    loopDelay.enable();
    let peakRss = start.rss;
    for (let elapsed = 1; elapsed <= seconds; elapsed++) {
      await delay(Math.max(0, start.at + elapsed * 1000 - performance.now()));
      const rss = process.memoryUsage.rss();
      peakRss = Math.max(peakRss, rss);
      if (elapsed % 30 === 0 || elapsed === seconds) {
        const delta = (pick: (s: CameraLiveState) => number) => live.states().reduce((n, s, i) => n + pick(s) - pick(start.states[i]!), 0);
        log(`  ${elapsed} s: in ${(delta((s) => s.framesIn) / elapsed).toFixed(1)}, processed ${(delta((s) => s.framesProcessed) / elapsed).toFixed(1)} frames/s (all cameras); rss ${mb(rss).toFixed(0)} MB`);
      }
    }
    const end = { at: performance.now(), wallMs: Date.now(), states: live.states(), rss: process.memoryUsage.rss(), memory: process.memoryUsage() };
    const ffmpeg = childrenRssMb();
    metrics.measuring = false;
    loopDelay.disable();

    await live.close(30_000);
    stopped = true;
    // The share of stored frames the detector ran on (the others were passed over by the motion
    // gate), among frames that arrived in the window: the counters do not tell the two apart.
    const db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
    const detectedRows = db
      .prepare('SELECT r.camera_id AS camera, AVG(f.detected) AS share FROM frames f JOIN analysis_runs r ON r.id = f.run_id WHERE f.ts_ms >= ? AND f.ts_ms < ? GROUP BY r.camera_id')
      .all(start.wallMs, end.wallMs) as Array<{ camera: string; share: number }>;
    db.close();
    return {
      windowSeconds: (end.at - start.at) / 1000,
      start: start.states,
      end: end.states,
      rssMb: { start: mb(start.rss), end: mb(end.rss), peak: mb(Math.max(peakRss, end.rss)), ffmpeg },
      heapMb: { start: mb(start.memory.heapUsed), end: mb(end.memory.heapUsed) },
      externalMb: { start: mb(start.memory.external), end: mb(end.memory.external) },
      latencies: metrics.latencies,
      detectedShare: new Map(detectedRows.map((r) => [r.camera, r.share])),
      loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    };
  } finally {
    // A run that failed half-way still stops its cameras (ffmpeg) and the detector workers.
    if (!stopped) await live.close(30_000);
    await vigil.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-live-'));
try {
  const config = {
    storage: { data_dir: join(dir, 'data') },
    cameras: Object.fromEntries(cameras.map((c) => [c.id, { input: c.clip, fps, live: { enabled: true }, ...rules }])),
  };
  // JSON is YAML: the config goes through the same parser and defaults as a file would.
  const loaded = { ...parseConfigText(JSON.stringify(config), { env: {}, baseDir: dir, fileLabel: 'bench' }), baseDir: dir };
  const queueFrames = loaded.config.cameras[cameras[0]!.id]!.live.queue_frames;
  log(`cameras: ${cameras.map((c) => `${c.id} = street ${c.from}-${c.from + c.length} s`).join(', ')}; ${fps} fps each, queue ${queueFrames} frames`);
  log(`warm-up ${warmupSeconds} s, then measuring for ${seconds} s`);
  const m = await measure(loaded);

  const rows = m.end.map((s, i) => {
    const before = m.start[i]!;
    const framesIn = s.framesIn - before.framesIn;
    const processed = s.framesProcessed - before.framesProcessed;
    const dropped = s.framesDropped - before.framesDropped;
    const latencies = m.latencies.get(s.cameraId) ?? { new: [], update: [] };
    return {
      camera: s.cameraId,
      framesIn,
      processed,
      dropped,
      fpsIn: framesIn / m.windowSeconds,
      fpsProcessed: processed / m.windowSeconds,
      fpsDetected: (processed * (m.detectedShare.get(s.cameraId) ?? 0)) / m.windowSeconds,
      dropRatio: framesIn ? dropped / framesIn : 0,
      events: latencies.new,
      updates: latencies.update,
      reconnects: s.reconnects - before.reconnects,
    };
  });
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const allNew = rows.flatMap((r) => r.events);
  const allUpdates = rows.flatMap((r) => r.updates);
  const totalIn = sum((r) => r.framesIn);
  const dropRatio = totalIn ? sum((r) => r.dropped) / totalIn : 0;
  const p95 = percentile(allNew, 0.95);
  const ms = (v: number | null) => (v === null ? '-' : v.toFixed(0));
  const line = (cells: Array<string | number>) => log(cells.map((c, i) => (i === 0 ? String(c).padEnd(7) : String(c).padStart(10))).join(' '));

  log('');
  line(['camera', 'in fps', 'proc fps', 'det fps', 'in', 'processed', 'dropped', 'drop ratio', 'events', 'p50 ms', 'p95 ms', 'reconnects']);
  for (const r of rows) {
    line([r.camera, r.fpsIn.toFixed(2), r.fpsProcessed.toFixed(2), r.fpsDetected.toFixed(2), r.framesIn, r.processed, r.dropped, r.dropRatio.toFixed(3), r.events.length, ms(percentile(r.events, 0.5)), ms(percentile(r.events, 0.95)), r.reconnects]);
  }
  line(['all', sum((r) => r.fpsIn).toFixed(2), sum((r) => r.fpsProcessed).toFixed(2), sum((r) => r.fpsDetected).toFixed(2), totalIn, sum((r) => r.processed), sum((r) => r.dropped), dropRatio.toFixed(3), allNew.length, ms(percentile(allNew, 0.5)), ms(p95), sum((r) => r.reconnects)]);
  log('');
  log(`window ${m.windowSeconds.toFixed(1)} s after ${warmupSeconds} s of warm-up. "all" sums the cameras; in BENCH, fps_in and fps_processed are per-camera means.`);
  log('proc = frames stored (detected, or passed over by the motion gate); det = frames the detector ran on.');
  log(`event latency, frame arrival -> event stored: ${allNew.length} new events, p50 ${ms(percentile(allNew, 0.5))} ms, p95 ${ms(p95)} ms, max ${ms(percentile(allNew, 1))} ms; ${allUpdates.length} updates, p95 ${ms(percentile(allUpdates, 0.95))} ms`);
  log(`rss: start ${m.rssMb.start.toFixed(1)} MB, end ${m.rssMb.end.toFixed(1)} MB, peak ${m.rssMb.peak.toFixed(1)} MB; ffmpeg decoders ${m.rssMb.ffmpeg === undefined ? 'n/a' : `${m.rssMb.ffmpeg.toFixed(1)} MB`} at the end`);
  log(`main thread: heap used ${m.heapMb.start.toFixed(1)} -> ${m.heapMb.end.toFixed(1)} MB, external ${m.externalMb.start.toFixed(1)} -> ${m.externalMb.end.toFixed(1)} MB`);
  log(`event loop delay (frames are stamped when the loop reads them): p50 ${m.loopDelayMs.p50.toFixed(1)} ms, p99 ${m.loopDelayMs.p99.toFixed(1)} ms, max ${m.loopDelayMs.max.toFixed(1)} ms`);
  if (p95 === null) log('warning: no event was opened in the window; event_latency_p95_ms is null');

  console.log(
    `BENCH ${JSON.stringify({
      cameras: rows.length,
      fps_in: round(sum((r) => r.fpsIn) / rows.length),
      fps_processed: round(sum((r) => r.fpsProcessed) / rows.length),
      drop_ratio: Math.round(dropRatio * 1000) / 1000,
      event_latency_p95_ms: p95 === null ? null : Math.round(p95),
      rss_growth_mb: round(m.rssMb.end - m.rssMb.start),
    })}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
