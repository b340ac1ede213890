/**
 * What `vigil migrate` copies from the SQLite store into PostgreSQL, table by table, in an order
 * that satisfies PostgreSQL's foreign keys. Column names are the same on both sides (the
 * PostgreSQL schema v1 is SQLite's version 15); what differs is said per table:
 *
 * - SQLite's implicit rowid is PostgreSQL's explicit `rowid` identity column on events and
 *   gateway_keys: copied as it is, so event_labels and event_vectors, which refer to it, stay right.
 * - Ids are copied as they are (OVERRIDING SYSTEM VALUE): media paths (runs/run-<id>/...) and event
 *   ids are made of run ids, and retention, the UI and the API show them.
 * - Flags are 0/1 in SQLite and BOOLEAN in PostgreSQL.
 * - Not copied, PostgreSQL makes them: events.search (indexed afterwards, from the same tokens),
 *   facet_counts (its triggers count the copied rows), SQLite's FTS5 table and vector tombstones.
 *   event_stats and run_id_high_water are kept by triggers too, and raised to SQLite's values
 *   (both only grow: they remember rows deleted since).
 */
export interface TableCopy {
  /** The table, the same name on both sides (the vectors' source is read by sqlite-source.ts). */
  table: string;
  columns: readonly string[];
  /** The SQLite query that reads the rows (the columns, in any order); default: the whole table. */
  select?: string;
  /** How many rows `select` gives, in the same snapshot. Default: COUNT(*) of the table. */
  count?: string;
  /** 0/1 in SQLite, BOOLEAN in PostgreSQL. */
  booleans?: readonly string[];
  /** The identity column whose values are copied (OVERRIDING SYSTEM VALUE); its sequence is moved past them. */
  identity?: string;
  /** Rows per INSERT when not BATCH_ROWS. */
  batchRows?: number;
  /**
   * Its rows' triggers update a few facet_counts rows once per row. Each update leaves a dead
   * version of that row which PostgreSQL walks past on the next one until a vacuum removes it, so
   * a bulk copy slows down with every batch (measured: 20,000 events took 36 s, 10,000 rows per
   * batch of 2,000 rising from 0.7 to 3.5 s). Small batches, and a VACUUM of that small table
   * after each, keep every batch as fast as the first (10,000 events in 2.3 s).
   */
  countsFacets?: boolean;
}

/** Rows per INSERT into a table whose triggers count facets (see `countsFacets`). */
const FACET_BATCH_ROWS = 500;

/** Events that still exist: SQLite's labels and vectors of a deleted event are cleaned up lazily or by triggers. */
const LIVE_EVENT_ROWID = 'event_rowid IN (SELECT rowid FROM events)';

export const TABLE_COPIES: readonly TableCopy[] = [
  {
    table: 'sources',
    columns: ['id', 'camera_id', 'fingerprint', 'uri', 'kind', 'codec', 'width', 'height', 'fps', 'duration_s', 'size_bytes', 'mtime_ms', 'created_at', 'updated_at'],
    identity: 'id',
  },
  {
    table: 'analysis_runs',
    columns: [
      'id', 'source_id', 'camera_id', 'settings_key', 'settings_json', 'status', 'start_time_ms', 'start_time_source', 'last_frame_index',
      'frames_decoded', 'frames_detected', 'frames_skipped', 'detections', 'started_at', 'finished_at', 'error', 'owner', 'heartbeat_at', 'input_incomplete',
    ],
    identity: 'id',
  },
  { table: 'frames', columns: ['run_id', 'frame_index', 'ts_ms', 'pts_s', 'detected', 'changed_fraction', 'image_path'], booleans: ['detected'] },
  {
    table: 'detections',
    columns: ['id', 'run_id', 'frame_index', 'label', 'score', 'x1', 'y1', 'x2', 'y2', 'track_id', 'confident'],
    booleans: ['confident'],
    identity: 'id',
  },
  { table: 'tracks', columns: ['run_id', 'track_id', 'label', 'family', 'first_ms', 'last_ms', 'first_frame', 'last_frame', 'hits'] },
  {
    table: 'events',
    columns: [
      'id', 'rowid', 'run_id', 'camera_id', 'type', 'rule', 'status', 'start_ms', 'end_ms', 'start_frame', 'end_frame', 'labels_json', 'actors_json',
      'evidence_json', 'details_json', 'summary_en', 'summary_zh_hant', 'keywords', 'snapshot_frame', 'snapshot_path', 'thumbnails_json', 'clip_frames_json',
    ],
    // In rowid order, so that PostgreSQL's pages hold events in the order they were stored.
    select: 'SELECT rowid, * FROM events ORDER BY rowid',
    identity: 'rowid',
    batchRows: FACET_BATCH_ROWS,
    countsFacets: true,
  },
  {
    table: 'event_labels',
    columns: ['event_rowid', 'label'],
    select: `SELECT event_rowid, label FROM event_labels WHERE ${LIVE_EVENT_ROWID}`,
    count: `SELECT COUNT(*) AS n FROM event_labels WHERE ${LIVE_EVENT_ROWID}`,
    batchRows: FACET_BATCH_ROWS,
    countsFacets: true,
  },
  {
    table: 'event_descriptions',
    columns: ['event_id', 'provider', 'model', 'created_at', 'json', 'raw_text', 'flagged', 'text_for_search'],
    booleans: ['flagged'],
  },
  { table: 'indexed_camera_names', columns: ['camera_id', 'names_json'] },
  {
    table: 'jobs',
    columns: ['kind', 'key', 'event_id', 'payload_json', 'status', 'attempts', 'claim', 'next_attempt_at', 'lease_until', 'last_error', 'created_at', 'updated_at'],
  },
  { table: 'vector_meta', columns: ['id', 'model', 'dimension', 'created_at'] },
  // event_vectors comes here: sqlite-source.ts reads them from sqlite-vec's table.
  { table: 'image_analyses', columns: ['id', 'image_name', 'created_at', 'result_json'], identity: 'id' },
  {
    table: 'gateway_keys',
    columns: ['id', 'rowid', 'name', 'prefix', 'secret_hash', 'created_at', 'revoked_at', 'last_used_at', 'limits_json'],
    select: 'SELECT rowid, * FROM gateway_keys ORDER BY rowid',
    identity: 'rowid',
  },
  {
    table: 'gateway_usage',
    columns: ['key_id', 'model', 'day', 'requests', 'failures', 'input_tokens', 'output_tokens', 'queue_wait_ms', 'latency_ms'],
  },
];

/** The vectors' table, copied after vector_meta: its rows come from sqlite-vec's `event_vectors`. */
export const VECTORS_TABLE = 'event_vectors';
/** Where it goes in the order of TABLE_COPIES (right after vector_meta). */
export const VECTORS_AFTER = 'vector_meta';

/** Rows per INSERT: one JSON parameter each, so any width of row fits. */
export const BATCH_ROWS = 2000;
/** Vectors are wide (up to 8192 floats): fewer per INSERT. */
export const VECTOR_BATCH_ROWS = 250;
