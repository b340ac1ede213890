/**
 * The composition root: the only module that knows concrete adapters. It turns the validated
 * configuration into adapters and hands them, as ports, to the services.
 */
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createOnnxYoloDetector } from './adapters/detectors/onnx/onnx-yolo-detector.ts';
import { LazyDetector } from './adapters/detectors/lazy-detector.ts';
import { CenterNetPool } from './adapters/detectors/centernet/centernet-pool.ts';
import { locateFfmpeg } from './adapters/ffmpeg/ffmpeg-binaries.ts';
import { FfmpegVideoInput } from './adapters/ffmpeg/ffmpeg-video-input.ts';
import { JpegFrameArchive } from './adapters/images/jpeg-frame-archive.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './adapters/storage/sqlite/sqlite-analysis-store.ts';
import type { CameraConfig, DetectorConfig, LoadedConfig, LogLevel } from './config/index.ts';
import { DEFAULT_LABELS, type DetectionFilterOptions } from './domain/detection.ts';
import { VigilError } from './domain/errors.ts';
import type { Detector } from './ports/detector.ts';
import type { Clock, Logger } from './ports/logger.ts';
import { AnalyzeVideoService, type CameraAnalysisSettings } from './services/analyze-video.service.ts';
import { DEFAULT_MOTION_GATE } from './domain/motion-gate.ts';

/** The bundled CenterNet model, shipped in the repository (see models/centernet/README.md). */
export const BUNDLED_MODEL_DIR = fileURLToPath(new URL('../models/centernet', import.meta.url));
export const DATABASE_FILE = 'vigil.db';

export const systemClock: Clock = { now: () => Date.now() };

export function createLogger(level: LogLevel): Logger {
  // Logs go to stderr so that stdout stays clean for results and --json.
  return pino({ level, base: undefined, redact: { paths: ['*.password', '*.api_key', '*.token'], censor: '***' } }, pino.destination(2));
}

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function detectionFilter(detector: DetectorConfig, labels?: readonly string[]): DetectionFilterOptions {
  return {
    defaults: { minScore: detector.min_score, minArea: detector.min_area },
    perLabel: Object.fromEntries(
      Object.entries(detector.filters).map(([label, f]) => [
        label,
        { ...(f.min_score !== undefined ? { minScore: f.min_score } : {}), ...(f.min_area !== undefined ? { minArea: f.min_area } : {}) },
      ]),
    ),
    ...(labels ? { labels } : {}),
  };
}

/** The configured detector, started on first use. */
export function createDetector(detector: DetectorConfig, options: { workers?: number } = {}): Detector {
  if (detector.type === 'onnx') return new LazyDetector(`onnx:${basename(detector.model ?? '')}`, 1, () => startDetector(detector, options));
  const workers = options.workers ?? detector.workers ?? availableParallelism();
  return new LazyDetector('centernet', workers * 2, () => startDetector(detector, { workers }));
}

export async function startDetector(detector: DetectorConfig, options: { workers?: number } = {}): Promise<Detector> {
  const filter = detectionFilter(detector);
  if (detector.type === 'onnx') {
    if (!detector.model || !detector.labels) throw new VigilError('config_invalid', 'detector.model and detector.labels are required for onnx');
    return createOnnxYoloDetector({
      modelPath: detector.model,
      labelsPath: detector.labels,
      ...(detector.input_size !== undefined ? { inputSize: detector.input_size } : {}),
      device: detector.device,
      filter,
      nmsIou: detector.nms_iou,
    });
  }
  return CenterNetPool.start({
    modelDir: BUNDLED_MODEL_DIR,
    workers: options.workers ?? detector.workers ?? availableParallelism(),
    filter,
    nmsIou: detector.nms_iou,
  });
}

/** Everything about the detector that changes its output: part of an analysis run's identity. */
export function detectorSettings(detector: DetectorConfig): unknown {
  // Workers and device change speed, not results.
  const { workers: _workers, device: _device, ...rest } = detector;
  return rest;
}

/**
 * The camera an input is analysed as: the one named, else the configured camera whose input is
 * this file, else an ad-hoc camera named after the file with default settings.
 */
export function resolveCamera(
  loaded: LoadedConfig,
  input: string,
  cameraId: string | undefined,
): { id: string; camera: Partial<CameraConfig> } {
  const cameras = loaded.config.cameras;
  if (cameraId !== undefined) {
    const camera = cameras[cameraId];
    if (!camera) {
      const known = Object.keys(cameras);
      throw new VigilError('camera_unknown', `Camera "${cameraId}" is not in the configuration`, {
        details: [known.length ? `known cameras: ${known.join(', ')}` : 'the configuration has no cameras'],
      });
    }
    return { id: cameraId, camera };
  }
  const absolute = resolve(input);
  const match = Object.entries(cameras).find(([, c]) => c.input === input || c.input === absolute);
  if (match) return { id: match[0], camera: match[1] };
  const stem = basename(input).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return { id: stem || 'default', camera: {} };
}

export function cameraSettings(id: string, camera: Partial<CameraConfig>, overrides: { fps?: number } = {}): CameraAnalysisSettings {
  const motion = camera.motion;
  return {
    cameraId: id,
    sampleFps: overrides.fps ?? camera.fps ?? 5,
    ...(camera.detect_width !== undefined ? { detectWidth: camera.detect_width } : {}),
    labels: camera.labels ?? DEFAULT_LABELS,
    timeZone: camera.timezone ?? systemTimeZone(),
    ...(camera.start_time !== undefined ? { startTimeMs: Date.parse(camera.start_time) } : {}),
    motion: {
      ...DEFAULT_MOTION_GATE,
      ...(motion
        ? {
            enabled: motion.enabled,
            pixelThreshold: motion.threshold,
            minChangedFraction: motion.min_area,
            forceEverySeconds: motion.force_every_s,
          }
        : {}),
    },
  };
}

export interface AnalysisApp {
  service: AnalyzeVideoService;
  detector: Detector;
  dataDir: string;
  close(): Promise<void>;
}

/** Wire the analysis use case: ffmpeg input, detector, SQLite store and JPEG archive. */
export function createAnalysisApp(loaded: LoadedConfig, logger: Logger, options: { workers?: number } = {}): AnalysisApp {
  const { config } = loaded;
  const dataDir = config.storage.data_dir;
  const videoInput = new FfmpegVideoInput({ binaries: locateFfmpeg() });
  const db = openSqliteDatabase(join(dataDir, DATABASE_FILE));
  const store = new SqliteAnalysisStore(db);
  const detector = createDetector(config.detector, options);
  const frames = config.storage.frames;
  const archive = frames.keep
    ? new JpegFrameArchive({ dataDir, quality: frames.quality, maxTotalBytes: frames.max_total_mb * 1024 * 1024, logger })
    : undefined;
  const service = new AnalyzeVideoService({ videoInput, detector, store, ...(archive ? { archive } : {}), logger, clock: systemClock });
  return {
    service,
    detector,
    dataDir,
    async close() {
      await detector.close();
      store.close();
    },
  };
}
