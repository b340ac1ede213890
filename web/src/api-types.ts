/** The wire format of docs/api.md, as decoders; the types follow from them. */
import { array, isoTime, number, object, optional, record, string, type Infer } from './decode.ts';

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
  frame_size: optional(object({ width: number, height: number }), null),
  score: optional(number, undefined),
});
export type VigilEvent = Infer<typeof vigilEvent>;

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
  answer: optional(object({ text: string, language: optional(string, undefined) }), null),
  missing_info: optional(array(string), []),
  timeline: optional(timeline, null),
  total: number,
  events: array(vigilEvent),
});
export type SearchResponse = Infer<typeof searchResponse>;
export type Interpretation = SearchResponse['interpretation'];

export const errorBody = object({
  error: object({ code: string, message: string, details: optional(array((v) => v), []) }),
});
