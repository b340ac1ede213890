/**
 * The runner over the real SQLite queue (an in-memory database), with scripted handlers.
 * Frigate kinds are used because their jobs need no stored event.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteDatabase } from '../../adapters/storage/sqlite/sqlite-analysis-store.ts';
import { SqliteJobQueue } from '../../adapters/storage/sqlite/sqlite-job-queue.ts';
import { VigilError } from '../../domain/errors.ts';
import type { ClaimedJob, JobKind, JobOutput } from '../../ports/job-queue.ts';
import type { Logger } from '../../ports/logger.ts';
import { JobRunner, type JobLane } from './job-runner.ts';
import { runJob, type JobContext, type JobHandler, type JobResult } from './run-job.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const RETRY = { baseMs: 1_000, maxMs: 8_000, maxUnexpectedAttempts: 3 };
const ingest = (key: string, progress = 1) => ({ kind: 'frigate_ingest' as const, key, payload: { eventId: `frigate-${key}`, progress, message: { id: key } } });
const writeBack = (key: string, description = 'd') => ({ kind: 'frigate_write_description' as const, key, payload: { eventId: `frigate-${key}`, progress: 1, description } });

type Run = (job: ClaimedJob, context: JobContext) => Promise<JobResult>;

describe('JobRunner', () => {
  let db: Database.Database;
  let now: number;
  let queue: SqliteJobQueue;
  /** What the queue stored for finished jobs (the storage writes descriptions and vectors). */
  let written: Array<{ key: string; output: JobOutput }>;
  const clock = { now: () => now };

  beforeEach(() => {
    db = openSqliteDatabase(':memory:');
    now = 1_000_000;
    written = [];
    queue = new SqliteJobQueue(db, { now: clock.now, writeOutput: (key, output) => written.push({ key, output }) });
  });
  afterEach(() => db.close());

  function lane(run: Run, options: Partial<JobLane> & { kinds?: JobKind[] } = {}): JobLane {
    const kinds = options.kinds ?? ['frigate_ingest', 'frigate_write_description'];
    return {
      name: 'test',
      take: 1,
      retry: RETRY,
      ...options,
      handlers: kinds.map((kind) => ({ kind, run }) as JobLane['handlers'][number]),
    };
  }
  const runner = (lanes: JobLane[], kinds: JobKind[] = ['frigate_ingest', 'frigate_write_description'], sleep?: (ms: number, signal: AbortSignal) => Promise<void>) =>
    new JobRunner({ queue, lanes, kinds, clock, logger: silent, ...(sleep ? { sleep } : {}) });

  it('refuses to start when a configured kind has no handler, or two, or one it does not work', () => {
    const handle: Run = async () => 'done';
    expect(() => runner([lane(handle, { kinds: ['frigate_ingest'] })])).toThrow(expect.objectContaining({ code: 'config_invalid', message: 'no handler for job kind frigate_write_description' }));
    expect(() => runner([], ['describe_event', 'embed_event'])).toThrow('no handler for job kinds describe_event, embed_event');
    expect(() => runner([lane(handle), lane(handle, { name: 'other', kinds: ['frigate_ingest'] })])).toThrow('job kind "frigate_ingest" has two handlers (lanes test and other)');
    expect(() => runner([lane(handle)], ['frigate_ingest'])).toThrow('handlers for job kinds this process does not work: frigate_write_description');
    expect(() => runner([lane(handle)])).not.toThrow();
  });

  it('waits for beforePass (a burst being read) before claiming anything', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const jobs = new JobRunner({ queue, lanes: [lane(async (job) => (seen.push(job.key), 'done'))], kinds: ['frigate_ingest', 'frigate_write_description'], clock, logger: silent, beforePass: () => gate });
    await queue.enqueue(ingest('a'));
    const pass = jobs.processDue();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([]);
    expect((await queue.get('frigate_ingest', 'a'))?.status).toBe('queued');
    release();
    expect(await pass).toBe(1);
    expect(seen).toEqual(['a']);
  });

  it('finishes jobs a handler did or skipped, with each kind to its handler', async () => {
    const seen: string[] = [];
    const jobs = runner([lane(async (job) => (seen.push(`${job.kind}:${job.key}`), job.kind === 'frigate_ingest' ? 'done' : 'skipped'))]);
    await queue.enqueue(ingest('a'));
    await queue.enqueue(writeBack('a'));
    while ((await jobs.processDue()) > 0);
    expect(seen).toEqual(['frigate_ingest:a', 'frigate_write_description:a']);
    expect(await queue.get('frigate_ingest', 'a')).toMatchObject({ status: 'done', attempts: 1 });
    expect(await queue.get('frigate_write_description', 'a')).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('retries outages as long as they last, honouring Retry-After; gives up on refusals at once and on the unexpected after a few tries', async () => {
    const errors: Record<string, () => unknown> = {
      outage: () => new VigilError('input_unreachable', 'Frigate is down', { retryable: true, retryAfterMs: 30_000 }),
      refusal: () => new VigilError('fetch_failed', 'not an image'),
      bug: () => new TypeError('undefined is not a function'),
    };
    const jobs = runner([lane(async (job) => Promise.reject(errors[job.key]!()), { take: 5 })]);
    for (const key of Object.keys(errors)) await queue.enqueue(ingest(key));
    await jobs.processDue();
    expect(await queue.get('frigate_ingest', 'outage')).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: now + 30_000, lastError: 'input_unreachable: Frigate is down' });
    expect(await queue.get('frigate_ingest', 'refusal')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'fetch_failed: not an image' });
    expect(await queue.get('frigate_ingest', 'bug')).toMatchObject({ status: 'queued', nextAttemptAt: now + 1_000 });

    for (let i = 0; i < 20; i++) {
      now += 60_000;
      await jobs.processDue();
    }
    expect(await queue.get('frigate_ingest', 'bug')).toMatchObject({ status: 'failed', attempts: RETRY.maxUnexpectedAttempts, lastError: 'undefined is not a function' });
    expect(await queue.get('frigate_ingest', 'outage')).toMatchObject({ status: 'queued', attempts: 21 });
  });

  it('backs off exponentially up to the lane’s cap', async () => {
    const jobs = runner([lane(async () => Promise.reject(new VigilError('input_unreachable', 'down', { retryable: true })))]);
    await queue.enqueue(ingest('a'));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      await jobs.processDue();
      const due = (await queue.get('frigate_ingest', 'a'))!.nextAttemptAt;
      waits.push(due - now);
      now = due;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('refuses the result of a worker whose job was taken over: nothing stored, nothing announced', async () => {
    let release!: () => void;
    const output: JobOutput = { kind: 'vector', vector: [1, 0] };
    const announced = vi.fn();
    const jobs = runner([
      lane(async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return { status: 'done', output, onCommitted: announced };
      }),
    ]);
    await queue.enqueue(ingest('a'));
    const pass = jobs.processDue();
    await vi.waitFor(() => expect(release).toBeDefined());
    const other = await queue.claim('frigate_ingest', 'a', { leaseMs: 60_000 });
    release();
    await pass;
    expect(written).toEqual([]);
    expect(announced).not.toHaveBeenCalled();
    expect(await queue.get('frigate_ingest', 'a')).toMatchObject({ status: 'running', attempts: 2 });
    expect(await queue.complete(other!, { output })).toBe('done');
    expect(written).toEqual([{ key: 'a', output }]);
  });

  it('stores the result before announcing it, and keeps the job done when what follows fails', async () => {
    const output: JobOutput = { kind: 'vector', vector: [0, 1] };
    const seen: string[] = [];
    const handler: JobHandler<'frigate_ingest'> = {
      kind: 'frigate_ingest',
      run: async () => ({
        status: 'done',
        output,
        onCommitted: async () => {
          seen.push(`announced after ${written.length} stored`);
          throw new Error('the broker is down');
        },
      }),
    };
    await queue.enqueue(ingest('a'));
    const job = await queue.claim('frigate_ingest', 'a', { leaseMs: 60_000 });
    const exec = { queue, clock, logger: silent, retry: RETRY, leaseMs: 60_000 };
    // A person waiting on the job (DescriptionService.describe) is told it is done, not that it failed.
    expect(await runJob(exec, handler, job!, { signal: new AbortController().signal, priority: 'interactive' })).toEqual({ status: 'done' });
    expect(seen).toEqual(['announced after 1 stored']);
    expect(written).toEqual([{ key: 'a', output }]);
    expect(await queue.get('frigate_ingest', 'a')).toMatchObject({ status: 'done', attempts: 1 });
    expect((await queue.get('frigate_ingest', 'a'))?.lastError).toBeUndefined();
  });

  it('runs a lane of `take` 1 strictly one job at a time, and a wider lane at once', async () => {
    let running = 0;
    let most = 0;
    const handle: Run = async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return 'done';
    };
    for (const key of ['a', 'b', 'c']) {
      await queue.enqueue(ingest(key));
      await queue.enqueue(writeBack(key));
    }
    const serial = runner([lane(handle)]);
    expect(await serial.processDue()).toBe(1);
    while ((await serial.processDue()) > 0);
    expect(most).toBe(1);
    const counts = await queue.counts();
    expect(counts.frigate_ingest.done + counts.frigate_write_description.done).toBe(6);

    for (const key of ['d', 'e', 'f']) await queue.enqueue(ingest(key));
    most = 0;
    expect(await runner([lane(handle, { take: 3 })]).processDue()).toBe(3);
    expect(most).toBe(3);
  });

  it('hands a batch handler the jobs of a pass together, and records each one’s end', async () => {
    const batches: string[][] = [];
    const jobs = runner([
      {
        name: 'batch',
        take: 3,
        retry: RETRY,
        handlers: [
          {
            kind: 'frigate_ingest',
            runBatch: async (claimed) => {
              batches.push(claimed.map((j) => j.key));
              return claimed.map((j) => (j.key === 'b' ? { error: new VigilError('invalid_argument', 'bad') } : 'done'));
            },
          },
          { kind: 'frigate_write_description', run: async () => 'done' },
        ],
      },
    ]);
    for (const key of ['a', 'b', 'c', 'd']) await queue.enqueue(ingest(key));
    while ((await jobs.processDue()) > 0);
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect((await queue.counts()).frigate_ingest).toMatchObject({ done: 3, failed: 1 });
    expect((await queue.get('frigate_ingest', 'b'))?.lastError).toBe('invalid_argument: bad');
  });

  it('wakes the lane of a kind when work is queued instead of waiting for the next poll, and stops gracefully', async () => {
    const done: string[] = [];
    let stopAt: (() => void) | undefined;
    const jobs = runner([
      lane(
        (job, { signal }) =>
          new Promise<JobResult>((resolve, reject) => {
            if (job.key === 'slow') {
              stopAt?.();
              signal.addEventListener('abort', () => reject(new VigilError('aborted', 'stopped')), { once: true });
              return;
            }
            done.push(job.key);
            resolve('done');
          }),
        { pollMs: 3_600_000 },
      ),
    ]);
    const stop = new AbortController();
    const running = jobs.run({ signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.enqueue(ingest('a'));
    await vi.waitFor(() => expect(done).toEqual(['a']), { timeout: 2000 });

    // Stopping while a job runs: it ends, and is due again at once for the next start.
    const reached = new Promise<void>((resolve) => (stopAt = resolve));
    await queue.enqueue(ingest('slow'));
    await reached;
    stop.abort();
    await running;
    expect(await queue.get('frigate_ingest', 'slow')).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: now, lastError: 'aborted: stopped' });
  });

  it('at start, queues again what a dead process left running; a lane that cannot start leaves the others working', async () => {
    await queue.enqueue(ingest('a'));
    const [lost] = await queue.claimDue(['frigate_ingest'], 1, { leaseMs: 3_600_000 });
    await queue.enqueue({ kind: 'embed_event', key: 'e1', payload: {} });
    const stop = new AbortController();
    const handled: string[] = [];
    const jobs = runner(
      [
        lane(async (job) => (handled.push(job.key), 'done')),
        {
          name: 'broken',
          take: 1,
          retry: RETRY,
          handlers: [{ kind: 'embed_event', runBatch: async () => [] }],
          start: () => Promise.reject(new Error('no sqlite-vec here')),
        },
      ],
      ['frigate_ingest', 'frigate_write_description', 'embed_event'],
      async () => stop.abort(),
    );
    await jobs.run({ signal: stop.signal });
    expect(handled).toEqual(['a']);
    expect(await queue.get('frigate_ingest', 'a')).toMatchObject({ status: 'done', attempts: 2 });
    expect(await queue.complete(lost!)).toBe('stale');
  });
});
