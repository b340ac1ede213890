import { dirname } from 'node:path';
import { VigilError } from '../../../domain/errors.ts';

/** SQLite's result codes for a write that found no room (better-sqlite3 puts them in `code`). */
const DISK_FULL = new Set(['SQLITE_FULL']);

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What a failed write means to the person running Vigil. A full disk is told plainly, with where
 * (the data directory) and what it cost: SQLite rolled back only the transaction that did not
 * fit, so nothing stored before it is lost, and an analysis resumes once there is room again.
 * Anything else is returned as it was.
 */
export function explainStorageError(error: unknown, databasePath: string): unknown {
  if (error instanceof VigilError) return error;
  const code = sqliteCode(error);
  if (code !== undefined && DISK_FULL.has(code)) {
    const where = databasePath === ':memory:' || databasePath === '' ? 'the database' : dirname(databasePath);
    return new VigilError(
      'storage_failed',
      `The disk is full: there is no room left in ${where} to store more results. ` +
        'Nothing already stored was lost (only the last, unfinished write was undone). ' +
        'Free some space (or set storage.retention), then run the same command again: an analysis resumes where it stopped.',
      { cause: error },
    );
  }
  return error;
}

/** Runs a write, turning SQLite's failures into what `explainStorageError` says. */
export function withStorageErrors<T>(databasePath: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw explainStorageError(error, databasePath);
  }
}
