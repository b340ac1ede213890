import { VigilError } from '../../../domain/errors.ts';
import type { RunRecord } from '../../../ports/analysis-store.ts';
import { toRunRecord } from '../run-rows.ts';

/** The run a statement returned (UPDATE ... RETURNING *), or the error SQLite gives for a missing one. */
export function returnedRun(rows: readonly unknown[], runId: number): RunRecord {
  if (rows[0] === undefined) throw new VigilError('storage_failed', `Analysis run ${runId} does not exist`);
  return toRunRecord(rows[0]);
}
