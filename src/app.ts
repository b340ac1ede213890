/**
 * The composition root: the one place that builds Vigil from its configuration, and the only
 * module that knows concrete adapters. Read it top to bottom to see every part and what it
 * depends on. Parts are built lazily, on first use, so each command builds only what it needs
 * (`vigil events` opens the database and nothing else); `close()` releases what was built.
 *
 * Every entry point asks it for what it needs: the CLI commands, `vigil serve`, the tests, the
 * benchmarks and the web UI's dev server.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { FanOutAnnouncer, InMemoryBus } from './adapters/announce/in-memory-bus.ts';
import { InMemoryEventFeed } from './adapters/announce/in-memory-event-feed.ts';
import { MqttAnnouncer } from './adapters/announce/mqtt-announcer.ts';
import { SharedEventFeed } from './adapters/announce/shared-event-feed.ts';
import type { EventFeed, EventNotifier } from './ports/event-feed.ts';
import { WebhookAnnouncer } from './adapters/announce/webhook-announcer.ts';
import { createDetector } from './adapters/detectors/detector-factory.ts';
import { SafeImageFetcher } from './adapters/fetch/image-fetcher.ts';
import { locateFfmpeg } from './adapters/ffmpeg/ffmpeg-binaries.ts';
import { FfmpegClipFrames } from './adapters/ffmpeg/ffmpeg-clip-frames.ts';
import { FfmpegVideoInput } from './adapters/ffmpeg/ffmpeg-video-input.ts';
import { FrigateHttpApi } from './adapters/frigate/frigate-http-api.ts';
import { createChatBackend } from './adapters/llm/chat-backend-factory.ts';
import { createLlmProvider } from './adapters/llm/llm-provider-factory.ts';
import { createLogger } from './adapters/logging/pino-logger.ts';
import { DataDirMediaFiles } from './adapters/media/data-dir-media-files.ts';
import { DataDirEventImageFiles } from './adapters/media/event-image-files.ts';
import { JpegEventMedia } from './adapters/media/jpeg-event-media.ts';
import { JpegFrameArchive } from './adapters/media/jpeg-frame-archive.ts';
import { SharpImagePreparer } from './adapters/media/sharp-image-preparer.ts';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.ts';
import { MqttMessageBus } from './adapters/mqtt/mqtt-message-bus.ts';
import { ensureApiToken, readApiToken } from './adapters/storage/api-token-file.ts';
import { migrateSqliteToPostgres, type MigrationProgress, type MigrationReport } from './adapters/storage/migrate/sqlite-to-postgres.ts';
import { createPostgresStorage } from './adapters/storage/postgres/pg-storage.ts';
import { createSqliteStorage } from './adapters/storage/sqlite/sqlite-storage.ts';
import { dataFileReader } from './adapters/media/data-file-reader.ts';
import { createTextAnalyzer } from './adapters/text/text-analyzer.ts';
import type { LoadedConfig } from './config/index.ts';
import {
  analyzeImageInstances,
  candidateFilter,
  cameraDirectory,
  cameraSearchNames,
  cameraSettings,
  conceptTable,
  descriptionCameras,
  detectorSettings,
  frigateSettings,
  configuredContextTokens,
  gatewayKeyDefaults,
  gatewayMaxBodyBytes,
  gatewayRoutes,
  liveCameraIds,
  providerEntries,
  retentionIntervalMs,
  retentionPolicy,
  roleProvider,
  searchTimeZone,
} from './config/settings/index.ts';
import { VigilError } from './domain/errors.ts';
import { isLoopbackHost } from './http/auth.ts';
import { createHttpApp } from './http/http-app.ts';
import { listen } from './http/listen.ts';
import type { StoredEvent } from './ports/analysis-store.ts';
import type { JobKind } from './ports/job-queue.ts';
import type { LiveMetrics } from './ports/live-metrics.ts';
import type { Clock, Logger } from './ports/logger.ts';
import { AnalyzeVideoService } from './services/analyze-video.service.ts';
import { EventQueryService } from './services/event-query.service.ts';
import { FrigateIngest } from './services/frigate/frigate-ingest.ts';
import { FrigateIntakeStats } from './services/frigate/frigate-intake-stats.ts';
import { frigateJobLane } from './services/frigate/frigate-job-lane.ts';
import { FrigateSidecar } from './services/frigate/frigate-sidecar.ts';
import { GatewayKeysService } from './services/gateway/gateway-keys.ts';
import { GatewayUsageMeter } from './services/gateway/gateway-usage.ts';
import { GatewayService, type GatewayTarget } from './services/gateway/gateway.service.ts';
import { AnalyzeImageService } from './services/genai/analyze-image.service.ts';
import { AnswerService, descriptionSummaryFrom } from './services/genai/answers/index.ts';
import { DescriptionService } from './services/genai/descriptions/index.ts';
import { EmbeddingService } from './services/genai/embeddings/index.ts';
import { createProviderRegistry } from './services/genai/provider-registry.ts';
import { ProviderQueue } from './services/genai/queue/index.ts';
import { AnalyzeCommand } from './services/home-assistant/analyze-command.ts';
import { instanceTopicPrefix } from './services/home-assistant/discovery.ts';
import { HomeAssistantService, type LiveCameraView } from './services/home-assistant/home-assistant.service.ts';
import { JobRunner, JobsService, type JobLane, type RetrySchedule } from './services/jobs/index.ts';
import { latestEventPerCamera } from './services/home-assistant/sensor-seed.ts';
import { Backoff } from './services/live/backoff.ts';
import { FairDetectorScheduler } from './services/live/fair-detector.ts';
import { LiveCamera } from './services/live/live-camera.ts';
import { LiveCameras, type RunOneCamera } from './services/live/live-cameras.service.ts';
import { CameraAssignment } from './services/workers/camera-assignment.ts';
import { EventPublisher } from './services/publish/event-publisher.ts';
import { LeaderDuty, type RunningDuty } from './services/workers/leader-duty.ts';
import { RetentionService } from './services/retention/retention.service.ts';
import { AskService } from './services/search/ask.service.ts';
import { createEventIndexer } from './services/search/event-indexer.ts';
import { SearchService } from './services/search/search.service.ts';
import { workerApp } from './http/worker-app.ts';

export const DATABASE_FILE = 'vigil.db';
/** The built web UI that `vigil serve` serves. */
export const WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));
/** How long live cameras get on shutdown to store what they hold. */
const LIVE_GRACE_MS = 15_000;
/** The first retention sweep waits this long, so that starting up is not slowed by it. */
const RETENTION_FIRST_DELAY_MS = 60_000;

export const systemClock: Clock = { now: () => Date.now() };
export { createLogger };

export interface VigilOptions {
  logger?: Logger;
  clock?: Clock;
  /** Detector worker threads (`vigil analyze --workers`); default: detector.workers, else one per core. */
  detectorWorkers?: number;
  /** Tests: a quicker first retention sweep, quicker Frigate retries and polling. */
  retentionFirstDelayMs?: number;
  /** Tests: stands in for the live cameras' state where Home Assistant reads it. */
  liveState?: (cameraId: string) => LiveCameraView | undefined;
  /** Benchmarks: record the live cameras' counters (every event latency) instead of only Prometheus'. */
  liveMetrics?: LiveMetrics;
  frigateRetry?: Partial<RetrySchedule>;
  pollMs?: number;
  /** How this process shows among the workers sharing the storage (default `serve`). */
  role?: 'serve' | 'worker';
  /** Whether this process takes live cameras (default true; `vigil serve --no-cameras` does not). */
  runsCameras?: boolean;
}

export interface RunningServer {
  url: string;
  /** Resolves once the MQTT integrations' subscriptions are confirmed (at once without MQTT, or when another process sharing the storage runs them). */
  integrationsReady: Promise<void>;
  /** Set only when a token was generated by this start (to print it once). */
  generatedToken?: string;
  close(): Promise<void>;
}

export interface RunningWorker {
  /** Where its /metrics and /api/health are served, when they are. */
  url?: string;
  close(): Promise<void>;
}

export interface RunningIntegrations {
  /** Resolves once every subscription is confirmed by the broker (the server does not wait for it). */
  ready: Promise<void>;
  /** The integrations' durable work (Frigate ingest and write-back), run by the job runner. */
  jobLanes: JobLane[];
  /** Resolves once no burst of messages is being received (at most a few seconds): what background work waits for. */
  quiet?: (signal: AbortSignal) => Promise<void>;
  close(): Promise<void>;
}

/** A part built on first use, then the same one every time. */
function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** An object whose properties are the given parts, each read through its (lazy) builder. */
function lazyParts<T extends Record<string, () => unknown>>(builders: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const parts = {};
  for (const [name, build] of Object.entries(builders)) Object.defineProperty(parts, name, { get: build, enumerable: true });
  return parts as { readonly [K in keyof T]: ReturnType<T[K]> };
}

export function createVigil(loaded: LoadedConfig, options: VigilOptions = {}) {
  const { config } = loaded;
  const dataDir = config.storage.data_dir;
  const logger = options.logger ?? createLogger(config.logging.level);
  const clock = options.clock ?? systemClock;
  const timeZone = searchTimeZone(config);
  const cameras = cameraDirectory(config);
  const closers: Array<() => unknown> = [];

  // ── Text: Chinese/English normalisation and segmentation, shared by indexing and search ──
  const text = lazy(sharedTextAnalysis);

  // ── Storage: the SQLite file in the data directory, or a PostgreSQL server (storage.database) ──
  const storage = lazy(() => {
    const indexing = { indexer: createEventIndexer(text(), cameras), tokenize: (t: string) => text().indexTokens(t).join(' '), now: () => clock.now() };
    const database = config.storage.database;
    const built = database ? createPostgresStorage({ database, logger, ...indexing }) : createSqliteStorage({ file: join(dataDir, DATABASE_FILE), ...indexing });
    closers.push(() => built.close());
    return built;
  });
  const eventStore = () => storage().events;
  const descriptionStore = () => storage().descriptions;
  const analysisStore = () => storage().analyses;
  // One durable job queue for all background work: descriptions, embeddings, Frigate ingest and write-back.
  const jobQueue = () => storage().jobs;
  const jobs = lazy(() => new JobsService({ queue: jobQueue(), clock }));
  const vectorIndex = () => storage().vectors;
  const imageAnalyses = () => storage().imageAnalyses;
  const events = lazy(() => new EventQueryService({ events: eventStore() }));
  // The model gateway's API keys and their usage (`vigil keys`, the gateway's authentication and accounting).
  const gatewayStore = () => storage().gatewayKeys;
  const gatewayKeys = lazy(() => new GatewayKeysService({ keys: gatewayStore(), usage: storage().gatewayUsage, defaults: gatewayKeyDefaults(config.gateway), clock }));

  // ── Event notices: stored and described events, told to whoever listens (MQTT, Home Assistant, Frigate) ──
  // On a storage that several processes share, every process hears every process's events.
  const eventFeed = lazy((): EventFeed & EventNotifier => {
    const onListenerError = (error: unknown) => logger.error({ err: error }, 'an event listener failed');
    const broadcast = storage().broadcast;
    if (!broadcast) return new InMemoryEventFeed(onListenerError);
    const shared = new SharedEventFeed({
      broadcast,
      events: eventStore(),
      // A description too long for a message is read from the storage.
      describedText: async (id: string): Promise<string | undefined> => descriptions()?.noticeText(id),
      origin: workerIdentity().id,
      logger,
      onListenerError,
    });
    closers.push(() => shared.close());
    return shared;
  });

  // ── Model providers: one client per configured provider, each behind its queue ──
  // A provider with a `fallback` hands calls to it while it is down (see createProviderRegistry).
  const providers = lazy(() =>
    createProviderRegistry(
      new Map(
        providerEntries(config.genai).map((entry) => [
          entry.settings.name,
          {
            queue: new ProviderQueue({
              provider: createLlmProvider(entry.settings),
              options: { ...(entry.concurrency !== undefined ? { concurrency: entry.concurrency } : {}), maxQueued: entry.maxQueued },
              logger,
            }),
            ...(entry.fallback !== undefined ? { fallback: entry.fallback } : {}),
          },
        ]),
      ),
      logger,
    ),
  );
  const imagePreparer = lazy(() => new SharpImagePreparer());

  // ── Embeddings (genai.roles.embeddings): events embedded in the background for hybrid search ──
  const embeddings = lazy(() => {
    const entry = roleProvider(config.genai, 'embeddings');
    if (!entry) return undefined;
    return new EmbeddingService({
      jobs: jobQueue(),
      index: vectorIndex(),
      events: eventStore(),
      descriptions: descriptionStore(),
      providers: providers(),
      providerName: entry.settings.name,
      model: entry.settings.embeddingModel ?? entry.settings.model,
      clock,
      logger,
    });
  });

  // ── Model gateway (gateway:): the Anthropic and OpenAI APIs for other clients, on the providers' own queues ──
  // A person's chat and the cameras' descriptions share each backend's slots by priority.
  const gateway = lazy(() => {
    if (!config.gateway.enabled) return undefined;
    const settings = new Map(providerEntries(config.genai).map((entry) => [entry.settings.name, entry.settings]));
    const targets = new Map<string, GatewayTarget>();
    const target = (name: string): GatewayTarget | undefined => {
      let found = targets.get(name);
      const queue = providers().queue(name);
      const provider = settings.get(name);
      if (!found && queue && provider) {
        const contextTokens = configuredContextTokens(provider);
        if (provider.kind === 'ollama' && contextTokens === undefined) {
          logger.warn(
            { provider: name },
            'gateway: set provider_options.options.num_ctx for this Ollama provider; without it Ollama uses its small default window and silently drops the start of longer prompts (Claude Code sends about 15k tokens)',
          );
        }
        found = { backend: createChatBackend(provider), lease: (options) => queue.lease(options), ...(contextTokens !== undefined ? { contextTokens } : {}) };
        targets.set(name, found);
      }
      return found;
    };
    const routes = gatewayRoutes(config.gateway);
    // Every routed provider is built now: one the gateway cannot speak to fails the start, not a request.
    for (const route of routes) for (const name of [route.provider, ...(route.fallback ?? providers().fallbacksOf(route.provider))]) target(name);
    const embeddingsName = config.gateway.embeddings ?? roleProvider(config.genai, 'embeddings')?.settings.name;
    const embeddingsSettings = embeddingsName !== undefined ? settings.get(embeddingsName) : undefined;
    return new GatewayService({
      routes,
      target,
      fallbackChainOf: (name) => providers().fallbacksOf(name),
      authenticate: (secret) => gatewayKeys().authenticate(secret),
      usage: new GatewayUsageMeter({ store: storage().gatewayUsage, onError: (error) => logger.error({ err: error }, 'gateway usage could not be stored') }),
      ...(embeddingsName !== undefined && embeddingsSettings
        ? {
            embeddings: {
              model: embeddingsSettings.embeddingModel ?? embeddingsSettings.model,
              provider: (priority: 'interactive' | 'background') => {
                const provider = providers().get(embeddingsName, { priority });
                if (!provider) throw new VigilError('config_invalid', `the embeddings provider "${embeddingsName}" is not configured`);
                return provider;
              },
            },
          }
        : {}),
      now: () => clock.now(),
      logger,
    });
  });

  // ── Descriptions (genai.roles.descriptions): vision models describe key frames of closed events ──
  const descriptions = lazy(() => {
    const entry = roleProvider(config.genai, 'descriptions');
    if (!entry) return undefined;
    return new DescriptionService({
      jobs: jobQueue(),
      store: descriptionStore(),
      events: eventStore(),
      providers: providers(),
      providerName: entry.settings.name,
      preparer: imagePreparer(),
      readFile: dataFileReader(dataDir),
      genai: config.genai,
      cameras: descriptionCameras(config),
      defaultTimeZone: timeZone,
      clock,
      logger,
      notifier: eventFeed(),
      // A new description changes what an event means: embed it again.
      onDescribed: (eventId: string) => embeddings()?.enqueue([eventId]),
    });
  });

  /** Closed events: queue their descriptions (when genai is on) and embeddings; `vigil serve`'s workers do the work. */
  const onEventsClosed = async (closed: readonly StoredEvent[]) => {
    if (config.genai.enabled) await descriptions()?.enqueueClosed(closed);
    await embeddings()?.enqueue(closed.map((e) => e.event.id));
  };
  const queuesClosedEvents = () => (config.genai.enabled && descriptions() !== undefined) || embeddings() !== undefined;

  // ── Search and answers: the same question gets the same answer from the CLI, the API and the web UI ──
  const search = lazy(() => {
    const vectors = embeddings();
    return new SearchService({
      store: storage().search,
      text: text(),
      cameras,
      concepts: conceptTable(config, (t) => text().normalize(t), loaded.file),
      clock,
      timeZone,
      ...(vectors ? { vectors } : {}),
      ready: searchIndexCurrent,
    });
  });
  const ask = lazy(() => {
    const entry = roleProvider(config.genai, 'answers');
    if (!entry) return new AskService({ search: search(), timeZone });
    const toSimplified = (t: string) => text().toSimplified(t);
    const answers = new AnswerService({
      providers: providers(),
      providerName: entry.settings.name,
      clock,
      logger,
      toSimplified,
      descriptionSummary: async (id, lang) => {
        const described = descriptions();
        return described ? descriptionSummaryFrom(await described.state(id), lang, toSimplified) : undefined;
      },
    });
    return new AskService({ search: search(), answers, timeZone });
  });

  /**
   * Events without a search entry (stored by an older Vigil, or after an upgrade) are indexed;
   * renamed cameras re-indexed. Once per process, before the first search.
   */
  const searchIndexCurrent = lazy(async () => {
    const index = storage().searchIndex;
    let reported = 0;
    const indexed = await index.reindexEvents(false, (done) => {
      if (done - reported < 50_000) return;
      reported = done;
      logger.info({ events: done }, 'rebuilding the search index');
    });
    if (indexed > 0) logger.info({ events: indexed }, 'search index up to date');
    const names = cameraSearchNames(cameras);
    for (const cameraId of await index.changedCameraNames(names)) {
      logger.info({ camera: cameraId, events: await index.reindexCamera(cameraId) }, 'camera names changed in the config; its events were re-indexed');
    }
    await index.recordCameraNames(names);
  });

  // ── analyze_image: Home Assistant's Ollama Vision, over HTTP, MQTT and the CLI ──
  const analyzeImage = lazy(() => {
    const feed = new InMemoryBus();
    const announcer = config.genai.webhooks.length > 0 ? new FanOutAnnouncer([feed, new WebhookAnnouncer(config.genai.webhooks, { logger })]) : feed;
    const settings = config.genai.analyze_image;
    const service = new AnalyzeImageService({
      fetcher: new SafeImageFetcher({ maxBytes: settings.max_bytes, timeoutMs: settings.fetch_timeout_s * 1000, maxRedirects: settings.max_redirects, allowedHosts: settings.allowed_hosts }),
      preparer: imagePreparer(),
      providers: providers(),
      instances: analyzeImageInstances(config.genai),
      store: imageAnalyses(),
      announcer,
      clock,
      language: config.genai.languages[0] ?? 'en',
      imageMaxSize: config.genai.image_max_size,
      // Home Assistant's own paths (/api/camera_proxy/..., /local/...) are read against its URL.
      ...(config.home_assistant?.url ? { homeAssistantUrl: config.home_assistant.url } : {}),
    });
    return { service, feed };
  });

  // ── Video: ffmpeg decodes, one detector (started on first frame), the analysis writes runs and events ──
  const ffmpeg = lazy(() => locateFfmpeg());
  const videoInput = lazy(() => new FfmpegVideoInput({ binaries: ffmpeg() }));
  const detector = lazy(() => {
    const built = createDetector(config.detector, {
      ...(options.detectorWorkers !== undefined ? { workers: options.detectorWorkers } : {}),
      filter: candidateFilter(config.detector, config.tracker),
    });
    closers.push(() => built.close());
    return built;
  });
  const imageStores = lazy(() => {
    const { frames } = config.storage;
    const archive = frames.keep
      ? new JpegFrameArchive({ dataDir, quality: frames.quality, maxTotalBytes: frames.max_total_mb * 1024 * 1024, logger })
      : undefined;
    // Event images are evidence: always written (they are small), whether or not frames are kept.
    return { ...(archive ? { archive } : {}), eventMedia: new JpegEventMedia({ dataDir, quality: frames.quality }) };
  });
  const analyzeVideo = (detectorView = detector(), cameraLogger = logger) =>
    new AnalyzeVideoService({
      videoInput: videoInput(),
      detector: detectorView,
      store: analysisStore(),
      events: eventStore(),
      ...imageStores(),
      ...(queuesClosedEvents() ? { descriptions: { enqueueClosed: onEventsClosed } } : {}),
      notifier: eventFeed(),
      logger: cameraLogger,
      clock,
    });
  const analysis = lazy(() => analyzeVideo());

  // ── Metrics (Prometheus at /metrics): read from the live cameras and the providers when scraped ──
  const metrics = lazy(
    () =>
      new PrometheusMetrics({
        cameras: () => live().states().map((s) => ({ ...s, connected: s.status === 'streaming' })),
        providers: () =>
          providers()
            .stats()
            .map((p) => ({
              provider: p.provider,
              calls: p.totals.calls,
              failures: Object.values(p.totals.failures).reduce((n, v) => n + (v ?? 0), 0),
              latencyMsP50: p.totals.latency.p50Ms ?? undefined,
            })),
        jobs: async () => (await jobs().status()).kinds,
        ...(config.frigate && config.mqtt ? { frigate: () => ({ cameras: frigateIntake().perCamera(), totals: frigateIntake().totals }) } : {}),
        descriptionBacklog: () => descriptions()?.backlogDrops() ?? [],
        gateway: () => gateway()?.usageCounters() ?? [],
      }),
  );

  // ── Live cameras (`vigil serve`): one analysis per camera, the detector shared fairly among them ──
  const live = lazy(() => {
    const ids = liveCameraIds(config);
    const scheduler = ids.length ? new FairDetectorScheduler(detector()) : undefined;
    const running = new Map<string, LiveCamera>();
    for (const id of ids) {
      const camera = config.cameras[id]!;
      const cameraLogger = logger.child({ camera: id });
      const service = analyzeVideo(scheduler!.forCamera(id), cameraLogger);
      const { reconnect } = camera.live;
      running.set(
        id,
        new LiveCamera({
          settings: cameraSettings(id, camera, config),
          input: camera.input,
          detectorSettings: detectorSettings(config.detector),
          analyze: (request) => service.analyze(request),
          queueFrames: camera.live.queue_frames,
          stallMs: camera.live.stall_s * 1000,
          backoff: new Backoff({ minMs: reconnect.min_s * 1000, maxMs: reconnect.max_s * 1000, resetAfterMs: reconnect.healthy_after_s * 1000 }),
          clock,
          sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
          logger: cameraLogger,
          metrics: options.liveMetrics ?? metrics(),
        }),
      );
    }
    // Each camera runs in the one process holding its lease: this one alone, or spread over the
    // workers sharing a PostgreSQL storage.
    const schedule = (runOne: RunOneCamera) =>
      new CameraAssignment({
        registry: storage().workers,
        me: workerIdentity(),
        cameras: ids,
        // A process without live cameras in its configuration takes no share of them.
        runsCameras: (options.runsCameras ?? true) && ids.length > 0,
        leaseMs: config.workers.lease_s * 1000,
        runCamera: (cameraId, lease, signal) =>
          runOne(cameraId, signal, () => {
            const { holder, generation } = lease();
            return { cameraId, holder, generation };
          }),
        stats: () =>
          Object.fromEntries(
            [...running].map(([id, camera]) => {
              const state = camera.state();
              return [id, { framesProcessed: state.framesProcessed, framesDropped: state.framesDropped, processedFps: state.processedFps, live: state }];
            }),
          ),
        clock,
        logger,
        sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
      });
    return new LiveCameras(running, logger, schedule);
  });
  /** This process among the workers sharing the storage. */
  const workerIdentity = lazy(() => ({
    id: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    host: hostname(),
    pid: process.pid,
    role: options.role ?? ('serve' as const),
    startedAt: clock.now(),
  }));

  // ── Retention (storage.retention): rows first, then files, then orphans ──
  const retention = lazy(
    () =>
      new RetentionService({
        store: storage().retention,
        files: new DataDirMediaFiles(dataDir),
        policy: retentionPolicy(config),
        clock,
        logger,
        metrics: metrics(),
        pause: () => new Promise((resolve) => setImmediate(resolve)),
      }),
  );

  // ── Integrations over MQTT: Vigil's topics, the Frigate sidecar, Home Assistant discovery ──
  /** What arrived on `frigate/events` per camera and the gaps inferred (for /metrics and /api/cameras). */
  const frigateIntake = lazy(() => new FrigateIntakeStats({ now: clock.now }));

  async function startIntegrations(): Promise<RunningIntegrations> {
    const mqtt = config.mqtt;
    if (!mqtt) return { ready: Promise.resolve(), jobLanes: [], close: async () => {} };
    const log = logger.child({ module: 'integrations' });
    const tls = mqtt.tls ? { insecure: mqtt.tls.insecure, ...(mqtt.tls.ca_file ? { ca: readFileSync(resolve(loaded.baseDir, mqtt.tls.ca_file)) } : {}) } : undefined;
    const bus = new MqttMessageBus({
      host: mqtt.host,
      port: mqtt.port,
      clientId: mqtt.client_id,
      ...(mqtt.user !== undefined ? { username: mqtt.user } : {}),
      ...(mqtt.password !== undefined ? { password: mqtt.password } : {}),
      ...(tls ? { tls } : {}),
      // Per instance (mqtt.client_id), so a second Vigil on the broker never marks this one unavailable.
      statusTopic: `${instanceTopicPrefix(mqtt.topic_prefix, mqtt.client_id)}/status`,
      logger,
    });
    const prefix = mqtt.topic_prefix;
    const publicUrl = config.home_assistant?.public_url;
    const starting: Array<Promise<void>> = [];
    const stops: Array<() => Promise<void> | void> = [];
    const jobLanes: JobLane[] = [];
    let quiet: RunningIntegrations['quiet'];
    const image = analyzeImage();
    // What was built so far is closed again when a later part cannot start (the caller may try again).
    const closeBuilt = async () => {
      for (const stop of stops.reverse()) await stop();
      await bus.close();
    };
    try {

      // Vigil's own topics: every event and description out, `vigil/analyze` in, `vigil/image_analyzed` out.
      const publisher = new EventPublisher({ bus, feed: eventFeed(), topicPrefix: prefix, ...(publicUrl ? { publicUrl } : {}), logger });
      publisher.start();
      stops.push(() => publisher.close());
      const announcer = new MqttAnnouncer({ bus, topicPrefix: prefix, logger });
      stops.push(image.feed.subscribe(({ topic, payload }) => announcer.announce(topic, payload)));
      const haUrl = config.home_assistant?.url;
      const command = new AnalyzeCommand({ bus, analyzeImage: image.service, topicPrefix: prefix, ...(haUrl ? { homeAssistantUrl: haUrl } : {}), logger });
      starting.push(command.start());
      stops.push(() => command.close());

      // Frigate: `frigate/events` become durable jobs that fetch the snapshot (and clip frames) into Vigil events.
      const frigate = config.frigate;
      const frigateCameras = frigate ? Object.values(frigateSettings(frigate).cameras).map((c) => c.vigilCamera) : [];
      if (frigate) {
        const settings = frigateSettings(frigate);
        const api = new FrigateHttpApi({
          baseUrl: frigate.url,
          ...(frigate.user !== undefined ? { user: frigate.user } : {}),
          ...(frigate.password !== undefined ? { password: frigate.password } : {}),
          timeoutMs: frigate.timeout_s * 1000,
          maxBytes: Math.round(frigate.max_image_mb * 1024 * 1024),
          maxClipBytes: Math.round(frigate.max_clip_mb * 1024 * 1024),
          insecureTls: frigate.verify_tls === false,
        });
        const described = descriptions();
        const ingest = new FrigateIngest({
          api,
          store: analysisStore(),
          events: eventStore(),
          images: new DataDirEventImageFiles(dataDir),
          notifier: eventFeed(),
          ...(described ? { descriptions: described } : {}),
          ...(frigate.clip_frames > 0 ? { clips: { frames: frigate.clip_frames, extractor: new FfmpegClipFrames(ffmpeg()) } } : {}),
          settings,
          cameraContext: (rules) => {
            const camera = config.cameras[rules.vigilCamera];
            return { ...rules, cameraName: camera?.name ?? rules.vigilCamera, timeZone: camera?.timezone ?? timeZone };
          },
          clock,
          logger,
        });
        const sidecar = new FrigateSidecar({ bus, jobs: jobQueue(), api, feed: eventFeed(), settings, clock, logger, stats: frigateIntake() });
        jobLanes.push(
          frigateJobLane({
            ingest,
            sidecar,
            ...(options.frigateRetry ? { retry: options.frigateRetry } : {}),
            ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
          }),
        );
        // Frigate's messages come in bursts, and storing the first ones loads the text analysis'
        // dictionaries (OpenCC, ICU word breaks): a stall of ~100 ms in which the broker drops what
        // Vigil cannot read. Loaded now instead.
        text().indexTokens('門口有人 person at the door');
        starting.push(sidecar.start());
        stops.push(() => sidecar.stop());
        quiet = (signal) => sidecar.quiet({ signal });
      }

      // Home Assistant: retained sensors per camera, per live camera's connection, per analyzed image.
      if (config.home_assistant?.enabled) {
        const sensorCameras = [...new Set([...Object.keys(config.cameras), ...frigateCameras])].map((id) => ({ id, name: config.cameras[id]?.name ?? id }));
        const liveIds = liveCameraIds(config);
        const ha = new HomeAssistantService({
          bus,
          events: eventFeed(),
          images: image.feed,
          // States and availability under the instance's own prefix (vigil/<client_id>/... unless the client id is the default).
          context: { discoveryPrefix: config.home_assistant.discovery_prefix, topicPrefix: instanceTopicPrefix(prefix, mqtt.client_id), nodeId: mqtt.client_id, version: packageVersion() },
          cameras: sensorCameras,
          seed: {
            events: await latestEventPerCamera(
              eventStore(),
              sensorCameras.map((c) => c.id),
              async (id) => descriptions()?.state(id),
            ),
            analyses: await imageAnalyses().latestPerName(),
          },
          ...(publicUrl ? { publicUrl } : {}),
          ...(liveIds.length
            ? {
                live: {
                  cameras: liveIds.map((id) => ({ id, name: config.cameras[id]?.name ?? id })),
                  state: options.liveState ?? ((id: string) => live().state(id)),
                  ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
                },
              }
            : {}),
          logger,
        });
        starting.push(ha.start());
        stops.push(() => ha.stop());
      }

    } catch (error) {
      await closeBuilt().catch((closeError: unknown) => log.warn({ err: closeError }, 'could not close the MQTT integrations that did start'));
      throw error;
    }
    const ready = Promise.all(starting).then(() => log.info({ prefix }, 'MQTT integrations ready'));
    // A broker that is down delays readiness; it must not crash the server.
    ready.catch((error: unknown) => log.error({ err: error }, 'MQTT integrations could not subscribe'));
    return {
      ready,
      jobLanes,
      ...(quiet ? { quiet } : {}),
      close: closeBuilt,
    };
  }

  // ── The HTTP API and the web UI ──
  function httpApp(token?: string) {
    const described = descriptions();
    const vectors = embeddings();
    const modelGateway = gateway();
    return createHttpApp({
      search: search(),
      ask: ask(),
      events: events(),
      cameras,
      dataDir,
      webRoot: WEB_ROOT,
      ...(token ? { token } : {}),
      version: packageVersion(),
      logger,
      toSimplified: (t) => text().toSimplified(t),
      analyzeImage: analyzeImage(),
      maxImageBytes: config.genai.analyze_image.max_bytes,
      providerStats: () => [...providers().stats(), ...(vectors ? [{ embeddings: vectors.status() }] : [])],
      ...(described ? { descriptions: described } : {}),
      liveState: (cameraId) => live().state(cameraId),
      cameraIntake: (cameraId) => {
        const frigate = config.frigate && config.mqtt ? frigateIntake().forCamera(cameraId) : undefined;
        const dropped = descriptions()?.backlogDrops().find((d) => d.camera === cameraId)?.dropped;
        return { ...(frigate ? { frigate } : {}), ...(dropped ? { descriptionsDropped: dropped } : {}) };
      },
      jobs: () => jobs().status(),
      workers: {
        workers: async () => {
          const registry = storage().workers;
          const [workers, leases] = await Promise.all([registry.liveWorkers(clock.now() - config.workers.lease_s * 1000), registry.leases()]);
          return { workers, leases };
        },
        cameras: liveCameraIds(config),
        leaseMs: config.workers.lease_s * 1000,
        now: () => clock.now(),
      },
      metrics: metrics(),
      ...(modelGateway ? { gateway: { service: modelGateway, maxBodyBytes: gatewayMaxBodyBytes(config.gateway) } } : {}),
      gatewayUsage: {
        enabled: config.gateway.enabled,
        keys: () => gatewayKeys().list(),
        report: (query) => gatewayKeys().usage(query),
        active: (keyId) => modelGateway?.activeRequests(keyId) ?? 0,
      },
    });
  }

  /**
   * The job runner with a lane for every kind of background work this configuration does
   * besides the integrations': descriptions (when genai is on) and embeddings. `beforePass`: see
   * RunningIntegrations.quiet.
   */
  function backgroundJobs(beforePass?: (signal: AbortSignal) => Promise<void>): JobRunner {
    const described = config.genai.enabled ? descriptions() : undefined;
    const embedded = embeddings();
    const lanes = [...(described ? [described.jobLane()] : []), ...(embedded ? [embedded.jobLane()] : [])];
    // What this configuration must run; the runner refuses to start if a lane for one is missing.
    const kinds: JobKind[] = [...(described ? (['describe_event'] as const) : []), ...(roleProvider(config.genai, 'embeddings') ? (['embed_event'] as const) : [])];
    return jobRunner(lanes, kinds, beforePass);
  }

  /** The integrations' own job runner (Frigate ingest and write-back), or undefined when they have no jobs. */
  function integrationJobs(integrations: RunningIntegrations): JobRunner | undefined {
    if (integrations.jobLanes.length === 0) return undefined;
    const kinds: JobKind[] = config.mqtt && config.frigate ? ['frigate_ingest', 'frigate_write_description'] : [];
    return jobRunner(integrations.jobLanes, kinds, integrations.quiet);
  }

  function jobRunner(lanes: JobLane[], kinds: JobKind[], beforePass: ((signal: AbortSignal) => Promise<void>) | undefined): JobRunner {
    return new JobRunner({
      queue: jobQueue(),
      lanes,
      kinds,
      clock,
      logger,
      // A shared PostgreSQL queue has other workers' running jobs in it: only expired leases come back.
      soleWorker: !config.storage.database && (options.role ?? 'serve') === 'serve',
      ...(beforePass ? { beforePass } : {}),
    });
  }

  /**
   * The MQTT integrations with their job runner, as a duty of one process at a time among those
   * sharing the storage (one broker connection per client id, one publisher for Home Assistant).
   */
  function integrationsDuty(): LeaderDuty<RunningIntegrations> {
    return new LeaderDuty({
      leadership: storage().leadership,
      role: 'integrations',
      logger,
      start: async () => {
        const integrations = await startIntegrations();
        const runner = integrationJobs(integrations);
        const stop = new AbortController();
        const running = runner?.run({ signal: stop.signal }).catch((error: unknown) => logger.error({ err: error }, 'the integrations job runner stopped with an error'));
        return {
          ...integrations,
          close: async () => {
            // Jobs stop before the integrations they use (the Frigate lane talks through the
            // sidecar and the MQTT connection); a job cut off is queued again, not failed.
            stop.abort();
            await running;
            await integrations.close();
          },
        };
      },
    });
  }

  /** Retention sweeps (only when something can expire), as a duty of one process at a time. */
  function retentionDuty(): LeaderDuty<RunningDuty> | undefined {
    if (!retention().active) return undefined;
    return new LeaderDuty({
      leadership: storage().leadership,
      role: 'retention',
      logger,
      start: async () => {
        // A first sweep shortly after start, then one every interval.
        const stop = new AbortController();
        const sweeps = retention().runPeriodically({
          intervalMs: retentionIntervalMs(config),
          firstDelayMs: options.retentionFirstDelayMs ?? RETENTION_FIRST_DELAY_MS,
          signal: stop.signal,
        });
        logger.info({ intervalMinutes: retentionIntervalMs(config) / 60_000 }, 'retention is on');
        return {
          close: async () => {
            // A sweep under way stops between two batches; the next start carries on.
            stop.abort();
            await sweeps;
          },
        };
      },
    });
  }

  /** `vigil serve`: the API and UI, the background workers, the integrations, the live cameras and retention. */
  async function serve(where: { host: string; port: number }): Promise<RunningServer> {
    const token = resolveApiToken(loaded, where.host);
    await storage().open();
    // Live sessions left running by a server that died (kill -9, a power cut) read as ended, so
    // retention can delete them whole once expired; their events stay as stored.
    const abandoned = await analysisStore().interruptAbandonedSessions(liveCameraIds(config), clock.now());
    if (abandoned > 0) logger.warn({ runs: abandoned }, 'live sessions left running by a server that did not stop cleanly were marked interrupted');
    const cameras = live();
    const server = await listen(httpApp(token.token).fetch, where.host, where.port);
    // The integrations (with MQTT configured) run here, or in another process sharing the storage
    // (then this one takes them over if that one stops).
    const integrations = config.mqtt ? integrationsDuty() : undefined;
    await integrations?.start();
    // One runner works descriptions (when genai is on) and embeddings, also what `vigil analyze`
    // queued and what a previous run left. Every lane, not only Frigate's, waits out a burst of
    // Frigate messages: claiming and running jobs then takes the time in which the broker's queue
    // for Vigil overflows.
    const stopJobs = new AbortController();
    const jobsRunning = backgroundJobs((signal) => integrations?.active?.quiet?.(signal) ?? Promise.resolve())
      .run({ signal: stopJobs.signal })
      .catch((error: unknown) => logger.error({ err: error }, 'the job runner stopped with an error'));
    // Cameras start once everything that listens to their events is in place.
    cameras.start();
    const sweeps = retentionDuty();
    await sweeps?.start();
    return {
      url: server.url,
      integrationsReady: integrations?.active?.ready ?? Promise.resolve(),
      ...(token.generated && token.token ? { generatedToken: token.token } : {}),
      close: async () => {
        await sweeps?.stop();
        // Inputs stop first; the analyses then store what they hold (events closed, runs complete).
        await cameras.close(LIVE_GRACE_MS);
        stopJobs.abort();
        await jobsRunning;
        await integrations?.stop();
        await server.close();
        await close();
      },
    };
  }

  /**
   * `vigil worker`: the live cameras this process holds leases for and the background jobs
   * (descriptions, embeddings), beside a `vigil serve` and other workers sharing the storage.
   * With `where`, it serves its own /metrics and /api/health there.
   */
  async function work(where?: { host: string; port: number }): Promise<RunningWorker> {
    await storage().open();
    const cameras = live();
    const stopJobs = new AbortController();
    const jobsRunning = backgroundJobs()
      .run({ signal: stopJobs.signal })
      .catch((error: unknown) => logger.error({ err: error }, 'the job runner stopped with an error'));
    cameras.start();
    const token = where ? resolveApiToken(loaded, where.host).token : undefined;
    const server = where
      ? await listen(workerApp({ metrics: metrics(), version: packageVersion(), logger, ...(token ? { token } : {}) }).fetch, where.host, where.port)
      : undefined;
    logger.info({ worker: workerIdentity().id, storage: storage().location, cameras: liveCameraIds(config).length }, 'worker started');
    return {
      ...(server ? { url: server.url } : {}),
      close: async () => {
        await cameras.close(LIVE_GRACE_MS);
        stopJobs.abort();
        await jobsRunning;
        await server?.close();
        await close();
      },
    };
  }

  /** Releases what was built, newest first (the detector's workers, then the database). */
  async function close(): Promise<void> {
    for (const release of closers.splice(0).reverse()) await release();
  }

  // Parts are read as properties (`vigil.search`) and built when first read.
  const parts = lazyParts({
    events,
    search,
    ask,
    analysis,
    detector,
    videoInput,
    descriptions,
    embeddings,
    analyzeImage: () => analyzeImage().service,
    /** Finished image analyses as they are announced (the SSE stream, MQTT and webhooks hear them). */
    imageAnnouncements: () => analyzeImage().feed,
    providerStats: () => providers().stats(),
    live,
    retention,
    metrics,
    /** Stored and described events as they happen (what MQTT and Home Assistant publish). */
    eventFeed,
    /** The job queue's state per kind (`GET /api/jobs`, /metrics, `vigil jobs`). */
    jobs,
    /** Gateway API keys: made, checked, revoked, limited, and their usage. */
    gatewayKeys,
    /** The model gateway (`gateway.enabled`), or undefined. */
    gateway,
  });
  return Object.assign(parts, {
    config,
    logger,
    clock,
    cameras,
    timeZone,
    /** Traditional Chinese to Simplified, as the API shows `zh_hans`. */
    toSimplified: (t: string) => text().toSimplified(t),
    /** The token a local client (the CLI) sends to the running server. */
    apiToken: () => config.server.token ?? readApiToken(dataDir),
    startIntegrations,
    /** Works the queued descriptions and embeddings until the signal stops it (`vigil serve` does this beside the API). */
    runJobs: (signal: AbortSignal) => backgroundJobs().run({ signal }),
    httpApp,
    serve,
    work,
    close,
  });
}

export type Vigil = ReturnType<typeof createVigil>;

/** `vigil serve` in one call (tests, the web UI's dev server): closing the server releases everything. */
export async function startVigilServer(loaded: LoadedConfig, options: VigilOptions & { host: string; port: number }): Promise<RunningServer> {
  const vigil = createVigil(loaded, options);
  try {
    return await vigil.serve(options);
  } catch (error) {
    await vigil.close();
    throw error;
  }
}

/** The API token when listening beyond localhost: configured, or generated once and kept in the data directory. */
export function resolveApiToken(loaded: LoadedConfig, host: string): { token?: string; generated: boolean } {
  if (isLoopbackHost(host)) return { generated: false };
  if (loaded.config.server.token) return { token: loaded.config.server.token, generated: false };
  const { token, generated } = ensureApiToken(loaded.config.storage.data_dir);
  return { token, generated };
}

export type { MigrationProgress, MigrationReport };

/**
 * The configuration's SQLite store copied into PostgreSQL and indexed as this Vigil indexes.
 */
export function migrateToPostgres(
  loaded: LoadedConfig,
  url: string,
  options: { logger: Logger; signal?: AbortSignal; onProgress?: (progress: MigrationProgress) => void },
): Promise<MigrationReport> {
  const { config } = loaded;
  const text = sharedTextAnalysis();
  const cameras = cameraDirectory(config);
  return migrateSqliteToPostgres({
    file: join(config.storage.data_dir, DATABASE_FILE),
    target: url,
    indexer: createEventIndexer(text, cameras),
    tokenize: (t) => text.indexTokens(t).join(' '),
    cameraNames: cameraSearchNames(cameras),
    ...options,
  });
}

let textAnalysis: ReturnType<typeof createTextAnalyzer> | undefined;
/** One analyzer per process: building the Chinese converter is the expensive part. */
export function sharedTextAnalysis(): ReturnType<typeof createTextAnalyzer> {
  textAnalysis ??= createTextAnalyzer();
  return textAnalysis;
}

export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
