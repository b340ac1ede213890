/**
 * SQL conditions on an event's JSON facts (details, actors) for both backends, on the events
 * alias `e`: they differ only in how they read JSON, which each backend passes in.
 */
import type { CrossingFilter, StayFilter } from '../../ports/search-store.ts';

/**
 * The SQL condition "a line crossing that went one of these ways" on the events alias `e`, for
 * both backends: they differ only in how they read a field of `details_json` (`field`), and
 * every value goes through `bind`, which returns its placeholder. The event's `details` says
 * `direction` (a_to_b / b_to_a) and, where the tripwire says which way is in, `inbound`.
 */
export function crossingCondition(
  filters: readonly CrossingFilter[],
  bind: (value: string) => string,
  field: (name: 'inbound' | 'direction') => string,
): string {
  const any = filters.map((f) =>
    'inbound' in f
      ? `${field('inbound')} = ${bind(String(f.inbound))}`
      : `(e.camera_id = ${bind(f.cameraId)} AND e.rule = ${bind(f.rule)} AND ${field('direction')} = ${bind(f.direction)})`,
  );
  return `(e.type = 'line_crossing' AND (${any.join(' OR ')}))`;
}

/** SQLite: JSON fields as text ('true' / 'false' for a boolean), so that one binding fits both backends. */
export const sqliteDetailsField = (name: 'inbound' | 'direction') =>
  name === 'inbound'
    ? `(CASE json_extract(e.details_json, '$.inbound') WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)`
    : `json_extract(e.details_json, '$.direction')`;

/** PostgreSQL: `->>` gives a JSON boolean as 'true' / 'false'. */
export const pgDetailsField = (name: 'inbound' | 'direction') => `(e.details_json::jsonb ->> '${name}')`;

const COMPARE = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * "Someone in the event stayed longer than N seconds" (or another comparison): any actor's own
 * stay (`staySeconds`), or the event's span for events stored before stays were kept. Crossings
 * have no stay and never pass. `actorStays` is the backend's set of (stay, label) rows of
 * `e.actors_json`; `actorLabelTest`, a test of `a.label`, keeps to the actors asked about (a
 * person's stay, not the car's beside them, when the question is about people).
 */
export function stayCondition(stay: StayFilter, bind: (value: number) => string, actorStays: string, actorLabelTest?: string): string {
  const ofLabel = actorLabelTest ? ` AND ${actorLabelTest}` : '';
  return `(e.type <> 'line_crossing' AND EXISTS (SELECT 1 FROM ${actorStays} WHERE COALESCE(a.stay, (e.end_ms - e.start_ms) / 1000.0) ${COMPARE[stay.op]} ${bind(stay.seconds)}${ofLabel}))`;
}

/** SQLite: each actor's stay as rows of `a.stay`. */
export const SQLITE_ACTOR_STAYS = `(SELECT json_extract(j.value, '$.staySeconds') AS stay, json_extract(j.value, '$.label') AS label FROM json_each(e.actors_json) j) a`;

/** PostgreSQL: each actor's stay as rows of `a.stay`. */
export const PG_ACTOR_STAYS = `(SELECT (j ->> 'staySeconds')::float8 AS stay, j ->> 'label' AS label FROM jsonb_array_elements(e.actors_json::jsonb) j) a`;

/** "Several people together": at least `n` actors in the event. `actorCount` is the backend's length of `e.actors_json`. */
export function togetherCondition(n: number, bind: (value: number) => string, actorCount: string): string {
  return `${actorCount} >= ${bind(n)}`;
}

export const SQLITE_ACTOR_COUNT = 'json_array_length(e.actors_json)';
export const PG_ACTOR_COUNT = 'jsonb_array_length(e.actors_json::jsonb)';
