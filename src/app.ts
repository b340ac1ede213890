/**
 * The composition root: the only module that knows concrete adapters. It turns the validated
 * configuration into adapters and hands them, as ports, to the services.
 */
import { availableParallelism } from 'node:os';
import type Database from 'better-sqlite3';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createOnnxYoloDetector } from './adapters/detectors/onnx/onnx-yolo-detector.ts';
import { LazyDetector } from './adapters/detectors/lazy-detector.ts';
import { CenterNetPool } from './adapters/detectors/centernet/centernet-pool.ts';
import { locateFfmpeg } from './adapters/ffmpeg/ffmpeg-binaries.ts';
import { FfmpegVideoInput } from './adapters/ffmpeg/ffmpeg-video-input.ts';
import { JpegEventMedia } from './adapters/media/jpeg-event-media.ts';
import { JpegFrameArchive } from './adapters/media/jpeg-frame-archive.ts';
import { openSqliteDatabase, SqliteAnalysisStore } from './adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteEventStore } from './adapters/storage/sqlite/sqlite-event-store.ts';
import { SqliteSearchStore } from './adapters/storage/sqlite/sqlite-search-store.ts';
import { createTextAnalyzer } from './adapters/text/text-analyzer.ts';
import { BUILTIN_CONCEPTS, createConceptTable, mergeConcepts, type ConceptTable } from './domain/search/concepts.ts';
import type { TextAnalysis } from './domain/search/text-analysis.ts';
import { createDescriptionService, createDescriptionStore, createEmbeddingService, createProviderRegistry } from './app-genai.ts';
import type { StoredEvent } from './ports/analysis-store.ts';
import type { SqliteDescriptionStore } from './adapters/storage/sqlite/sqlite-description-store.ts';
import type { CameraListing } from './http/http-app.ts';
import { createEventIndexer } from './services/search/event-indexer.ts';
import { SearchService, type SearchServiceDeps } from './services/search/search.service.ts';
import type { CameraConfig, DetectorConfig, LoadedConfig, LogLevel, TrackerConfig, VigilConfig } from './config/index.ts';
import { DEFAULT_LABELS, type DetectionFilterOptions } from './domain/detection.ts';
import { VigilError } from './domain/errors.ts';
import type { Detector } from './ports/detector.ts';
import type { EventStore } from './ports/event-store.ts';
import type { Clock, Logger } from './ports/logger.ts';
import { AnalyzeVideoService, type CameraAnalysisSettings } from './services/analyze-video.service.ts';
import { EventQueryService } from './services/event-query.service.ts';
import { DEFAULT_MOTION_GATE } from './domain/motion-gate.ts';
import type { RuleSpec } from './domain/rules/rule-spec.ts';

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

/**
 * What the detector itself drops: below the tracker's low score, or below the minimum area.
 * Candidates between the low score and their label's threshold still reach the tracker, which
 * uses them to keep tracks alive through partial occlusion (ByteTrack's second stage).
 */
export function candidateFilter(detector: DetectorConfig, tracker: TrackerConfig): DetectionFilterOptions {
  const confidence = detectionFilter(detector);
  return {
    defaults: { minScore: Math.min(tracker.low_score, confidence.defaults.minScore), minArea: confidence.defaults.minArea },
    perLabel: Object.fromEntries(
      Object.entries(confidence.perLabel).map(([label, f]) => [label, { ...(f.minArea !== undefined ? { minArea: f.minArea } : {}), minScore: Math.min(tracker.low_score, f.minScore ?? 1) }]),
    ),
  };
}

/** The configured detector, started on first use. */
export function createDetector(detector: DetectorConfig, options: { workers?: number; filter?: DetectionFilterOptions } = {}): Detector {
  if (detector.type === 'onnx') return new LazyDetector(`onnx:${basename(detector.model ?? '')}`, 1, () => startDetector(detector, options));
  const workers = options.workers ?? detector.workers ?? availableParallelism();
  return new LazyDetector('centernet', workers * 2, () => startDetector(detector, { ...options, workers }));
}

export async function startDetector(detector: DetectorConfig, options: { workers?: number; filter?: DetectionFilterOptions } = {}): Promise<Detector> {
  const filter = options.filter ?? detectionFilter(detector);
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

export function cameraSettings(
  id: string,
  camera: Partial<CameraConfig>,
  config: Pick<VigilConfig, 'detector' | 'tracker'>,
  overrides: { fps?: number } = {},
): CameraAnalysisSettings {
  const motion = camera.motion;
  const timeZone = camera.timezone ?? systemTimeZone();
  return {
    cameraId: id,
    sampleFps: overrides.fps ?? camera.fps ?? 5,
    ...(camera.detect_width !== undefined ? { detectWidth: camera.detect_width } : {}),
    labels: camera.labels ?? DEFAULT_LABELS,
    timeZone,
    ...(camera.start_time !== undefined ? { startTimeMs: Date.parse(camera.start_time) } : {}),
    ...(camera.rtsp_transport !== undefined ? { rtspTransport: camera.rtsp_transport } : {}),
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
    confidence: detectionFilter(config.detector),
    tracker: {
      lowScore: config.tracker.low_score,
      lostSeconds: config.tracker.lost_seconds,
      minHits: config.tracker.min_hits,
      matchIou: config.tracker.match_iou,
    },
    rules: ruleSpec(id, camera, timeZone),
  };
}

function displayName(key: string, en: string | undefined, zh: string | undefined) {
  return { en: en ?? key, zhHant: zh ?? en ?? key };
}

/** The camera's zones, tripwires and event settings as the rule engine takes them. */
export function ruleSpec(id: string, camera: Partial<CameraConfig>, timeZone: string): RuleSpec {
  return {
    cameraId: id,
    cameraName: camera.name ?? id,
    timeZone,
    zones: Object.entries(camera.zones ?? {}).map(([name, z]) => ({
      name,
      displayName: displayName(name, z.display_name, z.display_name_zh),
      points: z.points,
      units: z.units,
      ...(z.labels ? { labels: z.labels } : {}),
      debounceFrames: z.debounce_frames,
      restricted: z.restricted,
      ...(z.loitering
        ? {
            loitering: {
              minSeconds: z.loitering.min_seconds,
              maxSpeed: z.loitering.max_speed,
              speedUnits: z.loitering.speed_units,
              backAndForth: z.loitering.back_and_forth,
            },
          }
        : {}),
    })),
    tripwires: Object.entries(camera.tripwires ?? {}).map(([name, t]) => ({
      name,
      displayName: displayName(name, t.display_name, t.display_name_zh),
      points: [t.points[0]!, t.points[1]!] as const,
      units: t.units,
      direction: t.direction,
      ...(t.inbound ? { inbound: t.inbound } : {}),
      ...(t.labels ? { labels: t.labels } : {}),
      minTrackAgeFrames: t.min_track_age,
      hysteresis: t.hysteresis,
    })),
    objectSeenLabels: camera.events?.object_seen ?? [],
    cooldownSeconds: camera.events?.cooldown_s ?? 30,
    mergeSeconds: camera.events?.merge_s ?? 5,
  };
}

export interface AnalysisApp {
  service: AnalyzeVideoService;
  events: EventStore;
  detector: Detector;
  dataDir: string;
  close(): Promise<void>;
}

export interface QueryApp {
  events: EventQueryService;
  close(): void;
}

/** Wire the read side: stored events. */
export function createQueryApp(loaded: LoadedConfig): QueryApp {
  const db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
  return { events: new EventQueryService({ events: new SqliteEventStore(db) }), close: () => db.close() };
}

/** Cameras as search and the API know them: names and aliases people use in questions. */
export function cameraDirectory(loaded: LoadedConfig): CameraListing[] {
  return Object.entries(loaded.config.cameras).map(([id, c]) => ({
    id,
    name: c.name,
    aliases: c.aliases,
    timeZone: c.timezone ?? searchTimeZone(loaded),
    zones: Object.keys(c.zones),
    tripwires: Object.keys(c.tripwires),
  }));
}

export function searchTimeZone(loaded: LoadedConfig): string {
  return loaded.config.search.timezone ?? systemTimeZone();
}

/** The built-in concept table plus the words the user added in `search.terms`. */
export function conceptTable(loaded: LoadedConfig): ConceptTable {
  const terms = loaded.config.search.terms;
  if (Object.keys(terms).length === 0) return createConceptTable();
  try {
    return createConceptTable(mergeConcepts(BUILTIN_CONCEPTS, { terms }, (t) => sharedTextAnalysis().normalize(t)));
  } catch (error) {
    if (error instanceof VigilError) {
      throw new VigilError('config_invalid', `Invalid configuration in ${loaded.file ?? 'built-in defaults'}`, { details: [`search.terms: ${error.message}`] });
    }
    throw error;
  }
}

let textAnalysis: TextAnalysis | undefined;
/** One analyzer per process: building the Chinese converter is the expensive part. */
export function sharedTextAnalysis(): TextAnalysis {
  textAnalysis ??= createTextAnalyzer();
  return textAnalysis;
}

export interface SearchApp {
  search: SearchService;
  /** The same search, ranking by meaning too (hybrid), once an embeddings service exists. */
  withVectors(vectors: NonNullable<SearchServiceDeps['vectors']>): SearchService;
  events: EventQueryService;
  cameras: CameraListing[];
  db: Database.Database;
  descriptionStore: SqliteDescriptionStore;
  close(): void;
}

/** Wire search over the stored events (also used by `vigil search`). */
export function createSearchApp(loaded: LoadedConfig, options: { clock?: Clock; logger?: Logger } = {}): SearchApp {
  const db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
  const text = sharedTextAnalysis();
  const cameras = cameraDirectory(loaded);
  const descriptionStore = createDescriptionStore(db, text, createEventIndexer(text, cameras));
  const analysisStore = new SqliteAnalysisStore(db, { indexer: descriptionStore.searchIndexer() });
  // Events without a search entry: stored by an older Vigil, or after an upgrade rebuilt the index.
  let reported = 0;
  const indexed = analysisStore.reindexEvents(false, (done) => {
    if (done - reported < 50_000) return;
    reported = done;
    options.logger?.info({ events: done }, 'rebuilding the search index');
  });
  if (indexed > 0) options.logger?.info({ events: indexed }, 'search index up to date');
  // A camera renamed (or given other aliases) in the config: its events are found by the new names.
  const names = new Map(cameras.map((c) => [c.id, JSON.stringify([c.name ?? null, c.aliases])]));
  for (const cameraId of analysisStore.changedCameraNames(names)) {
    const events = analysisStore.reindexCamera(cameraId);
    options.logger?.info({ camera: cameraId, events }, 'camera names changed in the config; its events were re-indexed');
  }
  analysisStore.recordCameraNames(names);
  const searchDeps = {
    store: new SqliteSearchStore(db),
    text,
    cameras,
    concepts: conceptTable(loaded),
    clock: options.clock ?? systemClock,
    timeZone: searchTimeZone(loaded),
  };
  return {
    search: new SearchService(searchDeps),
    withVectors: (vectors) => new SearchService({ ...searchDeps, vectors }),
    events: new EventQueryService({ events: new SqliteEventStore(db) }),
    cameras,
    db,
    descriptionStore,
    close: () => db.close(),
  };
}

/** Where an analysis writes images: kept frames (when `storage.frames.keep`) and event images. */
export function createImageStores(storage: VigilConfig['storage'], logger: Logger): { archive?: JpegFrameArchive; eventMedia: JpegEventMedia } {
  const { data_dir: dataDir, frames } = storage;
  const archive = frames.keep
    ? new JpegFrameArchive({ dataDir, quality: frames.quality, maxTotalBytes: frames.max_total_mb * 1024 * 1024, logger })
    : undefined;
  // Event images are evidence: always written (they are small), whether or not frames are kept.
  return { ...(archive ? { archive } : {}), eventMedia: new JpegEventMedia({ dataDir, quality: frames.quality }) };
}

/** Wire the analysis use case: ffmpeg input, detector, SQLite store and JPEG archive. */
export function createAnalysisApp(loaded: LoadedConfig, logger: Logger, options: { workers?: number } = {}): AnalysisApp {
  const { config } = loaded;
  const dataDir = config.storage.data_dir;
  const videoInput = new FfmpegVideoInput({ binaries: locateFfmpeg() });
  const db = openSqliteDatabase(join(dataDir, DATABASE_FILE));
  const text = sharedTextAnalysis();
  const descriptionStore = createDescriptionStore(db, text, createEventIndexer(text, cameraDirectory(loaded)));
  const store = new SqliteAnalysisStore(db, { indexer: descriptionStore.searchIndexer() });
  const events = new SqliteEventStore(db);
  // Descriptions are queued during analysis (durably, in the database) and written by `vigil serve`.
  const providers = createProviderRegistry(config.genai, logger);
  const descriptions = config.genai.enabled
    ? createDescriptionService(config, { db, store: descriptionStore, providers, logger, clock: systemClock, timeZone: searchTimeZone(loaded) })
    : undefined;
  const embeddings = createEmbeddingService(config, { db, descriptionStore, providers, logger, clock: systemClock });
  // Both queue durably; `vigil serve` does the work.
  const eventSink =
    descriptions || embeddings
      ? {
          enqueueClosed: (committed: readonly StoredEvent[]) => {
            descriptions?.enqueueClosed(committed);
            embeddings?.enqueue(committed.map((e) => e.event.id));
          },
        }
      : undefined;
  const detector = createDetector(config.detector, { ...options, filter: candidateFilter(config.detector, config.tracker) });
  const { archive, eventMedia } = createImageStores(config.storage, logger);
  const service = new AnalyzeVideoService({
    videoInput,
    detector,
    store,
    events,
    ...(archive ? { archive } : {}),
    eventMedia,
    ...(eventSink ? { descriptions: eventSink } : {}),
    logger,
    clock: systemClock,
  });
  return {
    service,
    events,
    detector,
    dataDir,
    async close() {
      await detector.close();
      store.close();
    },
  };
}
