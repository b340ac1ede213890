import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { DescriptionStore, NewDescription, StoredDescription } from '../../../ports/description-store.ts';
import type { EventIndexer } from '../../../ports/search-index.ts';
import { searchEntryWriter } from './search-entry.ts';
import { toStoredEvent } from '../event-row.ts';
import { toStoredDescription } from '../description-rows.ts';


export interface SqliteDescriptionStoreOptions {
  /**
   * The event indexer the analysis store uses. It gives the summary, keywords and names tokens of
   * an event's search row; this store fills the `description` column itself, because the FTS row
   * is contentless and can only be replaced whole.
   */
  indexer: EventIndexer;
  /** Index tokens of a text, joined by spaces (TextAnalysis.indexTokens). */
  tokenize: (text: string) => string;
  now?: () => number;
}


/**
 * The `event_descriptions` table (migration 5). Saving a description also rewrites the event's
 * search entry with it. The job that made it is the JobQueue's; `save` runs inside the queue's
 * completion (a nested transaction on the same connection), so a stale worker saves nothing.
 */
export class SqliteDescriptionStore implements DescriptionStore {
  private readonly statements;
  private readonly now: () => number;
  private readonly writeSearchEntry: ReturnType<typeof searchEntryWriter>;

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteDescriptionStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.writeSearchEntry = searchEntryWriter(db);
    this.statements = {
      upsertDescription: db.prepare(`
        INSERT INTO event_descriptions (event_id, provider, model, created_at, json, raw_text, flagged, text_for_search)
        VALUES (@event_id, @provider, @model, @created_at, @json, @raw_text, @flagged, @text_for_search)
        ON CONFLICT (event_id) DO UPDATE SET provider = excluded.provider, model = excluded.model, created_at = excluded.created_at,
          json = excluded.json, raw_text = excluded.raw_text, flagged = excluded.flagged, text_for_search = excluded.text_for_search`),
      getDescription: db.prepare('SELECT * FROM event_descriptions WHERE event_id = ?'),
      searchText: db.prepare('SELECT text_for_search FROM event_descriptions WHERE event_id = ?'),
      getEvent: db.prepare('SELECT rowid AS event_rowid, * FROM events WHERE id = ?'),
    };
  }

  /**
   * `base` with the event's stored description in the `description` column. Give this to the
   * SqliteAnalysisStore as its indexer, so re-indexing an event (an update, `reindexEvents`)
   * keeps its description searchable instead of blanking it.
   */
  searchIndexer(base: EventIndexer = this.options.indexer): EventIndexer {
    return (stored) => {
      const doc = base(stored);
      const row = this.statements.searchText.get(stored.event.id);
      if (row === undefined) return doc;
      const text = z.object({ text_for_search: z.string() }).parse(row).text_for_search;
      return { ...doc, description: this.options.tokenize(text) };
    };
  }

  async save(eventId: string, description: NewDescription): Promise<boolean> {
    return this.saveNow(eventId, description);
  }

  /** `save`, synchronously: inside another transaction (a job's completion) it joins it. */
  saveNow(eventId: string, description: NewDescription): boolean {
    const run = this.db.transaction((): boolean => {
      const stored = this.statements.getEvent.get(eventId);
      if (stored === undefined) return false;
      this.statements.upsertDescription.run({
        event_id: eventId,
        provider: description.provider,
        model: description.model,
        created_at: this.now(),
        json: description.json === undefined ? null : JSON.stringify(description.json),
        raw_text: description.rawText ?? null,
        flagged: description.flagged ? 1 : 0,
        text_for_search: description.textForSearch,
      });
      this.index(stored, description.textForSearch);
      return true;
    });
    return run.immediate();
  }

  async get(eventId: string): Promise<StoredDescription | undefined> {
    const row = this.statements.getDescription.get(eventId);
    return row === undefined ? undefined : toStoredDescription(row);
  }

  /** Replaces the event's whole search row (contentless FTS5 rows cannot be updated column by column). */
  private index(row: unknown, descriptionText: string): void {
    const rowid = z.object({ event_rowid: z.number() }).parse(row).event_rowid;
    const stored = toStoredEvent(row);
    const doc = this.options.indexer(stored);
    this.writeSearchEntry(rowid, { ...doc, description: this.options.tokenize(descriptionText) }, stored.event);
  }
}
