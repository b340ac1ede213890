/**
 * Composition of the live cameras that `vigil serve` runs: one shared detector taken in turns,
 * one analysis per camera over the server's database, and their numbers for /metrics.
 * Part of the composition root (with app.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { locateFfmpeg } from './adapters/ffmpeg/ffmpeg-binaries.ts';
import { FfmpegVideoInput } from './adapters/ffmpeg/ffmpeg-video-input.ts';
import { SqliteAnalysisStore } from './adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteEventStore } from './adapters/storage/sqlite/sqlite-event-store.ts';
import { cameraSettings, candidateFilter, createDetector, createImageStores, detectorSettings } from './app.ts';
import { isStreamInput } from './config/camera-input.ts';
import type { CameraConfig, LoadedConfig } from './config/index.ts';
import type { StoredEvent } from './ports/analysis-store.ts';
import type { EventNotifier } from './ports/event-feed.ts';
import type { LiveMetrics } from './ports/live-metrics.ts';
import type { Clock, Logger } from './ports/logger.ts';
import type { EventIndexer } from './ports/search-index.ts';
import { AnalyzeVideoService } from './services/analyze-video.service.ts';
import { Backoff } from './services/live/backoff.ts';
import { FairDetectorScheduler } from './services/live/fair-detector.ts';
import { LiveCamera } from './services/live/live-camera.ts';
import { LiveCameras } from './services/live/live-cameras.service.ts';

/** Cameras that run live: stream URLs unless turned off, and files that ask to (played in a loop). */
export function liveCameraIds(loaded: LoadedConfig): string[] {
  return Object.entries(loaded.config.cameras)
    .filter(([, c]) => c.live.enabled ?? isStreamInput(c.input))
    .map(([id]) => id);
}

export interface LiveApp {
  cameras: LiveCameras;
  close(graceMs: number): Promise<void>;
}

export function createLiveApp(
  loaded: LoadedConfig,
  deps: {
    db: Database.Database;
    indexer: EventIndexer;
    logger: Logger;
    clock: Clock;
    notifier?: EventNotifier;
    /** Queues descriptions and embeddings of events as they close. */
    onEventsStored?: (events: readonly StoredEvent[]) => void;
    metrics?: LiveMetrics;
  },
): LiveApp {
  const { config } = loaded;
  const ids = liveCameraIds(loaded);
  const detector = ids.length ? createDetector(config.detector, { filter: candidateFilter(config.detector, config.tracker) }) : undefined;
  const scheduler = detector ? new FairDetectorScheduler(detector) : undefined;
  const videoInput = new FfmpegVideoInput({ binaries: locateFfmpeg() });
  const store = new SqliteAnalysisStore(deps.db, { indexer: deps.indexer });
  const abandoned = store.interruptAbandonedSessions(ids, deps.clock.now());
  if (abandoned > 0) deps.logger.warn({ runs: abandoned }, 'live sessions left running by a server that did not stop cleanly were marked interrupted');
  const events = new SqliteEventStore(deps.db);
  const { archive, eventMedia } = createImageStores(config.storage, deps.logger);
  const cameras = new Map<string, LiveCamera>();
  for (const id of ids) {
    const camera = config.cameras[id] as CameraConfig;
    const logger = deps.logger.child({ camera: id });
    const service = new AnalyzeVideoService({
      videoInput,
      detector: (scheduler as FairDetectorScheduler).forCamera(id),
      store,
      events,
      ...(archive ? { archive } : {}),
      eventMedia,
      ...(deps.onEventsStored ? { descriptions: { enqueueClosed: deps.onEventsStored } } : {}),
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
      logger,
      clock: deps.clock,
    });
    const { reconnect } = camera.live;
    cameras.set(
      id,
      new LiveCamera({
        settings: cameraSettings(id, camera, config),
        input: camera.input,
        detectorSettings: detectorSettings(config.detector),
        analyze: (request) => service.analyze(request),
        queueFrames: camera.live.queue_frames,
        stallMs: camera.live.stall_s * 1000,
        backoff: new Backoff({ minMs: reconnect.min_s * 1000, maxMs: reconnect.max_s * 1000, resetAfterMs: reconnect.healthy_after_s * 1000 }),
        clock: deps.clock,
        sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
        logger,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      }),
    );
  }
  const live = new LiveCameras(cameras, deps.logger);
  return {
    cameras: live,
    async close(graceMs) {
      await live.close(graceMs);
      await detector?.close();
    },
  };
}
