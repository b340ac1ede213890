import type { DescriptionStore, NewDescription, StoredDescription } from '../../../ports/description-store.ts';
import { descriptionPartSql } from './pg-search-document.ts';
import type { PgStoreOptions } from './pg-store-options.ts';
import type { SqlClient } from './sql-client.ts';
import { toStoredDescription } from '../description-rows.ts';



/**
 * Saving is one statement: the description upserted and the event's search column given the new
 * description part, from the column's current value (pg-search-document.ts). FOR KEY SHARE holds
 * the event so that a concurrent delete either happens first (nothing is saved: false) or waits;
 * the foreign key then never fails. An event not indexed yet (search IS NULL) stays so: indexing
 * it later takes its description along.
 */
const SAVE = `
  WITH event AS (SELECT id FROM events WHERE id = $1 FOR KEY SHARE),
  saved AS (
    INSERT INTO event_descriptions (event_id, provider, model, created_at, json, raw_text, flagged, text_for_search)
    SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM event
    ON CONFLICT (event_id) DO UPDATE SET provider = excluded.provider, model = excluded.model, created_at = excluded.created_at,
      json = excluded.json, raw_text = excluded.raw_text, flagged = excluded.flagged, text_for_search = excluded.text_for_search
    RETURNING event_id),
  indexed AS (
    UPDATE events SET search = ${descriptionPartSql('search', '$9')}
    WHERE id IN (SELECT event_id FROM saved) AND search IS NOT NULL
    RETURNING 1)
  SELECT (SELECT count(*) FROM saved) AS saved, (SELECT count(*) FROM indexed) AS indexed`;

/**
 * The `event_descriptions` table. Saving a description also updates the event's search column
 * with it. The job that made it is the JobQueue's: `saveIn` runs inside the queue's completion
 * transaction, so a stale worker saves nothing.
 */
export class PgDescriptionStore implements DescriptionStore {
  constructor(
    private readonly db: SqlClient,
    private readonly options: PgStoreOptions,
  ) {}

  async save(eventId: string, description: NewDescription): Promise<boolean> {
    // One statement is its own transaction: no BEGIN/COMMIT round trips needed.
    return this.saveIn(this.db, eventId, description);
  }

  /** `save` with `tx` (inside a job's completion transaction it joins it); false when there is no such event. */
  async saveIn(tx: SqlClient, eventId: string, description: NewDescription): Promise<boolean> {
    const { rows } = await tx.query<{ saved: number }>(SAVE, [
      eventId,
      description.provider,
      description.model,
      this.options.now(),
      description.json === undefined ? null : JSON.stringify(description.json),
      description.rawText ?? null,
      description.flagged,
      description.textForSearch,
      this.options.tokenize(description.textForSearch),
    ]);
    return (rows[0]?.saved ?? 0) > 0;
  }

  async get(eventId: string): Promise<StoredDescription | undefined> {
    const { rows } = await this.db.query('SELECT provider, model, created_at, json, raw_text, flagged, text_for_search FROM event_descriptions WHERE event_id = $1', [eventId]);
    return rows[0] === undefined ? undefined : toStoredDescription(rows[0]);
  }
}
