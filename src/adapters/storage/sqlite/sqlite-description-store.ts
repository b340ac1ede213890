import type Database from 'better-sqlite3';
import { z } from 'zod';
import type {
  ClaimedDescriptionJob,
  DescriptionJob,
  DescriptionJobStatus,
  DescriptionRecord,
  DescriptionRequester,
  DescriptionStore,
  EnqueueOutcome,
  FailureDisposition,
  NewDescription,
  StoredDescription,
} from '../../../ports/description-store.ts';
import type { EventIndexer } from '../../../ports/search-index.ts';
import { searchEntryWriter } from './search-entry.ts';
import { toStoredEvent } from './sqlite-event-store.ts';

/** A job running this long without news is taken to have lost its worker. */
export const DEFAULT_DESCRIPTION_LEASE_MS = 10 * 60_000;

const STATUSES = ['queued', 'running', 'done', 'failed'] as const;

const jobRowSchema = z.object({
  event_id: z.string(),
  status: z.enum(STATUSES),
  attempts: z.number(),
  next_attempt_at: z.number(),
  last_error: z.string().nullable(),
  provider: z.string().nullable(),
  requested_by: z.enum(['auto', 'manual']),
  claim: z.number(),
  updated_at: z.number(),
});

const claimedRowSchema = jobRowSchema.pick({ event_id: true, attempts: true, requested_by: true, claim: true, next_attempt_at: true });

const descriptionRowSchema = z.object({
  provider: z.string(),
  model: z.string(),
  created_at: z.number(),
  json: z.string().nullable(),
  raw_text: z.string().nullable(),
  flagged: z.number(),
  text_for_search: z.string(),
});

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

function toJob(row: unknown): DescriptionJob {
  const r = jobRowSchema.parse(row);
  return {
    eventId: r.event_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.provider !== null ? { provider: r.provider } : {}),
    requestedBy: r.requested_by,
    updatedAt: r.updated_at,
  };
}

function toClaimed(row: unknown): ClaimedDescriptionJob & { due: number } {
  const r = claimedRowSchema.parse(row);
  return { eventId: r.event_id, attempts: r.attempts, requestedBy: r.requested_by, claim: r.claim, due: r.next_attempt_at };
}

function toDescription(row: unknown): StoredDescription {
  const r = descriptionRowSchema.parse(row);
  return {
    provider: r.provider,
    model: r.model,
    createdAt: r.created_at,
    // Written by complete() from a value the service validated; read back as unknown for it to check again.
    ...(r.json !== null ? { json: JSON.parse(r.json) as unknown } : {}),
    ...(r.raw_text !== null ? { rawText: r.raw_text } : {}),
    flagged: r.flagged === 1,
    textForSearch: r.text_for_search,
  };
}

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
      eventExists: db.prepare('SELECT 1 FROM events WHERE id = ?'),
      getJob: db.prepare('SELECT * FROM description_jobs WHERE event_id = ?'),
      insertJob: db.prepare(`
        INSERT INTO description_jobs (event_id, status, attempts, next_attempt_at, provider, requested_by, created_at, updated_at)
        VALUES (@event_id, 'queued', 0, @now, @provider, @requested_by, @now, @now)`),
      requeue: db.prepare(`
        UPDATE description_jobs SET status = 'queued', attempts = 0, next_attempt_at = @now, last_error = NULL,
          requested_by = 'manual', provider = COALESCE(@provider, provider), updated_at = @now
        WHERE event_id = @event_id`),
      makeDueNow: db.prepare(`
        UPDATE description_jobs SET next_attempt_at = MIN(next_attempt_at, @now), requested_by = 'manual', updated_at = @now
        WHERE event_id = @event_id`),
      // One statement, so two workers can never take the same job.
      claimDue: db.prepare(`
        UPDATE description_jobs SET status = 'running', attempts = attempts + 1, claim = claim + 1, updated_at = @now
        WHERE event_id IN (
          SELECT event_id FROM description_jobs
          WHERE (status = 'queued' AND next_attempt_at <= @now) OR (status = 'running' AND updated_at <= @stale)
          ORDER BY next_attempt_at, event_id LIMIT @limit)
        RETURNING event_id, attempts, requested_by, claim, next_attempt_at`),
      claimOne: db.prepare(`
        UPDATE description_jobs SET status = 'running', attempts = attempts + 1, claim = claim + 1, updated_at = @now,
          provider = COALESCE(@provider, provider)
        WHERE event_id = @event_id
        RETURNING event_id, attempts, requested_by, claim, next_attempt_at`),
      heartbeat: db.prepare(`UPDATE description_jobs SET updated_at = @now WHERE event_id = @event_id AND status = 'running' AND claim = @claim`),
      recoverRunning: db.prepare(`UPDATE description_jobs SET status = 'queued', next_attempt_at = @now, updated_at = @now WHERE status = 'running'`),
      upsertDescription: db.prepare(`
        INSERT INTO event_descriptions (event_id, provider, model, created_at, json, raw_text, flagged, text_for_search)
        VALUES (@event_id, @provider, @model, @created_at, @json, @raw_text, @flagged, @text_for_search)
        ON CONFLICT (event_id) DO UPDATE SET provider = excluded.provider, model = excluded.model, created_at = excluded.created_at,
          json = excluded.json, raw_text = excluded.raw_text, flagged = excluded.flagged, text_for_search = excluded.text_for_search`),
      markDone: db.prepare(`UPDATE description_jobs SET status = 'done', last_error = NULL, provider = @provider, updated_at = @now WHERE event_id = @event_id`),
      insertDoneJob: db.prepare(`
        INSERT OR IGNORE INTO description_jobs (event_id, status, attempts, next_attempt_at, provider, requested_by, created_at, updated_at)
        VALUES (@event_id, 'done', 1, @now, @provider, 'manual', @now, @now)`),
      markRetry: db.prepare(`UPDATE description_jobs SET status = 'queued', next_attempt_at = @retry_at, last_error = @error, updated_at = @now WHERE event_id = @event_id`),
      markFailed: db.prepare(`UPDATE description_jobs SET status = 'failed', last_error = @error, updated_at = @now WHERE event_id = @event_id`),
      getDescription: db.prepare('SELECT * FROM event_descriptions WHERE event_id = ?'),
      searchText: db.prepare('SELECT text_for_search FROM event_descriptions WHERE event_id = ?'),
      getEvent: db.prepare('SELECT rowid AS event_rowid, * FROM events WHERE id = ?'),
      counts: db.prepare('SELECT status, COUNT(*) AS n FROM description_jobs GROUP BY status'),
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

  enqueue(eventId: string, options: { requestedBy: DescriptionRequester; provider?: string }): EnqueueOutcome {
    const run = this.db.transaction((): EnqueueOutcome => {
      if (this.statements.eventExists.get(eventId) === undefined) return 'unknown_event';
      const now = this.now();
      const row = this.statements.getJob.get(eventId);
      const provider = options.provider ?? null;
      if (row === undefined) {
        this.statements.insertJob.run({ event_id: eventId, now, provider, requested_by: options.requestedBy });
        return 'queued';
      }
      if (options.requestedBy !== 'manual') return 'unchanged';
      const job = toJob(row);
      if (job.status === 'done' || job.status === 'failed') {
        this.statements.requeue.run({ event_id: eventId, now, provider });
        return 'requeued';
      }
      if (job.status === 'queued') {
        this.statements.makeDueNow.run({ event_id: eventId, now });
        return job.nextAttemptAt > now ? 'requeued' : 'unchanged';
      }
      return 'unchanged';
    });
    return run.immediate();
  }

  claimDue(now: number, limit: number, options: { leaseMs?: number } = {}): ClaimedDescriptionJob[] {
    if (limit <= 0) return [];
    const stale = now - (options.leaseMs ?? DEFAULT_DESCRIPTION_LEASE_MS);
    const rows = this.statements.claimDue.all({ now, stale, limit }).map(toClaimed);
    // RETURNING gives no order; hand jobs out oldest-due first, as they were selected.
    rows.sort((a, b) => a.due - b.due || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    return rows.map(({ due: _due, ...job }) => job);
  }

  claim(eventId: string, now: number, options: { provider?: string } = {}): ClaimedDescriptionJob | undefined {
    const row = this.statements.claimOne.get({ event_id: eventId, now, provider: options.provider ?? null });
    if (row === undefined) return undefined;
    const { due: _due, ...job } = toClaimed(row);
    return job;
  }

  heartbeat(eventId: string, claim: number, now: number): boolean {
    return this.statements.heartbeat.run({ event_id: eventId, claim, now }).changes > 0;
  }

  recoverRunning(now: number): number {
    return this.statements.recoverRunning.run({ now }).changes;
  }

  complete(eventId: string, description: NewDescription, options: { claim?: number } = {}): boolean {
    const run = this.db.transaction((): boolean => {
      const stored = this.statements.getEvent.get(eventId);
      if (stored === undefined) return false;
      if (!this.holdsClaim(eventId, options.claim)) return false;
      const now = this.now();
      this.statements.upsertDescription.run({
        event_id: eventId,
        provider: description.provider,
        model: description.model,
        created_at: now,
        json: description.json === undefined ? null : JSON.stringify(description.json),
        raw_text: description.rawText ?? null,
        flagged: description.flagged ? 1 : 0,
        text_for_search: description.textForSearch,
      });
      const changed = this.statements.markDone.run({ event_id: eventId, provider: description.provider, now }).changes;
      if (changed === 0) this.statements.insertDoneJob.run({ event_id: eventId, provider: description.provider, now });
      this.index(stored, description.textForSearch);
      return true;
    });
    return run.immediate();
  }

  fail(eventId: string, error: string, disposition: FailureDisposition, options: { claim?: number } = {}): boolean {
    const run = this.db.transaction((): boolean => {
      if (!this.holdsClaim(eventId, options.claim)) return false;
      const now = this.now();
      const result =
        'retryAt' in disposition
          ? this.statements.markRetry.run({ event_id: eventId, retry_at: disposition.retryAt, error, now })
          : this.statements.markFailed.run({ event_id: eventId, error, now });
      return result.changes > 0;
    });
    return run.immediate();
  }

  state(eventId: string): DescriptionRecord {
    const job = this.statements.getJob.get(eventId);
    const description = this.statements.getDescription.get(eventId);
    return {
      ...(job !== undefined ? { job: toJob(job) } : {}),
      ...(description !== undefined ? { description: toDescription(description) } : {}),
    };
  }

  counts(): Record<DescriptionJobStatus, number> {
    const counts: Record<DescriptionJobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    const rows = z.array(z.object({ status: z.enum(STATUSES), n: z.number() })).parse(this.statements.counts.all());
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Without a claim the caller acts on its own authority; with one, only the latest claimer does. */
  private holdsClaim(eventId: string, claim: number | undefined): boolean {
    if (claim === undefined) return true;
    const row = this.statements.getJob.get(eventId);
    if (row === undefined) return false;
    const job = jobRowSchema.parse(row);
    return job.status === 'running' && job.claim === claim;
  }

  /** Replaces the event's whole search row (contentless FTS5 rows cannot be updated column by column). */
  private index(row: unknown, descriptionText: string): void {
    const rowid = z.object({ event_rowid: z.number() }).parse(row).event_rowid;
    const stored = toStoredEvent(row);
    const doc = this.options.indexer(stored);
    this.writeSearchEntry(rowid, { ...doc, description: this.options.tokenize(descriptionText) }, stored.event);
  }
}
