import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteJobQueue } from '../../adapters/storage/sqlite/sqlite-job-queue.ts';
import { JobsService } from './jobs.service.ts';

const ingest = (key: string) => ({ kind: 'frigate_ingest' as const, key, payload: { eventId: `frigate-${key}`, progress: 1, message: {} } });

describe('JobsService', () => {
  it('tells per kind the jobs by status, how long the oldest due job waits, and the recent failures', async () => {
    const db = openSqliteDatabase(':memory:');
    let now = 1_000_000;
    const clock = { now: () => now };
    const queue = new SqliteJobQueue(db, { now: clock.now });
    const service = new JobsService({ queue, clock, recentFailures: 2 });
    for (const key of ['a', 'b', 'c', 'd']) await queue.enqueue(ingest(key));
    const [a, b, c] = await queue.claimDue(['frigate_ingest'], 3, { leaseMs: 60_000 });
    await queue.complete(a!);
    now += 10;
    await queue.fail(b!, 'fetch_failed: not an image', { permanent: true });
    now += 10;
    await queue.fail(c!, 'input_unreachable: Frigate is down', { retryAt: now + 5_000 });
    now += 60_000;

    const status = await service.status();
    expect(status.kinds.map((k) => k.kind)).toEqual(['describe_event', 'embed_event', 'frigate_ingest', 'frigate_write_description']);
    expect(status.kinds.find((k) => k.kind === 'describe_event')).toEqual({ kind: 'describe_event', queued: 0, running: 0, done: 0, failed: 0, recentFailures: [] });
    expect(status.kinds.find((k) => k.kind === 'frigate_ingest')).toEqual({
      kind: 'frigate_ingest',
      queued: 2,
      running: 0,
      done: 1,
      failed: 1,
      // "d" has waited since it was queued; "c" is due since its retry time.
      oldestDueAgeMs: 60_020,
      recentFailures: [
        { key: 'c', eventId: 'frigate-c', status: 'queued', attempts: 1, error: 'input_unreachable: Frigate is down', at: 1_000_020, nextAttemptAt: 1_005_020 },
        { key: 'b', eventId: 'frigate-b', status: 'failed', attempts: 1, error: 'fetch_failed: not an image', at: 1_000_010 },
      ],
    });
    db.close();
  });
});
