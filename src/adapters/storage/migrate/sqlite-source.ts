import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import { openSqliteDatabase } from '../sqlite/sqlite-analysis-store.ts';
import type { TableCopy } from './copy-plan.ts';

export type SourceRow = Record<string, unknown>;

const countSchema = z.object({ n: z.number() });
const vectorRowSchema = z.object({ event_rowid: z.number(), embedding: z.instanceof(Uint8Array) });

/** Vectors of events that still exist: a tombstone marks a deleted event whose vector is not purged yet. */
const LIVE_VECTORS = 'rowid IN (SELECT rowid FROM events) AND rowid NOT IN (SELECT event_rowid FROM vector_tombstones)';

/**
 * The SQLite store being copied, read in one snapshot: a read transaction is held from the first
 * read to `close`, so every table, and the counts the copy is checked against, are of the same
 * moment even if a Vigil process is still writing (WAL lets it). Nothing is ever written to it,
 * except that opening brings an older file's schema up to date, as any command would.
 */
export class SqliteSource {
  private vecLoaded = false;

  private constructor(private readonly db: Database.Database) {}

  /** Opens `file`; refuses (instead of creating an empty one) when there is no database there. */
  static open(file: string): SqliteSource {
    if (!existsSync(file)) {
      throw new VigilError('input_not_found', `There is no Vigil database at ${file} to migrate: this configuration has not stored anything yet (check --config and storage.data_dir).`);
    }
    const db = openSqliteDatabase(file);
    db.exec('BEGIN');
    return new SqliteSource(db);
  }

  /** The table's rows, streamed (never the whole table in memory), flags as booleans. */
  *rows(copy: TableCopy): Generator<SourceRow> {
    const select = copy.select ?? `SELECT ${copy.columns.map(quote).join(', ')} FROM ${quote(copy.table)}`;
    const booleans = copy.booleans ?? [];
    for (const raw of this.db.prepare(select).iterate()) {
      const row = raw as SourceRow;
      for (const column of booleans) if (row[column] !== null && row[column] !== undefined) row[column] = row[column] === 1;
      yield row;
    }
  }

  count(copy: TableCopy): number {
    return this.countOf(copy.count ?? `SELECT COUNT(*) AS n FROM ${quote(copy.table)}`);
  }

  /** Whether sqlite-vec's table exists: it is made when the first vector is stored. */
  hasVectors(): boolean {
    return this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_vectors'`).get() !== undefined;
  }

  vectorCount(): number {
    if (!this.hasVectors()) return 0;
    this.loadVec();
    return this.countOf(`SELECT COUNT(*) AS n FROM event_vectors WHERE ${LIVE_VECTORS}`);
  }

  /**
   * The vectors as plain numbers, read from sqlite-vec's float32 blobs (vec_to_json would print
   * them with six decimals and lose small components); PostgreSQL's real gets the same floats.
   */
  *vectors(): Generator<{ event_rowid: number; embedding: number[] }> {
    if (!this.hasVectors()) return;
    this.loadVec();
    // One pass over the vec0 table: it has no rowid index to page through.
    for (const raw of this.db.prepare(`SELECT rowid AS event_rowid, embedding FROM event_vectors WHERE ${LIVE_VECTORS}`).iterate()) {
      const row = vectorRowSchema.parse(raw);
      // A copy: the blob's bytes may sit at an offset a Float32Array cannot start at.
      yield { event_rowid: row.event_rowid, embedding: Array.from(new Float32Array(new Uint8Array(row.embedding).buffer)) };
    }
  }

  /** Values that only grow and remember deleted rows: the highest run id given, the longest event. */
  highWaters(): { runId: number; maxEventDurationMs: number } {
    const one = (sql: string) => countSchema.parse(this.db.prepare(sql).get() ?? { n: 0 }).n;
    return {
      runId: one('SELECT COALESCE(MAX(id), 0) AS n FROM run_id_high_water'),
      maxEventDurationMs: one('SELECT COALESCE(MAX(max_duration_ms), 0) AS n FROM event_stats'),
    };
  }

  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }

  private countOf(sql: string): number {
    return countSchema.parse(this.db.prepare(sql).get()).n;
  }

  private loadVec(): void {
    if (this.vecLoaded) return;
    try {
      sqliteVec.load(this.db);
    } catch (cause) {
      throw new VigilError('storage_failed', `The sqlite-vec extension could not be loaded to read the stored vectors: ${(cause as Error).message}`, { cause });
    }
    this.vecLoaded = true;
  }
}

/** Identifiers come from copy-plan.ts, never from input; quoted all the same (`key`, `day`, `type`). */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
