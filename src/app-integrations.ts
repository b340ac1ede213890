/**
 * Composition of the MQTT integrations of `vigil serve`: the broker connection, Vigil's own
 * topics (events, descriptions, analyze), the Frigate sidecar and Home Assistant discovery.
 * Part of the composition root: the only place that knows their concrete adapters.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { MqttAnnouncer } from './adapters/announce/mqtt-announcer.ts';
import { FfmpegClipFrames } from './adapters/ffmpeg/ffmpeg-clip-frames.ts';
import { locateFfmpeg } from './adapters/ffmpeg/ffmpeg-binaries.ts';
import { FrigateHttpApi } from './adapters/frigate/frigate-http-api.ts';
import { DataDirEventImageFiles } from './adapters/media/event-image-files.ts';
import { MqttMessageBus } from './adapters/mqtt/mqtt-message-bus.ts';
import { SqliteAnalysisStore } from './adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteEventStore } from './adapters/storage/sqlite/sqlite-event-store.ts';
import { SqliteFrigateJobStore } from './adapters/storage/sqlite/sqlite-frigate-job-store.ts';
import { SqliteImageAnalysisStore } from './adapters/storage/sqlite/sqlite-image-analysis-store.ts';
import type { LoadedConfig } from './config/index.ts';
import type { FrigateConfig, MqttConfig } from './config/integrations.schema.ts';
import type { StoredEvent } from './ports/analysis-store.ts';
import type { EventFeed, EventNotifier } from './ports/event-feed.ts';
import type { AnnouncementFeed } from './ports/image-analysis-store.ts';
import type { Clock, Logger } from './ports/logger.ts';
import type { EventIndexer } from './ports/search-index.ts';
import { FrigateIngest } from './services/frigate/frigate-ingest.ts';
import { FrigateJobWorker, type FrigateRetrySchedule } from './services/frigate/frigate-job-worker.ts';
import { FrigateSidecar, type FrigateSidecarSettings } from './services/frigate/frigate-sidecar.ts';
import { vigilCameraId } from './services/frigate/frigate-triggers.ts';
import type { AnalyzeImageService } from './services/genai/analyze-image.service.ts';
import type { DescriptionView } from './services/genai/descriptions/index.ts';
import { AnalyzeCommand } from './services/home-assistant/analyze-command.ts';
import { HomeAssistantService, type LiveCameraView } from './services/home-assistant/home-assistant.service.ts';
import { EventPublisher } from './services/publish/event-publisher.ts';

export interface IntegrationDeps {
  db: Database.Database;
  logger: Logger;
  clock: Clock;
  /** Event notices: what the integrations publish, and where the Frigate sidecar reports its events. */
  events: EventFeed & EventNotifier;
  /** Keeps the search entries of Frigate's events (and their descriptions) up to date. */
  indexer?: EventIndexer;
  analyzeImage?: { service: AnalyzeImageService; feed: AnnouncementFeed };
  descriptions?: { enqueueClosed(events: readonly StoredEvent[]): number; state(eventId: string): DescriptionView };
  timeZone: string;
  version: string;
  /** The live cameras of `vigil serve` (a connectivity sensor each in Home Assistant). */
  live?: { cameraIds: readonly string[]; state(cameraId: string): LiveCameraView | undefined };
  /** Tests: faster retries and polling. */
  frigateRetry?: Partial<FrigateRetrySchedule>;
  pollMs?: number;
}

export interface RunningIntegrations {
  /** Resolves once every subscription is confirmed by the broker (the server does not wait for it). */
  ready: Promise<void>;
  close(): Promise<void>;
}

function createBus(mqtt: MqttConfig, loaded: LoadedConfig, logger: Logger): MqttMessageBus {
  const tls = mqtt.tls ? { insecure: mqtt.tls.insecure, ...(mqtt.tls.ca_file ? { ca: readFileSync(resolve(loaded.baseDir, mqtt.tls.ca_file)) } : {}) } : undefined;
  return new MqttMessageBus({
    host: mqtt.host,
    port: mqtt.port,
    clientId: mqtt.client_id,
    ...(mqtt.user !== undefined ? { username: mqtt.user } : {}),
    ...(mqtt.password !== undefined ? { password: mqtt.password } : {}),
    ...(tls ? { tls } : {}),
    statusTopic: `${mqtt.topic_prefix}/status`,
    logger,
  });
}

export function frigateSettings(frigate: FrigateConfig): FrigateSidecarSettings {
  return {
    topicPrefix: frigate.topic_prefix,
    triggers: frigate.triggers,
    writeDescription: frigate.write_description,
    cameras: Object.fromEntries(
      Object.entries(frigate.cameras).map(([name, c]) => [
        name,
        { enabled: c.enabled, vigilCamera: c.camera ?? vigilCameraId(name), ...(c.objects ? { objects: c.objects } : {}), requiredZones: c.required_zones, restrictedZones: c.restricted_zones },
      ]),
    ),
  };
}

/** The text a sensor shows for a description: the main summary, else the scene, else the raw output. */
function descriptionText(view: DescriptionView | undefined): string | undefined {
  const d = view?.description;
  if (!d) return undefined;
  return d.json ? (Object.values(d.json.summaries).find((s) => s !== undefined) ?? d.json.scene) : d.rawText;
}

/** Starts what `mqtt`, `frigate` and `home_assistant` configure; with no `mqtt`, nothing. */
export async function startIntegrations(loaded: LoadedConfig, deps: IntegrationDeps): Promise<RunningIntegrations> {
  const { config } = loaded;
  const mqtt = config.mqtt;
  if (!mqtt) return { ready: Promise.resolve(), close: async () => {} };
  const logger = deps.logger.child({ module: 'integrations' });
  const bus = createBus(mqtt, loaded, deps.logger);
  const prefix = mqtt.topic_prefix;
  const publicUrl = config.home_assistant?.public_url;
  const starting: Array<Promise<void>> = [];
  const closers: Array<() => Promise<void> | void> = [];

  const publisher = new EventPublisher({ bus, feed: deps.events, topicPrefix: prefix, ...(publicUrl ? { publicUrl } : {}), logger: deps.logger });
  publisher.start();
  closers.push(() => publisher.close());

  if (deps.analyzeImage) {
    const announcer = new MqttAnnouncer({ bus, topicPrefix: prefix, logger: deps.logger });
    closers.push(deps.analyzeImage.feed.subscribe(({ topic, payload }) => announcer.announce(topic, payload)));
    const command = new AnalyzeCommand({ bus, analyzeImage: deps.analyzeImage.service, topicPrefix: prefix, logger: deps.logger });
    starting.push(command.start());
    closers.push(() => command.close());
  }

  const frigate = config.frigate;
  let frigateCameras: string[] = [];
  if (frigate) {
    const settings = frigateSettings(frigate);
    frigateCameras = Object.values(settings.cameras).map((c) => c.vigilCamera);
    const jobs = new SqliteFrigateJobStore(deps.db);
    const api = new FrigateHttpApi({
      baseUrl: frigate.url,
      ...(frigate.user !== undefined ? { user: frigate.user } : {}),
      ...(frigate.password !== undefined ? { password: frigate.password } : {}),
      timeoutMs: frigate.timeout_s * 1000,
      maxBytes: Math.round(frigate.max_image_mb * 1024 * 1024),
      maxClipBytes: Math.round(frigate.max_clip_mb * 1024 * 1024),
      insecureTls: frigate.verify_tls === false,
    });
    const ingest = new FrigateIngest({
      api,
      store: new SqliteAnalysisStore(deps.db, deps.indexer ? { indexer: deps.indexer } : {}),
      events: new SqliteEventStore(deps.db),
      images: new DataDirEventImageFiles(config.storage.data_dir),
      notifier: deps.events,
      ...(deps.descriptions ? { descriptions: deps.descriptions } : {}),
      ...(frigate.clip_frames > 0 ? { clips: { frames: frigate.clip_frames, extractor: new FfmpegClipFrames(locateFfmpeg()) } } : {}),
      settings,
      cameraContext: (rules) => {
        const camera = config.cameras[rules.vigilCamera];
        return { ...rules, cameraName: camera?.name ?? rules.vigilCamera, timeZone: camera?.timezone ?? deps.timeZone };
      },
      clock: deps.clock,
      logger: deps.logger,
    });
    // The worker is built after the sidecar it serves, so the sidecar reaches it through this.
    let kick = () => {};
    const sidecar = new FrigateSidecar({ bus, jobs, api, feed: deps.events, settings, onQueued: () => kick(), clock: deps.clock, logger: deps.logger });
    const worker = new FrigateJobWorker({
      jobs,
      handlers: { ingest: (job, signal) => ingest.process(job, signal), write_description: (job, signal) => sidecar.writeBack(job, signal) },
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.frigateRetry ? { retry: deps.frigateRetry } : {}),
    });
    kick = () => worker.kick();
    const stopWorker = new AbortController();
    const running = worker.runWorker({ signal: stopWorker.signal, ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}) });
    starting.push(sidecar.start());
    closers.push(async () => {
      await sidecar.stop();
      stopWorker.abort();
      await running;
    });
  }

  if (config.home_assistant?.enabled) {
    const events = new SqliteEventStore(deps.db);
    const cameras = [...new Set([...Object.keys(config.cameras), ...frigateCameras])].map((id) => ({ id, name: config.cameras[id]?.name ?? id }));
    const latest = cameras.flatMap(({ id }) => {
      const count = events.countEvents({ cameraId: id });
      const stored = count > 0 ? events.listEvents({ cameraId: id, limit: 1, offset: count - 1 })[0] : undefined;
      if (!stored) return [];
      const description = descriptionText(deps.descriptions?.state(stored.event.id));
      return [{ stored, ...(description !== undefined ? { description } : {}) }];
    });
    const ha = new HomeAssistantService({
      bus,
      events: deps.events,
      ...(deps.analyzeImage ? { images: deps.analyzeImage.feed } : {}),
      context: { discoveryPrefix: config.home_assistant.discovery_prefix, topicPrefix: prefix, nodeId: mqtt.client_id, version: deps.version },
      cameras,
      seed: { events: latest, analyses: new SqliteImageAnalysisStore(deps.db).latestPerName() },
      ...(publicUrl ? { publicUrl } : {}),
      ...(deps.live?.cameraIds.length
        ? {
            live: {
              cameras: deps.live.cameraIds.map((id) => ({ id, name: config.cameras[id]?.name ?? id })),
              state: deps.live.state,
              ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
            },
          }
        : {}),
      logger: deps.logger,
    });
    starting.push(ha.start());
    closers.push(() => ha.stop());
  }

  const ready = Promise.all(starting).then(() => logger.info({ prefix }, 'MQTT integrations ready'));
  // A broker that is down delays readiness; it must not crash the server.
  ready.catch((error: unknown) => logger.error({ err: error }, 'MQTT integrations could not subscribe'));
  return {
    ready,
    close: async () => {
      for (const close of closers.reverse()) await close();
      await bus.close();
    },
  };
}
