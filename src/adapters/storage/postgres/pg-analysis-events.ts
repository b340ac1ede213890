import { z } from 'zod';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { EventIndexer, SearchDocument } from '../../../ports/search-index.ts';
import { toStoredEvent } from '../event-row.ts';
import { descriptionTokens, searchDocumentParams, withDescription } from './pg-search-document.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Writing events with their labels and full-text document (events.search), batched: one statement
 * for any number of events, since commits come every second per camera and each PostgreSQL round
 * trip costs more than SQLite's in-process call.
 */

/**
 * The event columns both backends share, in the same text form: the SQLite row parser reads
 * them unchanged (BIGINTs come back as JS numbers, JSON as TEXT).
 */
export const EVENT_COLUMNS =
  'id, run_id, camera_id, type, rule, status, start_ms, end_ms, start_frame, end_frame, labels_json, actors_json, evidence_json, ' +
  'details_json, summary_en, summary_zh_hant, keywords, snapshot_frame, snapshot_path, thumbnails_json, clip_frames_json';

// The rows are the same as SQLite's, so is the parser (it validates every JSON column).
export { toStoredEvent };

/** How the indexer's document gets its description field: the stored description's words. */
export interface EventIndexing {
  indexer: EventIndexer;
  tokenize: (text: string) => string;
}

/**
 * The indexer's documents of these events, each with its stored description's tokens, as
 * SqliteDescriptionStore.searchIndexer makes them: writing or re-indexing an event never blanks
 * its description out of search. The caller holds the events' row locks already, and this reads
 * the descriptions in a statement of its own (a fresh snapshot in READ COMMITTED): a description
 * saved meanwhile either committed before the lock (and is read here) or waits for this
 * transaction and then applies its part on top (pg-search-document.ts).
 */
async function documentsOf(tx: SqlClient, events: readonly StoredEvent[], indexing: EventIndexing): Promise<SearchDocument[]> {
  const tokens = await descriptionTokens(tx, events.map((e) => e.event.id), indexing.tokenize);
  return events.map((e) => withDescription(indexing.indexer(e), tokens.get(e.event.id)));
}

/**
 * Keeps event_labels equal to each written event's labels_json, in the same statement as the
 * write (`written`: a CTE with `rowid` and `labels_json`). Deleting only labels that went and
 * inserting with DO NOTHING keeps the two modifying CTEs off each other's rows (they share one
 * snapshot), and leaves facet_counts alone for labels that stayed.
 */
const SYNC_LABELS = `
  labels AS (
    SELECT DISTINCT w.rowid AS event_rowid, l.label
    FROM written w CROSS JOIN LATERAL jsonb_array_elements_text(w.labels_json::jsonb) AS l(label)),
  cleared AS (
    DELETE FROM event_labels el USING written w
    WHERE el.event_rowid = w.rowid
      AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.event_rowid = el.event_rowid AND l.label = el.label))
  INSERT INTO event_labels (event_rowid, label) SELECT event_rowid, label FROM labels
  ON CONFLICT DO NOTHING`;

/** The events' upsert; updates leave what identifies an event (run, camera, type, rule, start) as stored, as SQLite. */
const UPSERT_EVENTS = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
      $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
      $18::bigint[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[])
      WITH ORDINALITY AS i(id, run_id, camera_id, type, rule, status, start_ms, end_ms, start_frame, end_frame, labels_json,
        actors_json, evidence_json, details_json, summary_en, summary_zh_hant, keywords, snapshot_frame, snapshot_path,
        thumbnails_json, clip_frames_json, doc_summary, doc_keywords, doc_names, doc_description, ord)),
  written AS (
    INSERT INTO events (${EVENT_COLUMNS}, search)
    SELECT ${EVENT_COLUMNS}, vigil_search_document(doc_summary, doc_keywords, doc_names, doc_description)
    FROM input ORDER BY ord
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_ms = excluded.end_ms, end_frame = excluded.end_frame,
      labels_json = excluded.labels_json, actors_json = excluded.actors_json, evidence_json = excluded.evidence_json,
      details_json = excluded.details_json, summary_en = excluded.summary_en, summary_zh_hant = excluded.summary_zh_hant,
      keywords = excluded.keywords, snapshot_frame = excluded.snapshot_frame, snapshot_path = excluded.snapshot_path,
      thumbnails_json = excluded.thumbnails_json, clip_frames_json = excluded.clip_frames_json, search = excluded.search
    RETURNING rowid, labels_json),
  ${SYNC_LABELS}`;

/** New search documents for stored events (by rowid), and their labels. */
const UPDATE_SEARCH = `
  WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS i(rowid, summary, keywords, names, description)),
  written AS (
    UPDATE events e SET search = vigil_search_document(i.summary, i.keywords, i.names, i.description)
    FROM input i WHERE e.rowid = i.rowid
    RETURNING e.rowid, e.labels_json),
  ${SYNC_LABELS}`;

/**
 * The batch with each event once (one upsert statement cannot touch a row twice), as SQLite's
 * upsert after upsert leaves it: the last content, but what identifies the event (run, camera,
 * type, rule, start) as first written, in the place of its first write.
 */
function once(events: readonly StoredEvent[]): Map<string, StoredEvent> {
  const byId = new Map<string, StoredEvent>();
  for (const e of events) {
    const first = byId.get(e.event.id);
    if (first === undefined) {
      byId.set(e.event.id, e);
      continue;
    }
    const { cameraId, type, rule, startMs, startFrameIndex } = first.event;
    byId.set(e.event.id, { ...e, runId: first.runId, event: { ...e.event, cameraId, type, rule, startMs, startFrameIndex } });
  }
  return byId;
}

/** Upserts events with their search documents and labels, in the caller's transaction. */
export async function writeEvents(tx: SqlClient, events: readonly StoredEvent[], indexing: EventIndexing): Promise<void> {
  if (events.length === 0) return;
  const byId = once(events);
  const batch = [...byId.values()];
  // Those already stored are locked before their descriptions are read (see documentsOf).
  await tx.query('SELECT 1 FROM events WHERE id = ANY($1::text[]) ORDER BY rowid FOR UPDATE', [[...byId.keys()]]);
  const docs = await documentsOf(tx, batch, indexing);
  const columns: unknown[][] = Array.from({ length: 25 }, () => []);
  for (const [n, stored] of batch.entries()) {
    const e = stored.event;
    const doc = docs[n]!;
    const values = [
      e.id, stored.runId, e.cameraId, e.type, e.rule, e.status, e.startMs, e.endMs, e.startFrameIndex, e.endFrameIndex,
      JSON.stringify(e.labels), JSON.stringify(e.actors), JSON.stringify(e.evidence), JSON.stringify(e.details),
      e.summary.en, e.summary.zhHant, e.keywords.join(' '), e.snapshotFrameIndex, stored.snapshotPath ?? null,
      JSON.stringify(stored.thumbnails), JSON.stringify(stored.clipFrames ?? []),
      ...searchDocumentParams(doc),
    ];
    values.forEach((value, i) => columns[i]?.push(value));
  }
  await tx.query(UPSERT_EVENTS, columns);
}

const rowidSchema = z.object({ rowid: z.number() });

/**
 * Rebuilds the search documents (and labels) of stored events, rows read with
 * `SELECT ${REINDEX_COLUMNS} ... FOR UPDATE` in this transaction (so nobody rewrites them meanwhile).
 */
export async function reindexRows(tx: SqlClient, rows: readonly unknown[], indexing: EventIndexing): Promise<void> {
  if (rows.length === 0) return;
  const events = rows.map(toStoredEvent);
  const docs = await documentsOf(tx, events, indexing);
  const columns: unknown[][] = [[], [], [], [], []];
  rows.forEach((row, n) => {
    const doc = docs[n]!;
    [rowidSchema.parse(row).rowid, ...searchDocumentParams(doc)].forEach((value, i) => columns[i]?.push(value));
  });
  await tx.query(UPDATE_SEARCH, columns);
}

/** The columns `reindexRows` reads. */
export const REINDEX_COLUMNS = `rowid, ${EVENT_COLUMNS}`;
