/**
 * Schema v1, everything around the events: the durable job queue, event vectors, image analyses
 * and the model gateway's keys and usage (SQLite migrations 4, 6, 13 and 15). See pg-schema-v1.ts
 * for how it differs from SQLite.
 */
export const JOBS_STATEMENTS: readonly string[] = [
  // One durable queue (ports/job-queue.ts), one row per (kind, key). `claim` counts claims and
  // `lease_until` bounds one, so a worker whose lease expired cannot overwrite the result of the
  // one that took the job over. No foreign key on event_id: a Frigate ingest job exists before
  // its event does; deleting an event deletes its jobs (jobs_event_cleanup).
  `CREATE TABLE jobs (
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    event_id        TEXT,
    payload_json    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claim           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
  )`,
  `CREATE INDEX jobs_due ON jobs (kind, status, next_attempt_at)`,
  `CREATE INDEX jobs_by_event ON jobs (event_id) WHERE event_id IS NOT NULL`,
  `CREATE FUNCTION jobs_event_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM jobs WHERE event_id = OLD.id;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER jobs_event_cleanup AFTER DELETE ON events FOR EACH ROW EXECUTE FUNCTION jobs_event_cleanup()`,

  // The embedding model and dimension the stored vectors were made with; one row at most.
  `CREATE TABLE vector_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    model      TEXT NOT NULL,
    dimension  INTEGER NOT NULL CHECK (dimension > 0),
    created_at BIGINT NOT NULL
  )`,
  // Exact search over real[] works on any PostgreSQL; where pgvector is installed the vector
  // adapter adds a typed column and an HNSW index to this table at run time (the dimension is
  // only known then). The foreign key deletes an event's vector with it (SQLite's
  // events_vector_cleanup and tombstones), and refuses a vector for an event deleted meanwhile.
  `CREATE TABLE event_vectors (
    event_rowid BIGINT PRIMARY KEY REFERENCES events(rowid) ON DELETE CASCADE,
    embedding   REAL[] NOT NULL CHECK (cardinality(embedding) > 0)
  )`,

  // analyze_image results, so the latest per image name survives restarts.
  `CREATE TABLE image_analyses (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    image_name  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    result_json TEXT NOT NULL
  )`,
  `CREATE INDEX image_analyses_latest ON image_analyses (image_name, created_at DESC, id DESC)`,

  // The gateway's API keys: only a key's SHA-256 is stored. Keys are revoked, never deleted, so
  // their usage stays attributable. `rowid` keeps SQLite's listing order (created_at, rowid).
  `CREATE TABLE gateway_keys (
    id           TEXT PRIMARY KEY,
    rowid        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    name         TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT,
    limits_json  TEXT NOT NULL
  )`,
  // One row per key, requested model and UTC day, added to by every request.
  `CREATE TABLE gateway_usage (
    key_id        TEXT NOT NULL REFERENCES gateway_keys(id),
    model         TEXT NOT NULL,
    day           TEXT NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    requests      BIGINT NOT NULL DEFAULT 0,
    failures      BIGINT NOT NULL DEFAULT 0,
    input_tokens  BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    queue_wait_ms BIGINT NOT NULL DEFAULT 0,
    latency_ms    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, model, day)
  )`,
  `CREATE INDEX gateway_usage_by_day ON gateway_usage (day)`,
];
