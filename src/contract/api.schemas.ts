/**
 * The wire contract of the HTTP API (docs/api.md), defined once. The server's presenters return
 * `z.input` of these schemas (a field added or renamed on one side only is a type error), the
 * OpenAPI document is generated from them, the web client and the API tests parse responses with
 * them. Imports only zod, so that the server, the browser bundle and the tests can all load it.
 *
 * Strings that name a kind (event type, evidence kind, statuses) are open on purpose: a client
 * built before a new kind was added still reads the response and shows the kind as it is.
 */
import { z } from 'zod';

/** Every schema that the OpenAPI document names, under the name it has there. */
export const apiRegistry = z.registry<{ id: string }>();

const byId = new Map<string, z.ZodType>();

function named<T extends z.ZodType>(id: string, schema: T): T {
  apiRegistry.add(schema as z.ZodType, { id });
  byId.set(id, schema);
  return schema;
}

/** The schema that the OpenAPI document calls `id` (`#/components/schemas/<id>`), for tests and tools. */
export function apiSchema(id: string): z.ZodType | undefined {
  return byId.get(id);
}

export function apiSchemaIds(): string[] {
  return [...byId.keys()];
}

/** An instant as the API writes it: ISO 8601 in UTC (`2026-11-20T21:05:15.000Z`). */
const instant = z.iso.datetime({ offset: true });
const openKind = (known: readonly string[]) => z.string().meta({ description: `One of ${known.map((k) => `\`${k}\``).join(', ')} (new kinds may be added).` });

export const localizedTextSchema = named('LocalizedText', z.object({ en: z.string(), zh_hant: z.string(), zh_hans: z.string() }));

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

export const evidenceSchema = named(
  'Evidence',
  z.object({
    kind: openKind(['crossing', 'zone_enter', 'zone_exit', 'loitering_confirmed', 'best_view', 'first_seen', 'last_seen', 'track_lost']),
    time: instant,
    frame_index: z.number().int(),
    track_id: z.string(),
    box: boxSchema,
    score: z.number(),
    text: localizedTextSchema,
    /** Only on a single event (`GET /api/events/:id`): the kept full frame, or null. */
    frame_url: z.string().nullable().optional(),
  }),
);

export const eventSchema = named(
  'Event',
  z.object({
    id: z.string(),
    camera: z.string(),
    camera_name: z.string(),
    type: openKind(['line_crossing', 'intrusion', 'loitering', 'object_seen']),
    /** Zone or tripwire name; the label for object_seen. */
    rule: z.string(),
    status: openKind(['open', 'closed']),
    start: instant,
    end: instant,
    labels: z.array(z.string()),
    /** `stay_seconds`: this actor's own stay in a zone event or in view (null for crossings and older events). */
    actors: z.array(z.object({ track_id: z.string(), label: z.string(), family: z.string(), stay_seconds: z.number().nullable() })),
    summary: localizedTextSchema,
    keywords: z.array(z.string()),
    details: z.object({
      direction: z.enum(['a_to_b', 'b_to_a']).optional(),
      inbound: z.boolean().optional(),
      dwell_seconds: z.number().optional(),
      average_speed_px_per_second: z.number().optional(),
      midline_crossings: z.number().optional(),
    }),
    evidence: z.array(evidenceSchema),
    snapshot_url: z.string().nullable(),
    /** Best view of each actor, by track id. */
    thumbnails: z.record(z.string(), z.string()),
    /** Frames taken from the event's recording (Frigate), in time order. */
    clip_frames: z.array(z.string()),
    frame_size: z.object({ width: z.number(), height: z.number() }).nullable(),
    /** Search relevance; only in search results. */
    score: z.number().optional(),
  }),
);

export const eventsPageSchema = named('EventsPage', z.object({ total: z.number().int(), events: z.array(eventSchema) }));

/** What a vision model wrote about an event (checked by the server before it was stored). */
export const descriptionJsonSchema = named(
  'DescriptionJson',
  z.object({
    scene: z.string(),
    actions: z.array(z.string()),
    attributes: z.object({
      people: z
        .array(
          z.object({
            /** Vigil's track id (p3) when the model could tell which person it is. */
            id: z.string().optional(),
            clothing_colors: z.array(z.string()).default([]),
            clothing: z.string().optional(),
            carrying: z.array(z.string()).default([]),
          }),
        )
        .default([]),
      vehicles: z.array(z.object({ id: z.string().optional(), type: z.string().optional(), color: z.string().optional() })).default([]),
    }),
    suspicion: z.object({ score: z.number(), reasons: z.array(z.string()) }),
    uncertain: z.array(z.string()),
    summaries: z.object({ en: z.string().optional(), 'zh-Hant': z.string().optional(), 'zh-Hans': z.string().optional() }),
    truncated: z.array(z.string()).optional().meta({ description: 'Fields the model wrote longer than their cap, cut to it (e.g. `scene`).' }),
  }),
);

export const storedDescriptionSchema = named(
  'StoredDescription',
  z.object({
    provider: z.string(),
    model: z.string(),
    created_at: instant.nullable(),
    /** True when the model's output stayed invalid after a repair: only `raw_text` is there. */
    flagged: z.boolean(),
    json: descriptionJsonSchema.nullable(),
    raw_text: z.string().nullable(),
  }),
);

export const descriptionStateSchema = named(
  'DescriptionState',
  z.object({
    status: openKind(['none', 'queued', 'running', 'done', 'failed']),
    attempts: z.number().int(),
    requested_by: z.string().nullable().meta({ description: '`manual` or `auto`; null when never requested.' }),
    last_error: z.string().nullable(),
    next_attempt_at: instant.nullable(),
    description: storedDescriptionSchema.nullable(),
  }),
);

/** `GET /api/events/:id`: the event, and its description state (null: no descriptions model is configured). */
export const eventDetailSchema = named('EventDetail', eventSchema.extend({ description: descriptionStateSchema.nullable() }));

/** A camera that `vigil serve` runs live: its connection, rates and troubles. */
export const liveStateSchema = named(
  'LiveState',
  z.object({
    status: openKind(['connecting', 'streaming', 'waiting', 'stopped']),
    connected: z.boolean(),
    /** Over the last 10 s. */
    input_fps: z.number(),
    processed_fps: z.number(),
    frames_in: z.number().int(),
    frames_processed: z.number().int(),
    /** Dropped because detection fell behind (the queue was full). */
    frames_dropped: z.number().int(),
    queue_depth: z.number().int(),
    reconnects: z.number().int(),
    last_frame_at: instant.nullable(),
    connected_since: instant.nullable(),
    last_error: z.string().nullable(),
    last_error_at: instant.nullable(),
    next_attempt_at: instant.nullable(),
  }),
);

export const cameraSchema = named(
  'Camera',
  z.object({
    id: z.string(),
    name: z.string(),
    aliases: z.array(z.string()),
    timezone: z.string(),
    zones: z.array(z.string()),
    tripwires: z.array(z.string()),
    events: z.number().int(),
    first_event: instant.nullable(),
    last_event: instant.nullable(),
    analysed_until: instant.nullable(),
    /** Null: the camera is not run live (a file, or a stream with live turned off). */
    live: liveStateSchema.nullable(),
    /** Frigate's `frigate/events` for this camera since Vigil started; absent when none came (or no Frigate). */
    frigate: z
      .object({
        messages: z.object({ new: z.number().int(), update: z.number().int(), end: z.number().int() }),
        /** Objects first heard of in an update (its `new` lost) or at their end (`new` and updates lost). */
        gaps: z.object({ update_without_new: z.number().int(), end_without_new: z.number().int() }),
        last_message_at: instant.nullable(),
      })
      .optional(),
    /** Automatic descriptions skipped since start because too many of this camera's were waiting (the newest are kept). */
    descriptions_dropped: z.number().int().optional(),
  }),
);

export const camerasResponseSchema = named('CamerasResponse', z.object({ cameras: z.array(cameraSchema) }));

const timelineEventSchema = z.object({ id: z.string(), type: z.string(), start: instant, end: instant });

export const searchTimelineSchema = named(
  'SearchTimeline',
  z.object({
    from: instant.nullable(),
    to: instant.nullable(),
    lanes: z.array(z.object({ camera: z.string(), camera_name: z.string(), events: z.array(timelineEventSchema) })),
  }),
);

const language = z.enum(['en', 'zh-Hant', 'zh-Hans']);

export const searchResponseSchema = named(
  'SearchResponse',
  z.object({
    query: z.string(),
    /** For a question that asks how many: `times` (each crossing, entry or sighting) or `actors` (each person or object once); `exact` false: at least `value`. */
    count: z.object({ kind: z.enum(['times', 'actors']), value: z.number(), exact: z.boolean() }).nullable(),
    interpretation: z.object({
      from: instant.nullable(),
      to: instant.nullable(),
      time_text: z.string().nullable(),
      time_notes: z.array(z.string()),
      /** Time words of the question that could not be read; when any, nothing was searched. */
      unread_time: z.array(z.string()),
      /** Places the question names that no camera, zone or line is called and no event mentions; when any, nothing was found. */
      unknown_places: z.array(z.string()),
      cameras: z.array(z.string()),
      types: z.array(z.string()),
      labels: z.array(z.string()),
      /** How long someone stayed, when the question says so: each person's own stay compared with `seconds`. */
      stay: z.object({ op: z.enum(['gt', 'gte', 'lt', 'lte']), seconds: z.number() }).nullable(),
      /** At least this many people or objects in one event ("together", 一起, "a group of 3"). */
      min_actors: z.number().nullable(),
      /** One event at an end of the matches ("the earliest arrival", 最晚, "the longest stay"); the response then holds that one. */
      extreme: z.enum(['earliest', 'latest', 'longest', 'shortest']).nullable(),
      /** Which way the crossings asked about went (any of these): inbound / outbound, or one tripwire's direction between its named sides. */
      directions: z.array(
        z.union([z.object({ inbound: z.boolean() }), z.object({ camera: z.string(), rule: z.string(), direction: z.enum(['a_to_b', 'b_to_a']) })]),
      ),
      concepts: z.array(z.string()),
      terms: z.array(z.string()),
      language,
      retrieval: z.enum(['keyword', 'hybrid']),
      retrieval_note: z.string().nullable(),
    }),
    answer: z.object({
      text: z.string(),
      language,
      /** True when a language model wrote `text`; false for the deterministic answer. */
      generated: z.boolean(),
      /** Why the model's answer was not used (the deterministic one is shown instead). */
      fallback_reason: z.string().optional(),
      model: z.string().optional(),
      /** Event ids the generated answer rests on. */
      cited: z.array(z.string()),
      timeline: z.array(z.object({ event_id: z.string(), time: z.string(), what: z.string() })),
    }),
    missing_info: z.array(z.string()),
    timeline: searchTimelineSchema,
    /** Matching events up to 10,000; `total_exact` is false when more match. */
    total: z.number().int(),
    total_exact: z.boolean(),
    events: z.array(eventSchema),
  }),
);

export const healthSchema = named(
  'Health',
  z.object({ status: z.literal('ok'), version: z.string(), events: z.number().int(), cameras: z.number().int() }),
);

/** `POST /api/analyze`, `GET /api/analyze/latest/:image_name` and the `image_analyzed` stream event. */
export const imageAnalysisSchema = named(
  'ImageAnalysis',
  z.object({
    instance: z.string(),
    image_name: z.string(),
    image_url: z.string().nullable(),
    prompt: z.string(),
    description: z.string(),
    used_text_model: z.boolean(),
    text_prompt: z.string().nullable(),
    final_description: z.string(),
    created_at: instant,
    model: z.string(),
    text_model: z.string().nullable(),
  }),
);

const latencySchema = z.object({
  count: z.number(),
  sumMs: z.number(),
  meanMs: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  window: z.number(),
});

const callCountersSchema = z.object({
  calls: z.number(),
  successes: z.number(),
  /** Calls that finally failed, by error code. */
  failures: z.record(z.string(), z.number()),
  attempts: z.number(),
  retries: z.number(),
  tokens: z.object({ input: z.number(), output: z.number() }),
  latency: latencySchema,
  queued: z.number(),
  inFlight: z.number(),
});

export const providerStatsSchema = named(
  'ProviderStats',
  z.object({
    provider: z.string(),
    kind: z.string(),
    model: z.string(),
    concurrency: z.number(),
    maxQueued: z.number(),
    inFlight: z.number(),
    queued: z.object({ interactive: z.number(), background: z.number(), total: z.number() }),
    backingOff: z.number(),
    circuit: z.object({ state: z.enum(['closed', 'open', 'half_open']), consecutiveFailures: z.number(), retryAfterMs: z.number(), opens: z.number() }),
    totals: callCountersSchema,
    cameras: z.record(z.string(), callCountersSchema),
    fallback: z
      .object({ provider: z.string(), handedOver: z.number() })
      .optional()
      .meta({ description: 'The provider asked when this one is down, and how many calls were handed over to it.' }),
  }),
);

export const embeddingStatsSchema = named(
  'EmbeddingStats',
  z.object({
    embeddings: z.object({
      provider: z.string(),
      model: z.string(),
      index: z.object({ model: z.string(), dimension: z.number(), count: z.number() }).optional(),
      jobs: z.record(z.string(), z.number()),
    }),
  }),
);

export const genaiStatsSchema = named('GenaiStats', z.object({ providers: z.array(z.union([providerStatsSchema, embeddingStatsSchema])) }));

/** The durable job queue per kind (docs/api.md, `GET /api/jobs`): the same state as `vigil jobs` and /metrics. */
export const jobsStatusSchema = named(
  'JobsStatus',
  z.object({
    kinds: z.array(
      z.object({
        kind: z.string().meta({ description: '`describe_event`, `embed_event`, `frigate_ingest`, `frigate_write_description`.' }),
        queued: z.number(),
        running: z.number(),
        failed: z.number(),
        done: z.number(),
        oldest_due_age_s: z.number().nullable().meta({ description: 'How long the longest-waiting due job has waited; null when none is due.' }),
        recent_failures: z.array(
          z.object({
            key: z.string(),
            event_id: z.string().nullable(),
            status: z.string().meta({ description: '`failed` for good, or `queued` for another try at `next_attempt_at`.' }),
            attempts: z.number(),
            error: z.string(),
            at: instant,
            next_attempt_at: instant.nullable(),
          }),
        ),
      }),
    ),
  }),
);

const gatewayCounts = {
  requests: z.number(),
  failures: z.number().meta({ description: 'Requests that failed or were refused (limits, unknown model, backend errors, clients that left).' }),
  input_tokens: z.number(),
  output_tokens: z.number(),
};

/** The model gateway's keys and their usage (docs/api.md, `GET /api/gateway/usage`): the same figures as `vigil keys usage`. */
export const gatewayUsageSchema = named(
  'GatewayUsage',
  z.object({
    enabled: z.boolean().meta({ description: 'Whether `vigil serve` serves the gateway (`gateway.enabled`); keys and past usage are listed either way.' }),
    from_day: z.string().meta({ description: 'First UTC day covered (YYYY-MM-DD).' }),
    to_day: z.string(),
    keys: z.array(
      z.object({
        name: z.string(),
        prefix: z.string().meta({ description: 'The first characters of the secret; the secret itself is never shown again.' }),
        created_at: instant,
        last_used_at: instant.nullable(),
        revoked_at: instant.nullable(),
        active: z.number().meta({ description: 'Requests of the key running now.' }),
        limits: z.object({
          models: z.array(z.string()).nullable(),
          requests_per_minute: z.number().nullable(),
          concurrent_requests: z.number().nullable(),
          tokens_per_day: z.number().nullable(),
          max_context_tokens: z.number().nullable(),
          max_output_tokens: z.number().nullable(),
          priority: z.string().meta({ description: '`interactive` or `background`.' }),
        }),
      }),
    ),
    totals: z.array(
      z.object({
        key: z.string(),
        model: z.string().meta({ description: 'The model name the client asked for.' }),
        ...gatewayCounts,
        mean_queue_wait_ms: z.number(),
        mean_latency_ms: z.number(),
      }),
    ),
    days: z.array(z.object({ day: z.string(), key: z.string(), model: z.string(), ...gatewayCounts })),
  }),
);

/**
 * The Vigil processes sharing the storage and which of them runs which live camera (docs/api.md,
 * `GET /api/workers`). Ages and lease times are relative to the answering server's clock, so that a
 * client's own clock does not matter (the workers' clocks may differ from it too).
 */
export const workersResponseSchema = named(
  'WorkersResponse',
  z.object({
    lease_seconds: z.number().meta({ description: 'How long a lease runs without renewal (`workers.lease_s`); a worker whose heartbeat is older is not listed.' }),
    workers: z.array(
      z.object({
        id: z.string().meta({ description: 'Unique per process: host, pid and a random part.' }),
        host: z.string(),
        pid: z.number().int(),
        role: openKind(['serve', 'worker']),
        started_at: instant,
        heartbeat_age_ms: z.number().int(),
        runs_cameras: z.boolean().meta({ description: 'False for `vigil serve --no-cameras`, which only reports.' }),
        cameras: z.array(
          z.object({
            camera: z.string(),
            generation: z.number().int().meta({ description: 'Raised by every takeover of the camera.' }),
            lease_expires_in_ms: z.number().int().meta({ description: 'Until the lease runs out unless renewed (a holder renews it every third of `lease_seconds`).' }),
            frames_processed: z.number().int(),
            frames_dropped: z.number().int(),
            processed_fps: z.number(),
          }),
        ),
      }),
    ),
    cameras: z.array(
      z.object({
        camera: z.string(),
        holder: z.string().nullable().meta({ description: 'The worker holding the lease, or that held it last when it `expired`; null when `unassigned`.' }),
        state: openKind(['held', 'expired', 'unassigned']),
      }),
    ),
  }),
);

/** Every error, whatever the endpoint (docs/api.md, "Errors"). */
export const errorBodySchema = named(
  'ErrorBody',
  z.object({
    error: z.object({
      code: z.string().meta({ description: 'A stable code, e.g. `invalid_argument`, `not_found`, `unauthorized`, `decode_failed`.' }),
      message: z.string(),
      details: z.array(z.string()),
    }),
  }),
);

export type EventWire = z.input<typeof eventSchema>;
export type EventsPageWire = z.input<typeof eventsPageSchema>;
export type EventDetailWire = z.input<typeof eventDetailSchema>;
export type DescriptionStateWire = z.input<typeof descriptionStateSchema>;
export type LiveStateWire = z.input<typeof liveStateSchema>;
export type CameraWire = z.input<typeof cameraSchema>;
export type CamerasResponseWire = z.input<typeof camerasResponseSchema>;
export type SearchResponseWire = z.input<typeof searchResponseSchema>;
export type HealthWire = z.input<typeof healthSchema>;
export type ImageAnalysisWire = z.input<typeof imageAnalysisSchema>;
export type GenaiStatsWire = z.input<typeof genaiStatsSchema>;
export type ErrorBodyWire = z.input<typeof errorBodySchema>;
export type JobsStatusWire = z.input<typeof jobsStatusSchema>;
export type GatewayUsageWire = z.input<typeof gatewayUsageSchema>;
export type WorkersResponseWire = z.input<typeof workersResponseSchema>;
