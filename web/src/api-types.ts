/** The wire format of docs/api.md, as decoders; the types follow from them. */
import { array, boolean, isoTime, lenient, number, object, optional, record, string, type Decoder, type Infer } from './decode.ts';

export const EVENT_TYPES = ['line_crossing', 'intrusion', 'loitering', 'object_seen'] as const;

const localizedText = object({ en: string, zh_hant: string, zh_hans: optional(string, undefined) });
export type LocalizedText = Infer<typeof localizedText>;

const box = object({ x1: number, y1: number, x2: number, y2: number });

const evidence = object({
  kind: string,
  time: isoTime,
  frame_index: optional(number, undefined),
  track_id: optional(string, undefined),
  box: optional(box, undefined),
  score: optional(number, undefined),
  text: localizedText,
  /** Only on a single event (`GET /api/events/:id`): the kept full frame, or null. */
  frame_url: optional(string, null),
});
export type Evidence = Infer<typeof evidence>;

export const vigilEvent = object({
  id: string,
  camera: string,
  camera_name: optional(string, undefined),
  // Kept as a string: a type this UI does not know yet still shows, with a neutral colour.
  type: string,
  rule: optional(string, undefined),
  status: optional(string, undefined),
  start: isoTime,
  end: isoTime,
  labels: optional(array(string), []),
  actors: optional(array(object({ track_id: string, label: string, family: optional(string, undefined) })), []),
  summary: localizedText,
  evidence: optional(array(evidence), []),
  snapshot_url: optional(string, null),
  thumbnails: optional(record(string), {} as Record<string, string>),
  clip_frames: optional(array(string), []),
  frame_size: optional(object({ width: number, height: number }), null),
  score: optional(number, undefined),
});
export type VigilEvent = Infer<typeof vigilEvent>;

/** A camera that `vigil serve` runs live: its connection, rates and troubles (docs/api.md, `GET /api/cameras`). */
const liveState = object({
  /** `connecting`, `streaming`, `waiting` (between attempts), `stopped`; kept as a string: a new one still shows. */
  status: string,
  connected: optional(boolean, false),
  /** Over the last 10 s. */
  input_fps: optional(number, 0),
  processed_fps: optional(number, 0),
  frames_in: optional(number, 0),
  frames_processed: optional(number, 0),
  /** Dropped because detection fell behind (the queue was full). */
  frames_dropped: optional(number, 0),
  queue_depth: optional(number, 0),
  reconnects: optional(number, 0),
  last_frame_at: optional(isoTime, null),
  connected_since: optional(isoTime, null),
  last_error: optional(string, null),
  last_error_at: optional(isoTime, null),
  next_attempt_at: optional(isoTime, null),
});
export type LiveState = Infer<typeof liveState>;

/**
 * What a live state this UI cannot read becomes: the camera still shows (as "unknown"), and the
 * search page, which needs only the camera list, keeps working.
 */
const UNREADABLE_LIVE: LiveState = {
  status: 'unknown',
  connected: false,
  input_fps: 0,
  processed_fps: 0,
  frames_in: 0,
  frames_processed: 0,
  frames_dropped: 0,
  queue_depth: 0,
  reconnects: 0,
  last_frame_at: null,
  connected_since: null,
  last_error: null,
  last_error_at: null,
  next_attempt_at: null,
};

export const camerasResponse = object({
  cameras: array(
    object({
      id: string,
      name: optional(string, undefined),
      timezone: optional(string, undefined),
      zones: optional(array(string), []),
      tripwires: optional(array(string), []),
      events: optional(number, 0),
      first_event: optional(isoTime, null),
      last_event: optional(isoTime, null),
      analysed_until: optional(isoTime, null),
      /** Null: the camera is not run live (a file, or a stream with live turned off). */
      live: optional(lenient(liveState, UNREADABLE_LIVE), null),
    }),
  ),
});
export type Camera = Infer<typeof camerasResponse>['cameras'][number];

const timelineEvent = object({ id: string, type: string, start: isoTime, end: isoTime });
export type TimelineEvent = Infer<typeof timelineEvent>;

const timeline = object({
  from: optional(isoTime, null),
  to: optional(isoTime, null),
  lanes: array(object({ camera: string, camera_name: optional(string, undefined), events: array(timelineEvent) })),
});
export type Timeline = Infer<typeof timeline>;

export const searchResponse = object({
  query: optional(string, ''),
  interpretation: object({
    from: optional(isoTime, null),
    to: optional(isoTime, null),
    time_text: optional(string, null),
    cameras: optional(array(string), []),
    types: optional(array(string), []),
    labels: optional(array(string), []),
    concepts: optional(array(string), []),
    terms: optional(array(string), []),
    language: optional(string, undefined),
  }),
  answer: optional(
    object({
      text: string,
      language: optional(string, undefined),
      /** True when a language model wrote `text`; false for the deterministic answer. */
      generated: optional(boolean, false),
      /** Why the model's answer was not used (the deterministic one is shown instead). */
      fallback_reason: optional(string, null),
      model: optional(string, null),
      /** Event ids the generated answer rests on. */
      cited: optional(array(string), []),
      timeline: optional(array(object({ event_id: string, time: string, what: string })), []),
    }),
    null,
  ),
  missing_info: optional(array(string), []),
  timeline: optional(timeline, null),
  total: number,
  /** False when `total` is a lower bound: more events match than were counted. */
  total_exact: optional(boolean, true),
  events: array(vigilEvent),
});
export type SearchResponse = Infer<typeof searchResponse>;
export type Interpretation = SearchResponse['interpretation'];

/** What a vision model wrote about an event (docs/api.md, `description.description.json`). */
const descriptionJson = object({
  scene: optional(string, ''),
  actions: optional(array(string), []),
  attributes: optional(
    object({
      people: optional(
        array(
          object({
            id: optional(string, undefined),
            clothing_colors: optional(array(string), []),
            clothing: optional(string, undefined),
            carrying: optional(array(string), []),
          }),
        ),
        [],
      ),
      vehicles: optional(array(object({ id: optional(string, undefined), type: optional(string, undefined), color: optional(string, undefined) })), []),
    }),
    { people: [], vehicles: [] },
  ),
  suspicion: optional(object({ score: number, reasons: optional(array(string), []) }), null),
  uncertain: optional(array(string), []),
  summaries: optional(
    object({ en: optional(string, undefined), 'zh-Hant': optional(string, undefined), 'zh-Hans': optional(string, undefined) }),
    {} as { en?: string; 'zh-Hant'?: string; 'zh-Hans'?: string },
  ),
});
export type DescriptionJson = Infer<typeof descriptionJson>;

const INVALID = Symbol('invalid');

const storedDescription: Decoder<{
  provider: string;
  model: string;
  created_at: string | null;
  flagged: boolean;
  json: DescriptionJson | null;
  raw_text: string | null;
}> = (v, path) => {
  const base = object({
    provider: optional(string, ''),
    model: optional(string, ''),
    created_at: optional(isoTime, null),
    flagged: optional(boolean, false),
    raw_text: optional(string, null),
  })(v, path);
  const rawJson = (v as { json?: unknown }).json;
  const json = rawJson === undefined || rawJson === null ? null : lenient(descriptionJson, INVALID)(rawJson, `${path}.json`);
  // A JSON this UI cannot read is shown like invalid output: as the text it is, flagged.
  if (json === INVALID) return { ...base, flagged: true, json: null, raw_text: base.raw_text ?? JSON.stringify(rawJson, null, 2) };
  return { ...base, json };
};

export const descriptionState = object({
  /** `none`, `queued`, `running`, `done`, `failed` (kept as a string: a new one still shows). */
  status: string,
  attempts: optional(number, 0),
  requested_by: optional(string, null),
  last_error: optional(string, null),
  next_attempt_at: optional(isoTime, null),
  description: optional(storedDescription, null),
});
export type DescriptionState = Infer<typeof descriptionState>;
export type StoredDescription = NonNullable<DescriptionState['description']>;

/** `GET /api/events/:id`: the event and its description state (null: no descriptions model is configured). */
export const eventDetail: Decoder<VigilEvent & { description: DescriptionState | null }> = (v, path) => ({
  ...vigilEvent(v, path),
  description: optional(descriptionState, null)((v as { description?: unknown }).description, path ? `${path}.description` : 'description'),
});
export type EventDetail = Infer<typeof eventDetail>;

export const errorBody = object({
  error: object({ code: string, message: string, details: optional(array((v) => v), []) }),
});
