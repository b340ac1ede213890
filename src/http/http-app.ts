import { Hono } from 'hono';
import { genaiStatsSchema, type CamerasResponseWire, type EventDetailWire, type EventsPageWire, type HealthWire } from '../contract/api.schemas.ts';
import { VigilError } from '../domain/errors.ts';
import type { AnnouncementFeed } from '../ports/image-analysis-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { CameraLiveState } from '../services/live/live-camera.ts';
import type { AnalyzeImageService } from '../services/genai/analyze-image.service.ts';
import type { DescriptionService } from '../services/genai/descriptions/index.ts';
import type { EventQueryService } from '../services/event-query.service.ts';
import type { AskResult, AskService } from '../services/search/ask.service.ts';
import type { SearchService } from '../services/search/search.service.ts';
import type { JobsStatus } from '../services/jobs/index.ts';
import type { GatewayService } from '../services/gateway/gateway.service.ts';
import type { GatewayUsageReport } from '../services/gateway/gateway-keys.ts';
import type { GatewayKey } from '../ports/gateway-store.ts';
import { requireToken } from './auth.ts';
import { limitRequestBodies } from './body-limits.ts';
import { echo } from './echo.ts';
import { gatewayRoutes } from './gateway/gateway.routes.ts';
import { errorResponse } from './http-error.ts';
import { openApiDocument } from './openapi.ts';
import { presentEvent, type PresentOptions } from './present-event.ts';
import { presentCamera, presentDescription, presentGatewayUsage, presentJobs, presentSearch, type CameraListing, type CameraIntake } from './presenters.ts';
import { eventsQuerySchema, gatewayUsageQuerySchema, parseQuery, searchQuerySchema } from './query-schemas.ts';
import { analyzeRoutes } from './routes/analyze.routes.ts';
import { mediaRoutes } from './routes/media.routes.ts';
import { webUiRoutes } from './routes/web-ui.routes.ts';
import { workersRoutes, type WorkersRouteDeps } from './routes/workers.routes.ts';

export type { CameraListing } from './presenters.ts';

export interface HttpAppDeps {
  search: SearchService;
  events: EventQueryService;
  cameras: readonly CameraListing[];
  dataDir: string;
  webRoot: string;
  /** Set when the server listens beyond localhost. */
  token?: string;
  version: string;
  logger: Logger;
  toSimplified: (text: string) => string;
  /** analyze_image and its announcement stream. */
  analyzeImage?: { service: AnalyzeImageService; feed: AnnouncementFeed };
  /** The largest image an upload may carry (`genai.analyze_image.max_bytes`); default 20 MiB. */
  maxImageBytes?: number;
  /** Calls, tokens, latency and queue state per model provider. */
  providerStats?: () => unknown[];
  /** The durable job queue per kind (descriptions, embeddings, Frigate). */
  jobs?: () => Promise<JobsStatus>;
  /** The workers sharing the storage and who holds each live camera (`GET /api/workers`). */
  workers?: WorkersRouteDeps;
  /** Event descriptions by a vision model, when a provider is configured. */
  descriptions?: DescriptionService;
  /** Answers written by a model from the search's candidates; without it, the deterministic answer. */
  ask?: AskService;
  /** Live cameras' state (connection, rates, drops), when `vigil serve` runs cameras. */
  liveState?: (cameraId: string) => CameraLiveState | undefined;
  /** What arrives for a camera from outside (Frigate's messages and gaps, descriptions dropped from a full backlog). */
  cameraIntake?: (cameraId: string) => CameraIntake;
  /** Gateway keys and their usage (`GET /api/gateway/usage`); served whether or not the gateway runs. */
  gatewayUsage?: {
    enabled: boolean;
    keys: () => Promise<readonly GatewayKey[]>;
    report: (query: { days: number; key?: string }) => Promise<GatewayUsageReport>;
    active: (keyId: string) => number;
  };
  /** The model gateway (`gateway.enabled`): Anthropic and OpenAI APIs under /v1, with its own keys. */
  gateway?: { service: GatewayService; maxBodyBytes: number };
  /** Prometheus text for /metrics. */
  metrics?: { contentType(): string; text(): Promise<string> };
}

/** `genai.analyze_image.max_bytes`' default, for apps built without a configuration (tests). */
const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** The HTTP API and the web UI as one Hono app; tests call it in-process with `app.request()`. */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const present: PresentOptions = {
    cameraName: (id) => deps.cameras.find((c) => c.id === id)?.name ?? id,
    toSimplified: deps.toSimplified,
  };
  const app = new Hono();
  app.onError((error, c) => errorResponse(error, c, deps.logger));
  if (deps.token) app.use('/api/*', requireToken(deps.token));
  if (deps.token) app.use('/metrics', requireToken(deps.token));
  // After the token check: a client without the token cannot make the server read any body.
  app.use('*', limitRequestBodies({ maxImageBytes: deps.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES }));
  if (deps.gateway) app.route('/', gatewayRoutes({ gateway: deps.gateway.service, maxBodyBytes: deps.gateway.maxBodyBytes, logger: deps.logger, now: Date.now }));

  app.get('/metrics', async (c) => {
    if (!deps.metrics) throw new VigilError('not_found', 'metrics are served by `vigil serve` only');
    return c.body(await deps.metrics.text(), 200, { 'Content-Type': deps.metrics.contentType(), 'Cache-Control': 'no-store' });
  });

  app.get('/api/health', async (c) => {
    const body: HealthWire = { status: 'ok', version: deps.version, events: (await deps.events.list({ limit: 0 })).total, cameras: deps.cameras.length };
    return c.json(body);
  });

  app.get('/api/cameras', async (c) => {
    const coverage = new Map((await deps.search.coverage()).map((cov) => [cov.cameraId, cov]));
    const configured = new Set(deps.cameras.map((cam) => cam.id));
    // Cameras that only exist in the data (analysed ad hoc, or removed from the config) are listed too.
    const adHoc: CameraListing[] = [...coverage.keys()].filter((id) => !configured.has(id)).map((id) => ({ id, name: id, aliases: [], timeZone: 'UTC', zones: [], tripwires: [] }));
    const body: CamerasResponseWire = {
      cameras: [...deps.cameras, ...adHoc].map((cam) => presentCamera(cam, coverage.get(cam.id), deps.liveState?.(cam.id), deps.cameraIntake?.(cam.id))),
    };
    return c.json(body);
  });

  app.get('/api/events', async (c) => {
    const q = parseQuery(eventsQuerySchema, c.req.query());
    const page = await deps.events.list({
      ...(q.camera !== undefined ? { cameraId: q.camera } : {}),
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.label !== undefined ? { label: q.label } : {}),
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    const body: EventsPageWire = { total: page.total, events: page.events.map((e) => presentEvent(e, present)) };
    return c.json(body);
  });

  app.get('/api/events/:id', async (c) => {
    const stored = await deps.events.get(c.req.param('id'));
    if (!stored) throw new VigilError('not_found', `no event with id ${echo(c.req.param('id'))}`);
    const body: EventDetailWire = {
      ...presentEvent(stored, present, undefined, await deps.events.evidenceFrames(stored)),
      description: deps.descriptions ? presentDescription(await deps.descriptions.state(stored.event.id)) : null,
    };
    return c.json(body);
  });

  /** Describe (again) now, whatever the camera's genai settings say. */
  app.post('/api/events/:id/description/regenerate', async (c) => {
    if (!deps.descriptions) throw new VigilError('invalid_argument', 'no model provider is configured for descriptions (genai.roles.descriptions)');
    // Checked here so that the 404 quotes the id as every other message does (capped).
    if (!(await deps.events.get(c.req.param('id')))) throw new VigilError('not_found', `no event with id ${echo(c.req.param('id'))}`);
    const view = await deps.descriptions.describe(c.req.param('id'), { manual: true, signal: c.req.raw.signal });
    return c.json(presentDescription(view));
  });

  app.get('/api/search', async (c) => {
    const q = parseQuery(searchQuerySchema, c.req.query());
    const request = {
      q: q.q,
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
      ...(q.camera !== undefined ? { camera: q.camera } : {}),
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.label !== undefined ? { label: q.label } : {}),
      limit: q.limit,
      ...(q.lang !== undefined ? { language: q.lang } : {}),
    };
    const result: AskResult = deps.ask ? await deps.ask.ask(request, { signal: c.req.raw.signal }) : await deps.search.search(request);
    return c.json(presentSearch(result, present));
  });

  if (deps.analyzeImage) {
    const { service, feed } = deps.analyzeImage;
    app.route('/api', analyzeRoutes({ analyzeImage: service, feed, logger: deps.logger, maxImageBytes: deps.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES }));
  }
  // The stats come typed as unknown from the composition root: checked here, so that what is
  // served is what the contract says (a mismatch is a logged 500, not a silent new shape).
  app.get('/api/genai/stats', (c) => {
    const parsed = genaiStatsSchema.safeParse({ providers: deps.providerStats?.() ?? [] });
    if (!parsed.success) throw new VigilError('internal', 'the provider statistics do not match the API contract', { cause: parsed.error });
    return c.json(parsed.data);
  });
  app.get('/api/jobs', async (c) => {
    if (!deps.jobs) throw new VigilError('not_found', 'the job queue is served by `vigil serve` only');
    return c.json(presentJobs(await deps.jobs()));
  });
  app.get('/api/gateway/usage', async (c) => {
    if (!deps.gatewayUsage) throw new VigilError('not_found', 'gateway usage is served by `vigil serve` only');
    const q = parseQuery(gatewayUsageQuerySchema, c.req.query());
    const usage = deps.gatewayUsage;
    const [report, keys] = await Promise.all([usage.report({ days: q.days, ...(q.key !== undefined ? { key: q.key } : {}) }), usage.keys()]);
    return c.json(presentGatewayUsage({ enabled: usage.enabled, keys, report, active: usage.active }));
  });
  if (deps.workers) app.route('/', workersRoutes(deps.workers));
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(deps.version)));
  app.route('/api/media', mediaRoutes({ dataDir: deps.dataDir }));
  app.all('/api/*', () => {
    throw new VigilError('not_found', 'no such API endpoint');
  });
  app.route('/', webUiRoutes({ webRoot: deps.webRoot }));
  return app;
}
