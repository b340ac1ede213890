import { Hono } from 'hono';
import type { AnnouncementFeed } from '../ports/image-analysis-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { CameraLiveState } from '../services/live/live-camera.ts';
import type { AnalyzeImageService } from '../services/genai/analyze-image.service.ts';
import type { DescriptionService, DescriptionView } from '../services/genai/descriptions/index.ts';
import type { EventQueryService } from '../services/event-query.service.ts';
import type { AskResult, AskService } from '../services/search/ask.service.ts';
import type { CameraInfo, SearchService } from '../services/search/search.service.ts';
import { requireToken } from './auth.ts';
import { errorResponse, HttpError } from './http-error.ts';
import { openApiDocument } from './openapi.ts';
import { presentEvent, type PresentOptions } from './present-event.ts';
import { eventsQuerySchema, parseQuery, searchQuerySchema } from './query-schemas.ts';
import { analyzeRoutes } from './routes/analyze.routes.ts';
import { mediaRoutes } from './routes/media.routes.ts';
import { webUiRoutes } from './routes/web-ui.routes.ts';

export interface CameraListing extends CameraInfo {
  zones: readonly string[];
  tripwires: readonly string[];
}

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
  /** Calls, tokens, latency and queue state per model provider. */
  providerStats?: () => unknown[];
  /** Event descriptions by a vision model, when a provider is configured. */
  descriptions?: DescriptionService;
  /** Answers written by a model from the search's candidates; without it, the deterministic answer. */
  ask?: AskService;
  /** Live cameras' state (connection, rates, drops), when `vigil serve` runs cameras. */
  liveState?: (cameraId: string) => CameraLiveState | undefined;
  /** Prometheus text for /metrics. */
  metrics?: { contentType(): string; text(): Promise<string> };
}

/** A live camera's state as the API shows it (snake_case, ISO times). */
function presentLive(s: CameraLiveState) {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    status: s.status,
    connected: s.status === 'streaming',
    input_fps: round(s.inputFps),
    processed_fps: round(s.processedFps),
    frames_in: s.framesIn,
    frames_processed: s.framesProcessed,
    frames_dropped: s.framesDropped,
    queue_depth: s.queueDepth,
    reconnects: s.reconnects,
    last_frame_at: iso(s.lastFrameAtMs),
    connected_since: iso(s.connectedSinceMs),
    last_error: s.lastError ?? null,
    last_error_at: iso(s.lastErrorAtMs),
    next_attempt_at: iso(s.nextAttemptAtMs),
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

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

  app.get('/metrics', async (c) => {
    if (!deps.metrics) throw new HttpError(404, 'not_found', 'metrics are served by `vigil serve` only');
    return c.body(await deps.metrics.text(), 200, { 'Content-Type': deps.metrics.contentType(), 'Cache-Control': 'no-store' });
  });

  app.get('/api/health', (c) =>
    c.json({ status: 'ok', version: deps.version, events: deps.events.list({ limit: 0 }).total, cameras: deps.cameras.length }),
  );

  app.get('/api/cameras', (c) => {
    const coverage = new Map(deps.search.coverage().map((cov) => [cov.cameraId, cov]));
    const configured = new Set(deps.cameras.map((cam) => cam.id));
    // Cameras that only exist in the data (analysed ad hoc, or removed from the config) are listed too.
    const adHoc = [...coverage.keys()].filter((id) => !configured.has(id)).map((id) => ({ id, name: id, aliases: [], timeZone: 'UTC', zones: [], tripwires: [] }));
    return c.json({
      cameras: [...deps.cameras, ...adHoc].map((cam) => {
        const cov = coverage.get(cam.id);
        return {
          id: cam.id,
          name: cam.name,
          aliases: cam.aliases,
          timezone: cam.timeZone,
          zones: cam.zones,
          tripwires: cam.tripwires,
          events: cov?.events ?? 0,
          first_event: iso(cov?.firstEventMs),
          last_event: iso(cov?.lastEventMs),
          analysed_until: iso(cov?.analysedUntilMs),
          live: (() => {
            const state = deps.liveState?.(cam.id);
            return state ? presentLive(state) : null;
          })(),
        };
      }),
    });
  });

  app.get('/api/events', (c) => {
    const q = parseQuery(eventsQuerySchema, c.req.query());
    const page = deps.events.list({
      ...(q.camera !== undefined ? { cameraId: q.camera } : {}),
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.label !== undefined ? { label: q.label } : {}),
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    return c.json({ total: page.total, events: page.events.map((e) => presentEvent(e, present)) });
  });

  app.get('/api/events/:id', (c) => {
    const stored = deps.events.get(c.req.param('id'));
    if (!stored) throw new HttpError(404, 'not_found', `no event with id "${c.req.param('id')}"`);
    return c.json({
      ...presentEvent(stored, present, undefined, deps.events.evidenceFrames(stored)),
      description: deps.descriptions ? presentDescription(deps.descriptions.state(stored.event.id)) : null,
    });
  });

  /** Describe (again) now, whatever the camera's genai settings say. */
  app.post('/api/events/:id/description/regenerate', async (c) => {
    if (!deps.descriptions) throw new HttpError(400, 'invalid_argument', 'no model provider is configured for descriptions (genai.roles.descriptions)');
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
    const result: AskResult = deps.ask ? await deps.ask.ask(request, { signal: c.req.raw.signal }) : deps.search.search(request);
    const i = result.interpretation;
    return c.json({
      query: result.query,
      interpretation: {
        from: iso(i.fromMs),
        to: iso(i.toMs),
        time_text: i.timeText ?? null,
        time_notes: i.timeNotes,
        cameras: i.cameras,
        types: i.types,
        labels: i.labels,
        concepts: i.concepts,
        terms: i.terms,
        language: i.language,
        retrieval: i.retrieval ?? 'keyword',
        retrieval_note: i.retrievalNote ?? null,
      },
      answer: {
        ...result.answer,
        generated: result.generated?.generated ?? false,
        ...(result.generated?.fallback_reason ? { fallback_reason: result.generated.fallback_reason } : {}),
        ...(result.generated?.model ? { model: result.generated.model } : {}),
        cited: result.generated?.cited ?? [],
        timeline: result.generated?.generated ? result.generated.timeline : [],
      },
      missing_info: result.missingInfo,
      timeline: {
        from: iso(result.timeline.fromMs),
        to: iso(result.timeline.toMs),
        lanes: result.timeline.lanes.map((l) => ({
          camera: l.cameraId,
          camera_name: l.cameraName,
          events: l.events.map((e) => ({ id: e.id, type: e.type, start: iso(e.startMs), end: iso(e.endMs) })),
        })),
      },
      total: result.total,
      total_exact: result.totalExact,
      events: result.hits.map((h) => presentEvent(h.stored, present, Math.round(h.score * 1000) / 1000)),
    });
  });

  if (deps.analyzeImage) app.route('/api', analyzeRoutes({ analyzeImage: deps.analyzeImage.service, feed: deps.analyzeImage.feed }));
  app.get('/api/genai/stats', (c) => c.json({ providers: deps.providerStats?.() ?? [] }));
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(deps.version)));
  app.route('/api/media', mediaRoutes({ dataDir: deps.dataDir }));
  app.all('/api/*', () => {
    throw new HttpError(404, 'not_found', 'no such API endpoint');
  });
  app.route('/', webUiRoutes({ webRoot: deps.webRoot }));
  return app;
}

/** A description's state as the API shows it (times as ISO strings). */
function presentDescription(view: DescriptionView) {
  return {
    status: view.status,
    attempts: view.attempts,
    requested_by: view.requestedBy ?? null,
    last_error: view.lastError ?? null,
    next_attempt_at: iso(view.nextAttemptAt),
    description: view.description
      ? {
          provider: view.description.provider,
          model: view.description.model,
          created_at: iso(view.description.createdAt),
          flagged: view.description.flagged,
          json: view.description.json ?? null,
          raw_text: view.description.rawText ?? null,
        }
      : null,
  };
}
