import type { CrossingFilter } from '../../ports/search-store.ts';

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
