/**
 * Schema v1, events: events with their search document, labels, facet counts, event stats,
 * descriptions and the camera names events were indexed with (SQLite migrations 2, 3, 5, 7, 8,
 * 10 and 12). See pg-schema-v1.ts for how it differs from SQLite.
 */

/**
 * `ts_rank` weights for the search document, in PostgreSQL's order {D, C, B, A} = description,
 * names, keywords, summary: SQLite's BM25 weights 1 : 2 : 2 : 3, scaled into ts_rank's 0..1.
 */
export const SEARCH_RANK_WEIGHTS = '{0.3333, 0.6667, 0.6667, 1.0}';

export const EVENTS_STATEMENTS: readonly string[] = [
  `CREATE TABLE events (
    id               TEXT PRIMARY KEY,
    -- SQLite's implicit rowid made explicit: labels and vectors refer to it, and it orders events
    -- by when they were first stored. Never reused, never changed by an upsert.
    rowid            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    run_id           BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    camera_id        TEXT NOT NULL,
    type             TEXT NOT NULL,
    rule             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    start_ms         BIGINT NOT NULL,
    end_ms           BIGINT NOT NULL,
    start_frame      BIGINT NOT NULL,
    end_frame        BIGINT NOT NULL,
    labels_json      TEXT NOT NULL,
    actors_json      TEXT NOT NULL,
    evidence_json    TEXT NOT NULL,
    details_json     TEXT NOT NULL,
    summary_en       TEXT NOT NULL,
    summary_zh_hant  TEXT NOT NULL,
    keywords         TEXT NOT NULL,
    snapshot_frame   BIGINT NOT NULL,
    snapshot_path    TEXT,
    thumbnails_json  TEXT NOT NULL DEFAULT '{}',
    clip_frames_json TEXT NOT NULL DEFAULT '[]',
    -- The full-text document (vigil_search_document); NULL until the event is indexed.
    search           TSVECTOR
  )`,
  `CREATE INDEX events_by_camera_time ON events (camera_id, start_ms)`,
  `CREATE INDEX events_by_time ON events (start_ms)`,
  `CREATE INDEX events_by_run ON events (run_id)`,
  `CREATE INDEX events_by_type_time ON events (type, start_ms)`,
  `CREATE INDEX events_by_camera_type_time ON events (camera_id, type, start_ms)`,
  `CREATE INDEX events_search ON events USING GIN (search)`,
  // Label filters: the planner combines this with the full-text and time indexes (a semi-join on
  // event_labels it cannot), 479 ms -> 46 ms for a word and a label at 1M events.
  `CREATE INDEX events_by_labels ON events USING GIN ((labels_json::jsonb))`,
  // What "index the events not indexed yet" walks, in rowid order.
  `CREATE INDEX events_unindexed ON events (rowid) WHERE search IS NULL`,

  // Vigil's tokens are already made ([a-z0-9] words or CJK, joined by spaces): the 'simple'
  // configuration takes them as they are (lower-cased, no stemming, no stop words). One weight per
  // field, so a query can be ranked by field (SEARCH_RANK_WEIGHTS) or limited to some.
  `CREATE FUNCTION vigil_search_document(summary TEXT, keywords TEXT, names TEXT, description TEXT) RETURNS TSVECTOR
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('simple'::regconfig, COALESCE(summary, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, COALESCE(keywords, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, COALESCE(names, '')), 'C')
        || setweight(to_tsvector('simple'::regconfig, COALESCE(description, '')), 'D')
  $$`,

  `CREATE TABLE event_labels (
    event_rowid BIGINT NOT NULL,
    label       TEXT NOT NULL,
    PRIMARY KEY (label, event_rowid)
  )`,
  `CREATE INDEX event_labels_by_event ON event_labels (event_rowid)`,
  // Whatever deletes an event (a superseded run, retention) takes its labels with it; its search
  // document was a column of the deleted row.
  `CREATE FUNCTION events_search_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM event_labels WHERE event_rowid = OLD.rowid;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER events_search_cleanup AFTER DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_search_cleanup()`,

  // How many events each camera, type and label has, kept by triggers, read by listings and the
  // search planner. A count that falls to 0 keeps its row, as in SQLite.
  `CREATE TABLE facet_counts (
    kind   TEXT NOT NULL CHECK (kind IN ('camera', 'type', 'label')),
    value  TEXT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
  )`,
  `CREATE FUNCTION facet_counts_event_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO facet_counts (kind, value, events) VALUES ('camera', NEW.camera_id, 1), ('type', NEW.type, 1)
      ON CONFLICT (kind, value) DO UPDATE SET events = facet_counts.events + 1;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER facet_counts_event_insert AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION facet_counts_event_insert()`,
  `CREATE FUNCTION facet_counts_event_delete() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE facet_counts SET events = events - 1
      WHERE (kind = 'camera' AND value = OLD.camera_id) OR (kind = 'type' AND value = OLD.type);
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER facet_counts_event_delete AFTER DELETE ON events FOR EACH ROW EXECUTE FUNCTION facet_counts_event_delete()`,
  // Only when a value really changes (SQLite's fires for any SET of the columns, netting 0): the
  // counts are hot rows every writer of that camera would otherwise lock until it commits.
  `CREATE FUNCTION facet_counts_event_move() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE facet_counts SET events = events - 1
      WHERE (kind = 'camera' AND value = OLD.camera_id) OR (kind = 'type' AND value = OLD.type);
    INSERT INTO facet_counts (kind, value, events) VALUES ('camera', NEW.camera_id, 1), ('type', NEW.type, 1)
      ON CONFLICT (kind, value) DO UPDATE SET events = facet_counts.events + 1;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER facet_counts_event_move AFTER UPDATE OF camera_id, type ON events FOR EACH ROW
    WHEN (OLD.camera_id IS DISTINCT FROM NEW.camera_id OR OLD.type IS DISTINCT FROM NEW.type)
    EXECUTE FUNCTION facet_counts_event_move()`,
  `CREATE FUNCTION facet_counts_label_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO facet_counts (kind, value, events) VALUES ('label', NEW.label, 1)
      ON CONFLICT (kind, value) DO UPDATE SET events = facet_counts.events + 1;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER facet_counts_label_insert AFTER INSERT ON event_labels FOR EACH ROW EXECUTE FUNCTION facet_counts_label_insert()`,
  `CREATE FUNCTION facet_counts_label_delete() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE facet_counts SET events = events - 1 WHERE kind = 'label' AND value = OLD.label;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER facet_counts_label_delete AFTER DELETE ON event_labels FOR EACH ROW EXECUTE FUNCTION facet_counts_label_delete()`,

  // The longest event bounds how far before a time range an overlapping event can start, so time
  // filters use the start_ms index from both ends. Never shrinks (as in SQLite).
  `CREATE TABLE event_stats (id INTEGER PRIMARY KEY CHECK (id = 1), max_duration_ms BIGINT NOT NULL)`,
  `INSERT INTO event_stats (id, max_duration_ms) VALUES (1, 0)`,
  // Written only when the maximum grows: an update of every insert would lock this one row and
  // queue every concurrent writer of events behind it.
  `CREATE FUNCTION events_stats_advance() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE event_stats SET max_duration_ms = NEW.end_ms - NEW.start_ms
      WHERE id = 1 AND max_duration_ms < NEW.end_ms - NEW.start_ms;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER events_stats_insert AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_stats_advance()`,
  `CREATE TRIGGER events_stats_update AFTER UPDATE OF start_ms, end_ms ON events FOR EACH ROW EXECUTE FUNCTION events_stats_advance()`,

  `CREATE TABLE event_descriptions (
    event_id        TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    provider        TEXT NOT NULL,
    model           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    json            TEXT,
    raw_text        TEXT,
    flagged         BOOLEAN NOT NULL DEFAULT FALSE,
    text_for_search TEXT NOT NULL DEFAULT '',
    CHECK (json IS NOT NULL OR raw_text IS NOT NULL)
  )`,

  // The names (display name, aliases) each camera's events were indexed with: a rename re-indexes.
  `CREATE TABLE indexed_camera_names (camera_id TEXT PRIMARY KEY, names_json TEXT NOT NULL)`,
];
