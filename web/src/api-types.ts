/**
 * The wire format of docs/api.md, as the UI reads it: the server's own schemas (src/contract), with
 * the UI's leniency added where a part of a response must not sink the whole page. What the UI
 * believes about a response is what it checked; unknown fields are dropped.
 */
import { z } from 'zod';
import {
  camerasResponseSchema,
  cameraSchema,
  descriptionJsonSchema,
  descriptionStateSchema,
  errorBodySchema,
  eventDetailSchema,
  gatewayUsageSchema,
  liveStateSchema,
  searchResponseSchema,
  storedDescriptionSchema,
  workersResponseSchema,
  type eventSchema,
  type evidenceSchema,
  type localizedTextSchema,
  type searchTimelineSchema,
} from '../../src/contract/api.schemas.ts';

export { EVENT_TYPES } from '../../src/domain/events/event-types.ts';
export { errorBodySchema };

export type LocalizedText = z.output<typeof localizedTextSchema>;
export type Evidence = z.output<typeof evidenceSchema>;
export type VigilEvent = z.output<typeof eventSchema>;
export type LiveState = z.output<typeof liveStateSchema>;
export type DescriptionJson = z.output<typeof descriptionJsonSchema>;

/**
 * What a live state this UI cannot read becomes: the camera still shows (as "unknown"), and the
 * search page, which needs only the camera list, keeps working.
 */
export const UNREADABLE_LIVE: LiveState = {
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

const lenientCamera = cameraSchema.extend({ live: liveStateSchema.nullable().catch(UNREADABLE_LIVE) });
export const camerasResponse = camerasResponseSchema.extend({ cameras: z.array(lenientCamera) });
export type Camera = z.output<typeof lenientCamera>;

/**
 * A description whose JSON this UI cannot read is shown like invalid model output: as the text it
 * is, flagged, so that the rest of the event page still shows.
 */
const lenientStoredDescription = storedDescriptionSchema.extend({ json: z.unknown() }).transform((d) => {
  if (d.json === null || d.json === undefined) return { ...d, json: null };
  const parsed = descriptionJsonSchema.safeParse(d.json);
  if (parsed.success) return { ...d, json: parsed.data };
  return { ...d, flagged: true, json: null, raw_text: d.raw_text ?? JSON.stringify(d.json, null, 2) };
});
export type StoredDescription = z.output<typeof lenientStoredDescription>;

export const descriptionState = descriptionStateSchema.extend({ description: lenientStoredDescription.nullable() });
export type DescriptionState = z.output<typeof descriptionState>;

export const eventDetail = eventDetailSchema.extend({ description: descriptionState.nullable() });
export type EventDetail = z.output<typeof eventDetail>;

export const searchResponse = searchResponseSchema;
export type SearchResponse = z.output<typeof searchResponse>;
export type Interpretation = SearchResponse['interpretation'];
export type Timeline = z.output<typeof searchTimelineSchema>;
export type TimelineEvent = Timeline['lanes'][number]['events'][number];

export const gatewayUsage = gatewayUsageSchema;
export type GatewayUsage = z.output<typeof gatewayUsage>;
export type GatewayKeyInfo = GatewayUsage['keys'][number];
export type GatewayUsageTotal = GatewayUsage['totals'][number];

export const workersResponse = workersResponseSchema;
export type WorkersResponse = z.output<typeof workersResponse>;
export type WorkerInfo = WorkersResponse['workers'][number];
export type CameraHolding = WorkersResponse['cameras'][number];
