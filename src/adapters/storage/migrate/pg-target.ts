import { z } from 'zod';
import type { SqlClient } from '../postgres/sql-client.ts';
import { quote, type SourceRow } from './sqlite-source.ts';

const countSchema = z.object({ n: z.number() });

/**
 * The PostgreSQL side of the copy. Rows go in one INSERT per batch, as one JSON parameter that
 * json_populate_recordset turns into rows of the table's own type (each value parsed by its
 * column's type: BIGINT, DOUBLE PRECISION, BOOLEAN, REAL[]), so no batch ever nears
 * PostgreSQL's 65,535 parameters however wide the rows. `ON CONFLICT DO NOTHING`: a row already
 * there (an earlier run of the copy) is kept as it is, and nothing in the target is ever deleted.
 */
export class PgTarget {
  constructor(private readonly db: SqlClient) {}

  /** Inserts `rows` (one statement, so all or nothing); returns how many were new. */
  async insert(table: string, columns: readonly string[], rows: readonly SourceRow[], identity: boolean): Promise<number> {
    if (rows.length === 0) return 0;
    const list = columns.map(quote).join(', ');
    // Table and column names come from copy-plan.ts; every value travels in $1.
    const sql =
      `INSERT INTO ${quote(table)} (${list}) ${identity ? 'OVERRIDING SYSTEM VALUE ' : ''}` +
      `SELECT ${list} FROM json_populate_recordset(NULL::${quote(table)}, $1::json) ON CONFLICT DO NOTHING`;
    return (await this.db.query(sql, [JSON.stringify(rows.map((row) => pick(row, columns)))])).rowCount;
  }

  /**
   * The rows of `rows` that the target does not hold with these same `columns` values (all NOT
   * NULL key columns, so `=` finds them by index): after an INSERT that skipped some, a row is
   * either there already, or its id or name is taken by a different row.
   */
  async absent(table: string, columns: readonly string[], rows: readonly SourceRow[]): Promise<SourceRow[]> {
    const same = columns.map((c) => `t.${quote(c)} = s.${quote(c)}`).join(' AND ');
    const { rows: found } = await this.db.query<SourceRow>(
      `SELECT ${columns.map((c) => `s.${quote(c)}`).join(', ')} FROM json_populate_recordset(NULL::${quote(table)}, $1::json) AS s
       WHERE NOT EXISTS (SELECT 1 FROM ${quote(table)} AS t WHERE ${same})`,
      [JSON.stringify(rows.map((row) => pick(row, columns)))],
    );
    return found;
  }

  /**
   * Removes the dead versions of the facet counts the last batch's triggers left (copy-plan.ts,
   * `countsFacets`). A user that does not own the table gets a warning from PostgreSQL, not an
   * error: the copy goes on, only slower.
   */
  async vacuumFacetCounts(): Promise<void> {
    await this.db.query('VACUUM facet_counts');
  }

  async count(table: string): Promise<number> {
    return countSchema.parse((await this.db.query(`SELECT COUNT(*)::bigint AS n FROM ${quote(table)}`)).rows[0]).n;
  }

  /**
   * Moves an identity column's sequence past `atLeast` and past every value in the table, never
   * back: rows written meanwhile by a Vigil already using the target keep their ids.
   */
  async advanceIdentity(table: string, column: string, atLeast: number): Promise<void> {
    // nextval first: the sequence then never goes below a value another session was given.
    await this.db.query(
      `SELECT setval(pg_get_serial_sequence($1, $2),
         GREATEST($3::bigint, (SELECT COALESCE(MAX(${quote(column)}), 0) FROM ${quote(table)}), nextval(pg_get_serial_sequence($1, $2))))`,
      [quote(table), column, atLeast],
    );
  }

  /** Raises the rows the triggers keep to SQLite's values, which remember deleted rows; never lowers them. */
  async raiseHighWaters(values: { runId: number; maxEventDurationMs: number }): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE run_id_high_water SET id = $1 WHERE id < $1', [values.runId]);
      await tx.query('UPDATE event_stats SET max_duration_ms = $1 WHERE id = 1 AND max_duration_ms < $1', [values.maxEventDurationMs]);
    });
  }

  /** A small table's rows (key column first), to compare ids the target already holds with the source's. */
  async rowsOf(table: string, columns: readonly string[]): Promise<SourceRow[]> {
    return (await this.db.query<SourceRow>(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}`)).rows;
  }
}

function pick(row: SourceRow, columns: readonly string[]): SourceRow {
  const out: SourceRow = {};
  for (const column of columns) out[column] = row[column] ?? null;
  return out;
}
