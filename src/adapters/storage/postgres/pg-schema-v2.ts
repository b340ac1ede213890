/**
 * PostgreSQL schema version 2: each event's labels as a `text[]` column (`labels`, generated from
 * labels_json) with a GIN index, in place of the GIN expression index on `labels_json::jsonb`,
 * a covering index in time order for searches without words, and the search document kept in the row.
 *
 * Why: a label filter that keeps many events (every "person" event of a type, say) is answered
 * from a bitmap whose rows PostgreSQL re-checks one by one; with the expression index each
 * re-check parsed the row's labels_json into jsonb again (about 140 ms for the loitering events
 * of 1M), with the array it compares a few short strings (about 45 ms). The column is generated,
 * so no writer can let it drift from labels_json.
 *
 * Adding a stored generated column rewrites the events table once, under the migration lock: the
 * first start of this version took 99 s on a store of 1M events on the 2-core development machine.
 */
export const SCHEMA_V2 = {
  name: 'labels as a text[] column with a GIN index, for label filters',
  statements: [
    // IMMUTABLE (as a generated column requires): the same text always gives the same labels.
    `CREATE FUNCTION vigil_labels(labels_json TEXT) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT ARRAY(SELECT jsonb_array_elements_text(labels_json::jsonb))
    $$`,
    // The search document stays in the row (compressed if need be, moved out only as a last
    // resort): every ranked or rechecked match reads it, while the large JSON columns, read only
    // for the events shown, go to TOAST first. Set before the rewrite below, which applies it to
    // every stored row. At 1M events a match's search document out of line cost 2-3 extra page
    // reads (the bitmap scan of 1,218 matches: 11,187 pages read -> 3,630).
    `ALTER TABLE events ALTER COLUMN search SET STORAGE MAIN`,
    `ALTER TABLE events ADD COLUMN labels TEXT[] GENERATED ALWAYS AS (vigil_labels(labels_json)) STORED`,
    `CREATE INDEX events_by_label_set ON events USING GIN (labels)`,
    `DROP INDEX events_by_labels`,
    // Questions with filters but no words ("person loitering", a camera's last week) list the
    // newest matches and count them up to the cap: in time order, from this index alone (an
    // index-only scan, where the visibility map allows, checking every filter on the entry)
    // instead of the wide event rows. 86 ms -> 25 ms for the loitering people of 1M events.
    `CREATE INDEX events_by_time_covering ON events (start_ms) INCLUDE (rowid, id, camera_id, type, end_ms, labels)`,
  ],
} as const;
