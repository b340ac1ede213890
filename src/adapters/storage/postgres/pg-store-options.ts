import type { JobOutput } from '../../../ports/job-queue.ts';
import type { EventIndexer } from '../../../ports/search-index.ts';
import type { SqlClient } from './sql-client.ts';

/** What the PostgreSQL stores share besides the connection. */
export interface PgStoreOptions {
  now: () => number;
  /** Turns an event into its search document (Vigil's own tokens: text analysis, camera names). */
  indexer: EventIndexer;
  /** Index tokens of a text, joined by spaces: how descriptions are made searchable. */
  tokenize: (text: string) => string;
  /**
   * Writes a finished job's output for its event inside the job's completion transaction (`tx`):
   * wired by createPostgresStorage to the description store and the vector index.
   */
  writeOutput?: (tx: SqlClient, eventId: string, output: JobOutput) => Promise<void>;
}
