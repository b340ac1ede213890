import type Database from 'better-sqlite3';

/**
 * Schema versions, applied in order and recorded in `PRAGMA user_version`. Never edit a
 * published migration: add a new one. Each runs in its own transaction.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: sources, analysis runs, sampled frames and their detections.
  `
  CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    camera_id   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    uri         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('file', 'stream')),
    codec       TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    fps         REAL NOT NULL,
    duration_s  REAL,
    size_bytes  INTEGER,
    mtime_ms    INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (fingerprint, camera_id)
  );

  CREATE TABLE analysis_runs (
    id                INTEGER PRIMARY KEY,
    source_id         INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    camera_id         TEXT NOT NULL,
    settings_key      TEXT NOT NULL,
    settings_json     TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
    start_time_ms     INTEGER NOT NULL,
    start_time_source TEXT NOT NULL,
    last_frame_index  INTEGER NOT NULL DEFAULT -1,
    frames_decoded    INTEGER NOT NULL DEFAULT 0,
    frames_detected   INTEGER NOT NULL DEFAULT 0,
    frames_skipped    INTEGER NOT NULL DEFAULT 0,
    detections        INTEGER NOT NULL DEFAULT 0,
    started_at        INTEGER NOT NULL,
    finished_at       INTEGER,
    error             TEXT,
    UNIQUE (source_id, camera_id, settings_key)
  );

  CREATE TABLE frames (
    run_id           INTEGER NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    frame_index      INTEGER NOT NULL,
    ts_ms            INTEGER NOT NULL,
    pts_s            REAL NOT NULL,
    detected         INTEGER NOT NULL CHECK (detected IN (0, 1)),
    changed_fraction REAL NOT NULL,
    image_path       TEXT,
    PRIMARY KEY (run_id, frame_index)
  ) WITHOUT ROWID;
  CREATE INDEX frames_by_time ON frames (ts_ms);

  CREATE TABLE detections (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL,
    frame_index INTEGER NOT NULL,
    label       TEXT NOT NULL,
    score       REAL NOT NULL,
    x1          REAL NOT NULL,
    y1          REAL NOT NULL,
    x2          REAL NOT NULL,
    y2          REAL NOT NULL,
    FOREIGN KEY (run_id, frame_index) REFERENCES frames (run_id, frame_index) ON DELETE CASCADE
  );
  CREATE INDEX detections_by_frame ON detections (run_id, frame_index);
  CREATE INDEX detections_by_label ON detections (label);
  `,
  // 2: tracks, and events with their evidence; detections learn which track they belong to and
  // whether they passed their label's threshold (low-score ones are kept for the tracker's replay).
  `
  ALTER TABLE detections ADD COLUMN track_id TEXT;
  ALTER TABLE detections ADD COLUMN confident INTEGER NOT NULL DEFAULT 1 CHECK (confident IN (0, 1));
  CREATE INDEX detections_by_track ON detections (run_id, track_id);

  CREATE TABLE tracks (
    run_id      INTEGER NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    track_id    TEXT NOT NULL,
    label       TEXT NOT NULL,
    family      TEXT NOT NULL,
    first_ms    INTEGER NOT NULL,
    last_ms     INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    last_frame  INTEGER NOT NULL,
    hits        INTEGER NOT NULL,
    PRIMARY KEY (run_id, track_id)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    camera_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    rule            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER NOT NULL,
    start_frame     INTEGER NOT NULL,
    end_frame       INTEGER NOT NULL,
    labels_json     TEXT NOT NULL,
    actors_json     TEXT NOT NULL,
    evidence_json   TEXT NOT NULL,
    details_json    TEXT NOT NULL,
    summary_en      TEXT NOT NULL,
    summary_zh_hant TEXT NOT NULL,
    keywords        TEXT NOT NULL,
    snapshot_frame  INTEGER NOT NULL,
    snapshot_path   TEXT,
    thumbnails_json TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_by_camera_time ON events (camera_id, start_ms);
  CREATE INDEX events_by_time ON events (start_ms);
  CREATE INDEX events_by_run ON events (run_id);
  `,
  // 3: full-text search over events. Tokens are made in JavaScript (Chinese segmentation, CJK
  // bigrams, stemming), so the table only stores them: contentless, keyed by the events rowid.
  `
  CREATE VIRTUAL TABLE events_fts USING fts5(
    summary, keywords, names, description,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE INDEX events_by_type_time ON events (type, start_ms);
  CREATE TABLE event_labels (
    event_rowid INTEGER NOT NULL,
    label       TEXT NOT NULL,
    PRIMARY KEY (label, event_rowid)
  ) WITHOUT ROWID;
  CREATE INDEX event_labels_by_event ON event_labels (event_rowid);
  -- Whatever deletes an event (a superseded run, retention) takes its search entries with it.
  CREATE TRIGGER events_search_cleanup AFTER DELETE ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.rowid;
    DELETE FROM event_labels WHERE event_rowid = old.rowid;
  END;
  `,
  // 4: analyze_image results, so the latest per image name survives restarts.
  `
  CREATE TABLE image_analyses (
    id           INTEGER PRIMARY KEY,
    image_name   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    result_json  TEXT NOT NULL
  );
  CREATE INDEX image_analyses_latest ON image_analyses (image_name, created_at DESC, id DESC);
  `,
  // 5: model descriptions of events, and the durable jobs that make them. A job outlives
  // restarts and provider outages; `claim` counts claims, so a worker whose lease expired
  // cannot overwrite the result of the one that took the job over.
  `
  CREATE TABLE description_jobs (
    event_id        TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    provider        TEXT,
    requested_by    TEXT NOT NULL CHECK (requested_by IN ('auto', 'manual')),
    claim           INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  CREATE INDEX description_jobs_due ON description_jobs (status, next_attempt_at);

  CREATE TABLE event_descriptions (
    event_id        TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    provider        TEXT NOT NULL,
    model           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    json            TEXT,
    raw_text        TEXT,
    flagged         INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    text_for_search TEXT NOT NULL DEFAULT '',
    CHECK (json IS NOT NULL OR raw_text IS NOT NULL)
  );
  `,
  // 6: embeddings for semantic search. The vectors live in a sqlite-vec `vec0` table keyed by the
  // events rowid, created on first use (its dimension comes from the model's first answer; see
  // SqliteVectorIndex) with the model and dimension in `vector_meta`. Nothing here needs the
  // extension: a trigger on events cannot delete from a vec0 table on a connection without
  // sqlite-vec loaded ("no such module: vec0"), which would make deleting events fail there. So
  // deleted events leave a tombstone, and the index deletes their vectors before its next use.
  `
  CREATE TABLE embedding_jobs (
    event_id        TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    claim           INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
  );
  CREATE INDEX embedding_jobs_due ON embedding_jobs (status, next_attempt_at);

  CREATE TABLE vector_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    model      TEXT NOT NULL,
    dimension  INTEGER NOT NULL CHECK (dimension > 0),
    created_at INTEGER NOT NULL
  );

  CREATE TABLE vector_tombstones (event_rowid INTEGER PRIMARY KEY);
  CREATE TRIGGER events_vector_cleanup AFTER DELETE ON events
  WHEN EXISTS (SELECT 1 FROM vector_meta)
  BEGIN
    INSERT OR IGNORE INTO vector_tombstones (event_rowid) VALUES (old.rowid);
  END;
  `,
  // 7: search at scale. The longest event bounds how far before a time range an overlapping
  // event can start (so time filters use the start_ms index from both ends); camera + type
  // queries get an index of their own.
  `
  CREATE TABLE event_stats (id INTEGER PRIMARY KEY CHECK (id = 1), max_duration_ms INTEGER NOT NULL);
  INSERT INTO event_stats (id, max_duration_ms) SELECT 1, COALESCE(MAX(end_ms - start_ms), 0) FROM events;
  CREATE TRIGGER events_stats_insert AFTER INSERT ON events BEGIN
    UPDATE event_stats SET max_duration_ms = MAX(max_duration_ms, NEW.end_ms - NEW.start_ms) WHERE id = 1;
  END;
  CREATE TRIGGER events_stats_update AFTER UPDATE OF start_ms, end_ms ON events BEGIN
    UPDATE event_stats SET max_duration_ms = MAX(max_duration_ms, NEW.end_ms - NEW.start_ms) WHERE id = 1;
  END;
  CREATE INDEX events_by_camera_type_time ON events (camera_id, type, start_ms);
  `,
  // 8: filters inside the full-text index. Camera, type and labels are also tokens of a `facets`
  // column, so a question's words and its filters are intersected in the index (doclist seeks)
  // instead of joining every word match to its event row. The table is rebuilt empty: events are
  // indexed again when the store next opens. Counts per camera, type and label are kept up to date.
  `
  DROP TABLE events_fts;
  CREATE VIRTUAL TABLE events_fts USING fts5(
    summary, keywords, names, description, facets,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  );
  -- How many events each camera, type and label has: kept by triggers, read by listings and by
  -- the search planner (a common facet is cheaper to check on the rows than in the index).
  CREATE TABLE facet_counts (
    kind   TEXT NOT NULL CHECK (kind IN ('camera', 'type', 'label')),
    value  TEXT NOT NULL,
    events INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
  ) WITHOUT ROWID;
  INSERT INTO facet_counts (kind, value, events) SELECT 'camera', camera_id, COUNT(*) FROM events GROUP BY camera_id;
  INSERT INTO facet_counts (kind, value, events) SELECT 'type', type, COUNT(*) FROM events GROUP BY type;
  INSERT INTO facet_counts (kind, value, events) SELECT 'label', label, COUNT(*) FROM event_labels GROUP BY label;
  CREATE TRIGGER facet_counts_event_insert AFTER INSERT ON events BEGIN
    INSERT INTO facet_counts (kind, value, events) VALUES ('camera', NEW.camera_id, 1), ('type', NEW.type, 1)
      ON CONFLICT (kind, value) DO UPDATE SET events = events + 1;
  END;
  CREATE TRIGGER facet_counts_event_delete AFTER DELETE ON events BEGIN
    UPDATE facet_counts SET events = events - 1
      WHERE (kind = 'camera' AND value = OLD.camera_id) OR (kind = 'type' AND value = OLD.type);
  END;
  CREATE TRIGGER facet_counts_event_move AFTER UPDATE OF camera_id, type ON events BEGIN
    UPDATE facet_counts SET events = events - 1
      WHERE (kind = 'camera' AND value = OLD.camera_id) OR (kind = 'type' AND value = OLD.type);
    INSERT INTO facet_counts (kind, value, events) VALUES ('camera', NEW.camera_id, 1), ('type', NEW.type, 1)
      ON CONFLICT (kind, value) DO UPDATE SET events = events + 1;
  END;
  CREATE TRIGGER facet_counts_label_insert AFTER INSERT ON event_labels BEGIN
    INSERT INTO facet_counts (kind, value, events) VALUES ('label', NEW.label, 1)
      ON CONFLICT (kind, value) DO UPDATE SET events = events + 1;
  END;
  CREATE TRIGGER facet_counts_label_delete AFTER DELETE ON event_labels BEGIN
    UPDATE facet_counts SET events = events - 1 WHERE kind = 'label' AND value = OLD.label;
  END;
  `,
  // 9: the Frigate sidecar's durable jobs, one row per (kind, Frigate event id). `progress` says
  // how far along the Frigate event the stored message is, so a replayed or late message never
  // takes a row back; no foreign key to events: an ingest job exists before its event does.
  `
  CREATE TABLE IF NOT EXISTS frigate_jobs (
    kind            TEXT NOT NULL CHECK (kind IN ('ingest', 'write_description')),
    frigate_id      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    payload_json    TEXT NOT NULL,
    progress        REAL NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (kind, frigate_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS frigate_jobs_due ON frigate_jobs (status, next_attempt_at);
  CREATE INDEX IF NOT EXISTS frigate_jobs_by_event ON frigate_jobs (event_id);
  `,
  // 10: frames taken from an event's video clip (Frigate's clip.mp4), paths under the data directory.
  `
  ALTER TABLE events ADD COLUMN clip_frames_json TEXT NOT NULL DEFAULT '[]';
  `,
  // 11: run ids are never given twice. Without AUTOINCREMENT SQLite reuses the id of a deleted
  // newest run, and with it its folder runs/run-<id> and its event ids, which retention or a
  // crash may still be cleaning up. New runs take the highest id ever given plus one.
  `
  CREATE TABLE run_id_high_water (id INTEGER NOT NULL);
  INSERT INTO run_id_high_water (id) SELECT COALESCE(MAX(id), 0) FROM analysis_runs;
  CREATE TRIGGER run_id_high_water_advance AFTER INSERT ON analysis_runs BEGIN
    UPDATE run_id_high_water SET id = MAX(id, NEW.id);
  END;
  `,
  // 12: the names (display name, aliases) each camera's events were indexed with, so that a
  // rename in the config re-indexes that camera's events and search finds them by the new name.
  `
  CREATE TABLE indexed_camera_names (camera_id TEXT PRIMARY KEY, names_json TEXT NOT NULL) WITHOUT ROWID;
  `,
  // 13: one durable job queue (ports/job-queue.ts) instead of three tables with three sets of rules.
  // One row per (kind, key); `claim` counts claims and `lease_until` bounds a claim, so a worker
  // whose lease expired cannot overwrite the result of the one that took the job over. Every row
  // of the old tables is carried over (jobs left running are queued again, due as they were), and
  // the old tables go. Describe and embed jobs belong to their event (the old foreign keys
  // cascaded); Frigate jobs name their event once it exists: deleting an event deletes them all.
  `
  CREATE TABLE jobs (
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    event_id        TEXT,
    payload_json    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claim           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
  ) WITHOUT ROWID;
  CREATE INDEX jobs_due ON jobs (kind, status, next_attempt_at);
  CREATE INDEX jobs_by_event ON jobs (event_id) WHERE event_id IS NOT NULL;

  INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, last_error, created_at, updated_at)
  SELECT 'describe_event', event_id, event_id,
    CASE WHEN provider IS NULL THEN json_object('requestedBy', requested_by) ELSE json_object('requestedBy', requested_by, 'provider', provider) END,
    CASE status WHEN 'running' THEN 'queued' ELSE status END, attempts, claim, next_attempt_at, last_error, created_at, updated_at
  FROM description_jobs;

  INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, last_error, created_at, updated_at)
  SELECT 'embed_event', event_id, event_id, '{}',
    CASE status WHEN 'running' THEN 'queued' ELSE status END, attempts, claim, next_attempt_at, last_error, updated_at, updated_at
  FROM embedding_jobs;

  INSERT INTO jobs (kind, key, event_id, payload_json, status, attempts, claim, next_attempt_at, last_error, created_at, updated_at)
  SELECT 'frigate_' || kind, frigate_id, event_id,
    CASE kind
      WHEN 'ingest' THEN json_object('eventId', event_id, 'progress', progress, 'message', json(payload_json))
      ELSE json_object('eventId', event_id, 'progress', progress, 'description', json_extract(payload_json, '$.description'))
    END,
    CASE status WHEN 'running' THEN 'queued' ELSE status END, attempts, 0, next_attempt_at, last_error, created_at, updated_at
  FROM frigate_jobs;

  DROP TABLE description_jobs;
  DROP TABLE embedding_jobs;
  DROP TABLE frigate_jobs;

  CREATE TRIGGER jobs_event_cleanup AFTER DELETE ON events BEGIN
    DELETE FROM jobs WHERE event_id = OLD.id;
  END;
  `,
  // 14: who is writing a run, and whether its input was whole. `owner` (host/pid/token) and
  // `heartbeat_at` are set by the process analysing the run and refreshed with every commit and
  // by a timer, so a second process finds a run being written and leaves it alone, while a run
  // whose process died (stale heartbeat, or a pid that no longer exists on this host) is resumed.
  // `input_incomplete` says what was missing when the file ended before its header said it would;
  // the run is complete (everything readable was analysed) and its events are kept.
  `
  ALTER TABLE analysis_runs ADD COLUMN owner TEXT;
  ALTER TABLE analysis_runs ADD COLUMN heartbeat_at INTEGER;
  ALTER TABLE analysis_runs ADD COLUMN input_incomplete TEXT;
  `,
  // 15: the model gateway's API keys and what they used. Only a key's SHA-256 is stored, never
  // its secret. Keys are revoked, never deleted (no cascade), so their usage stays attributable;
  // usage is one row per key, requested model and UTC day, added to by every request.
  `
  CREATE TABLE gateway_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER,
    limits_json  TEXT NOT NULL
  );

  CREATE TABLE gateway_usage (
    key_id        TEXT NOT NULL REFERENCES gateway_keys(id),
    model         TEXT NOT NULL,
    day           TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    requests      INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    queue_wait_ms INTEGER NOT NULL DEFAULT 0,
    latency_ms    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, model, day)
  ) WITHOUT ROWID;
  CREATE INDEX gateway_usage_by_day ON gateway_usage (day);
  `,
  // 16: the processes that share this database (vigil serve / vigil worker) and which of them
  // analyses which live camera (a lease with a generation: the fencing token of its writes).
  `
  CREATE TABLE workers (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    role         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    runs_cameras INTEGER NOT NULL CHECK (runs_cameras IN (0, 1)),
    stats_json   TEXT NOT NULL
  );

  CREATE TABLE camera_leases (
    camera_id  TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    generation INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`The database is at schema version ${current}, newer than this Vigil (${MIGRATIONS.length}); upgrade Vigil.`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
