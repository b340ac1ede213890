/**
 * Schema v1, analysis: sources, analysis runs, sampled frames, detections, tracks, and the run id
 * high water (SQLite migrations 1, 2, 11 and 14). See pg-schema-v1.ts for how it differs from SQLite.
 */
export const RUNS_STATEMENTS: readonly string[] = [
  `CREATE TABLE sources (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    camera_id   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    uri         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('file', 'stream')),
    codec       TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    fps         DOUBLE PRECISION NOT NULL,
    duration_s  DOUBLE PRECISION,
    size_bytes  BIGINT,
    -- fs.stat's mtimeMs has a fraction, which SQLite kept and a resume compares.
    mtime_ms    DOUBLE PRECISION,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (fingerprint, camera_id)
  )`,

  `CREATE TABLE analysis_runs (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id         BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    camera_id         TEXT NOT NULL,
    settings_key      TEXT NOT NULL,
    settings_json     TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
    start_time_ms     BIGINT NOT NULL,
    start_time_source TEXT NOT NULL,
    last_frame_index  BIGINT NOT NULL DEFAULT -1,
    frames_decoded    BIGINT NOT NULL DEFAULT 0,
    frames_detected   BIGINT NOT NULL DEFAULT 0,
    frames_skipped    BIGINT NOT NULL DEFAULT 0,
    detections        BIGINT NOT NULL DEFAULT 0,
    started_at        BIGINT NOT NULL,
    finished_at       BIGINT,
    error             TEXT,
    -- Who is writing the run (host/pid/token) and when it last said so; what its input lacked.
    owner             TEXT,
    heartbeat_at      BIGINT,
    input_incomplete  TEXT,
    UNIQUE (source_id, camera_id, settings_key)
  )`,

  `CREATE TABLE frames (
    run_id           BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    frame_index      BIGINT NOT NULL,
    ts_ms            BIGINT NOT NULL,
    pts_s            DOUBLE PRECISION NOT NULL,
    detected         BOOLEAN NOT NULL,
    changed_fraction DOUBLE PRECISION NOT NULL,
    image_path       TEXT,
    PRIMARY KEY (run_id, frame_index)
  )`,
  `CREATE INDEX frames_by_time ON frames (ts_ms)`,

  // Low-score detections are kept (confident = false) for the tracker's replay.
  `CREATE TABLE detections (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      BIGINT NOT NULL,
    frame_index BIGINT NOT NULL,
    label       TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    x1          DOUBLE PRECISION NOT NULL,
    y1          DOUBLE PRECISION NOT NULL,
    x2          DOUBLE PRECISION NOT NULL,
    y2          DOUBLE PRECISION NOT NULL,
    track_id    TEXT,
    confident   BOOLEAN NOT NULL DEFAULT TRUE,
    FOREIGN KEY (run_id, frame_index) REFERENCES frames (run_id, frame_index) ON DELETE CASCADE
  )`,
  `CREATE INDEX detections_by_frame ON detections (run_id, frame_index)`,
  `CREATE INDEX detections_by_label ON detections (label)`,
  `CREATE INDEX detections_by_track ON detections (run_id, track_id)`,

  `CREATE TABLE tracks (
    run_id      BIGINT NOT NULL REFERENCES analysis_runs(id) ON DELETE CASCADE,
    track_id    TEXT NOT NULL,
    label       TEXT NOT NULL,
    family      TEXT NOT NULL,
    first_ms    BIGINT NOT NULL,
    last_ms     BIGINT NOT NULL,
    first_frame BIGINT NOT NULL,
    last_frame  BIGINT NOT NULL,
    hits        BIGINT NOT NULL,
    PRIMARY KEY (run_id, track_id)
  )`,

  // The highest run id ever given, one row. The identity sequence already never gives an id twice
  // (SQLite needed this table for that); it is kept in step so both backends can be asked the same.
  `CREATE TABLE run_id_high_water (id BIGINT NOT NULL)`,
  `INSERT INTO run_id_high_water (id) VALUES (0)`,
  // Written only when the id grows: the row is then locked until the inserting run commits.
  `CREATE FUNCTION run_id_high_water_advance() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE run_id_high_water SET id = NEW.id WHERE id < NEW.id;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER run_id_high_water_advance AFTER INSERT ON analysis_runs
    FOR EACH ROW EXECUTE FUNCTION run_id_high_water_advance()`,
];
