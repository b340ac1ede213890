import { VigilError } from '../../../domain/errors.ts';
import type { Logger } from '../../../ports/logger.ts';
import type { EventIndexer } from '../../../ports/search-index.ts';
import { openPostgresDatabase } from '../postgres/pg-database.ts';
import { maskUrl } from '../postgres/pg-errors.ts';
import { createPostgresStorage } from '../postgres/pg-storage.ts';
import type { SqlClient } from '../postgres/sql-client.ts';
import { BATCH_ROWS, TABLE_COPIES, VECTOR_BATCH_ROWS, VECTORS_AFTER, VECTORS_TABLE, type TableCopy } from './copy-plan.ts';
import { PgTarget } from './pg-target.ts';
import { SqliteSource, type SourceRow } from './sqlite-source.ts';

export interface MigrationProgress {
  /** `copy`: rows of a table; `index`: events given their search entry. */
  phase: 'copy' | 'index';
  table: string;
  done: number;
  /** How many there are to do (copy only). */
  total?: number;
}

export interface TableOutcome {
  table: string;
  /** Rows in the SQLite store (those still pointing at an existing event, for labels and vectors). */
  source: number;
  /** Rows in PostgreSQL once the copy is done. */
  target: number;
  /** Rows this run inserted; the others were there already and were kept. */
  copied: number;
}

export interface MigrationReport {
  /** The target URL without its password. */
  target: string;
  tables: TableOutcome[];
  /** Tables with fewer rows in the target than in the source: the copy is incomplete. */
  missing: TableOutcome[];
  /** Events given their search entry at the end. */
  indexed: number;
}

export interface MigrateToPostgresOptions {
  /** The SQLite store (<data_dir>/vigil.db). */
  file: string;
  /** postgres://... of the target; or a client already open (tests), which is not closed. */
  target: string | SqlClient;
  /** How the application indexes events (text analysis, camera names), so the target is searchable at once. */
  indexer: EventIndexer;
  tokenize: (text: string) => string;
  /** The configuration's cameras' names as recorded with their indexed events (camera id -> names JSON). */
  cameraNames: ReadonlyMap<string, string>;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (progress: MigrationProgress) => void;
}

/**
 * The columns that say a row already in the target is the same row as the source's: its key and
 * what hangs on it. Checked only for rows that were not inserted (a conflict), so a first copy
 * pays nothing; a target holding other data under the same ids (another Vigil's runs) is refused
 * before anything is attached to the wrong parent.
 */
const SAME_ROW: Record<string, readonly string[]> = {
  sources: ['id', 'camera_id', 'fingerprint'],
  analysis_runs: ['id', 'source_id', 'camera_id', 'settings_key'],
  frames: ['run_id', 'frame_index'],
  detections: ['id', 'run_id', 'frame_index'],
  tracks: ['run_id', 'track_id'],
  events: ['id', 'rowid', 'run_id'],
  event_labels: ['event_rowid', 'label'],
  event_descriptions: ['event_id'],
  indexed_camera_names: ['camera_id'],
  jobs: ['kind', 'key'],
  vector_meta: ['id', 'model', 'dimension'],
  [VECTORS_TABLE]: ['event_rowid'],
  image_analyses: ['id', 'image_name', 'created_at'],
  gateway_keys: ['id', 'rowid', 'name'],
  gateway_usage: ['key_id', 'model', 'day'],
};

const VECTORS_COPY: TableCopy = { table: VECTORS_TABLE, columns: ['event_rowid', 'embedding'] };

/**
 * Copies a SQLite store into a PostgreSQL database (`vigil migrate`), ids included, then gives
 * every copied event its search entry. Safe to run again: rows already in the target are kept,
 * nothing there is deleted, and an interrupted copy carries on where it stopped. Media files are
 * not touched: they stay under data_dir, where the copied rows' relative paths point.
 */
export async function migrateSqliteToPostgres(options: MigrateToPostgresOptions): Promise<MigrationReport> {
  const source = SqliteSource.open(options.file);
  try {
    const given = options.target;
    const url = typeof given === 'string' ? given : undefined;
    const db: SqlClient = typeof given === 'string' ? await openPostgresDatabase(given, { logger: options.logger }) : given;
    try {
      const target = new PgTarget(db);
      // First: they only grow, and whatever writes into the target meanwhile must see them.
      const highWaters = source.highWaters();
      await target.raiseHighWaters(highWaters);
      const tables = await copyTables(source, target, highWaters.runId, options);
      const indexed = await indexCopiedEvents(db, options);
      // After a bulk load: statistics for the planner (without them a label filter is planned as
      // if it matched 0.5% of events), and the visibility map that lets counts be answered from
      // a covering index alone. Autovacuum would get there, later.
      await db.query('VACUUM (ANALYZE)');
      const outcomes: TableOutcome[] = [];
      for (const [copy, counted] of tables) outcomes.push({ table: copy.table, source: counted.source, copied: counted.copied, target: await target.count(copy.table) });
      return {
        target: url !== undefined ? maskUrl(url) : 'PostgreSQL (a client given by the caller)',
        tables: outcomes,
        missing: outcomes.filter((t) => t.target < t.source),
        indexed,
      };
    } finally {
      if (url !== undefined) await db.close();
    }
  } finally {
    source.close();
  }
}

type Copied = Map<TableCopy, { source: number; copied: number; maxIdentity: number }>;

async function copyTables(source: SqliteSource, target: PgTarget, runIdHighWater: number, options: MigrateToPostgresOptions): Promise<Copied> {
  const copied: Copied = new Map();
  for (const copy of TABLE_COPIES) {
    const counted = await copyTable(copy, source.count(copy), source.rows(copy), copy.batchRows ?? BATCH_ROWS, target, options);
    copied.set(copy, counted);
    // At once, so that a copy stopped half-way never leaves a sequence behind the ids it copied;
    // analysis runs also past every id SQLite ever gave (a deleted run's folder may remain).
    if (copy.identity !== undefined) {
      await target.advanceIdentity(copy.table, copy.identity, copy.table === 'analysis_runs' ? Math.max(counted.maxIdentity, runIdHighWater) : counted.maxIdentity);
    }
    if (copy.table === VECTORS_AFTER) {
      copied.set(VECTORS_COPY, await copyTable(VECTORS_COPY, source.vectorCount(), source.vectors(), VECTOR_BATCH_ROWS, target, options));
    }
  }
  return copied;
}

async function copyTable(
  copy: TableCopy,
  total: number,
  rows: Iterable<SourceRow>,
  batchRows: number,
  target: PgTarget,
  options: MigrateToPostgresOptions,
): Promise<{ source: number; copied: number; maxIdentity: number }> {
  let done = 0;
  let copied = 0;
  let maxIdentity = 0;
  let batch: SourceRow[] = [];
  const flush = async () => {
    if (options.signal?.aborted) {
      throw new VigilError('aborted', 'The copy was stopped; what was copied is kept, and running vigil migrate again carries on.');
    }
    const inserted = await target.insert(copy.table, copy.columns, batch, copy.identity !== undefined);
    if (inserted < batch.length) await checkSameRows(target, copy, batch);
    if (inserted > 0 && copy.countsFacets) await target.vacuumFacetCounts();
    copied += inserted;
    done += batch.length;
    batch = [];
    options.onProgress?.({ phase: 'copy', table: copy.table, done, total });
  };
  for (const row of rows) {
    if (copy.identity !== undefined) maxIdentity = Math.max(maxIdentity, Number(row[copy.identity]));
    batch.push(row);
    if (batch.length >= batchRows) await flush();
  }
  if (batch.length > 0) await flush();
  // The source's own count (same snapshot) rather than the rows read: what the target is checked against.
  return { source: total, copied, maxIdentity };
}

/** Rows that were not inserted must be in the target already, as the same rows (SAME_ROW). */
async function checkSameRows(target: PgTarget, copy: TableCopy, batch: readonly SourceRow[]): Promise<void> {
  const columns = SAME_ROW[copy.table] ?? copy.columns;
  const differing = await target.absent(copy.table, columns, batch);
  if (differing.length === 0) return;
  const show = (row: SourceRow) => columns.map((c) => `${c}=${JSON.stringify(row[c] ?? null)}`).join(' ');
  throw new VigilError(
    'storage_failed',
    `The target already holds other data in ${copy.table}: ${differing.length} row(s) of this store have an id or name taken there by a different row. ` +
      'Migrate into an empty database (or one an earlier vigil migrate of this same store filled).',
    { details: differing.slice(0, 5).map((row) => `${copy.table}: ${show(row)} is something else in the target`) },
  );
}

/**
 * The target's search entries, made as the application makes them before its first search:
 * events without one are indexed (all of them on a first copy), cameras whose names changed since
 * their events were indexed are indexed again, and the names are recorded.
 */
async function indexCopiedEvents(db: SqlClient, options: MigrateToPostgresOptions): Promise<number> {
  const storage = createPostgresStorage({ database: db, indexer: options.indexer, tokenize: options.tokenize, logger: options.logger });
  const index = storage.searchIndex;
  const progress = (done: number) => options.onProgress?.({ phase: 'index', table: 'events', done });
  let indexed = await index.reindexEvents(false, progress);
  for (const cameraId of await index.changedCameraNames(options.cameraNames)) indexed += await index.reindexCamera(cameraId, progress);
  await index.recordCameraNames(options.cameraNames);
  return indexed;
}
