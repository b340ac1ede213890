import { EVENTS_STATEMENTS } from './pg-schema-v1-events.ts';
import { JOBS_STATEMENTS } from './pg-schema-v1-jobs.ts';
import { RUNS_STATEMENTS } from './pg-schema-v1-runs.ts';
import { WORKERS_STATEMENTS } from './pg-schema-v1-workers.ts';

/**
 * PostgreSQL schema version 1: the schema SQLite reaches after its 16 migrations
 * (src/adapters/storage/sqlite/migrations.ts), same tables, columns and trigger effects, except:
 *
 * - Ids are BIGINT identity columns (GENERATED ALWAYS) where SQLite has INTEGER PRIMARY KEY. A
 *   sequence never gives an id twice, even to concurrent writers, so new runs take the identity
 *   (DEFAULT), not run_id_high_water + 1 as in SQLite; run_id_high_water is still kept in step.
 * - SQLite's implicit rowid is an explicit `rowid` identity column on events (labels and vectors
 *   refer to it; it orders events by when they were first stored) and on gateway_keys (listing order).
 * - Full text: a `search` tsvector column on events (vigil_search_document: Vigil's own tokens,
 *   'simple' configuration, weight A-D for summary, keywords, names, description) with a GIN
 *   index, instead of a contentless FTS5 table. NULL means not indexed yet. There is no `facets`
 *   column: camera, type and time filters are B-tree indexes and labels are event_labels, which
 *   the planner combines with the GIN index in a bitmap; FTS5 needed them as tokens to intersect.
 * - Vectors: `event_vectors` (real[], exact search anywhere) with a foreign key that deletes an
 *   event's vector with it, instead of a sqlite-vec table made at run time plus tombstones (a
 *   SQLite trigger could not reach the vec0 table). pgvector's typed column and HNSW index are
 *   added by the vector adapter at run time where the extension exists.
 * - Flags are BOOLEAN (SQLite: INTEGER 0/1); REAL is DOUBLE PRECISION; sources.mtime_ms is
 *   DOUBLE PRECISION (fs.stat's mtimeMs has a fraction that SQLite kept).
 * - JSON documents stay TEXT, the same strings as in SQLite: Vigil writes and reads them whole
 *   (and validates them); SQL that looks inside casts them to jsonb.
 * - Triggers are PL/pgSQL functions with the SQLite triggers' names and effects. Two write less
 *   to rows every writer shares: facet_counts_event_move fires only when camera or type really
 *   change, and event_stats / run_id_high_water are updated only when their value grows.
 * - Only the final schema: the job tables SQLite later merged into `jobs` never existed here.
 */
export const SCHEMA_V1 = {
  name: 'the schema of SQLite version 16: analysis, events and search, jobs, vectors, gateway, workers',
  statements: [...RUNS_STATEMENTS, ...EVENTS_STATEMENTS, ...JOBS_STATEMENTS, ...WORKERS_STATEMENTS],
} as const;
