import { describe, expect, it } from 'vitest';
import type { RetentionRun } from '../../ports/retention-store.ts';
import {
  actionFor,
  ageCutoff,
  bucketUsage,
  DAY_MS,
  findOrphans,
  keepDays,
  mergeDiskCut,
  planByAge,
  planDiskCap,
  retentionActive,
  type RetentionPolicy,
} from './retention-plan.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;

function run(seed: Partial<RetentionRun> & { runId: number }): RetentionRun {
  return { cameraId: 'back', status: 'complete', startedAt: NOW - 30 * DAY_MS, resumable: false, ...seed };
}

const policy = (p: Partial<RetentionPolicy> = {}): RetentionPolicy => ({ cameras: new Map(), ...p });

describe('retention policy', () => {
  it('takes a camera’s own days, its explicit forever, or the global days', () => {
    const p = policy({ days: 30, cameras: new Map([['front', 7], ['yard', undefined]]) });
    expect(keepDays(p, 'front')).toBe(7);
    expect(keepDays(p, 'yard')).toBeUndefined();
    expect(keepDays(p, 'back')).toBe(30);
    expect(ageCutoff(p, 'front', NOW)).toBe(NOW - 7 * DAY_MS);
    expect(ageCutoff(p, 'yard', NOW)).toBeUndefined();
    expect(ageCutoff(policy({ days: 0.5 }), 'back', NOW)).toBe(NOW - 12 * HOUR);
  });

  it('is active only when something can expire', () => {
    expect(retentionActive(policy())).toBe(false);
    expect(retentionActive(policy({ cameras: new Map([['yard', undefined]]) }))).toBe(false);
    expect(retentionActive(policy({ cameras: new Map([['yard', 3]]) }))).toBe(true);
    expect(retentionActive(policy({ days: 1 }))).toBe(true);
    expect(retentionActive(policy({ maxDiskBytes: 10 }))).toBe(true);
  });
});

describe('actionFor (a cut at one time)', () => {
  const cut = NOW - 7 * DAY_MS;

  it('trims a running live run by time and never deletes it whole', () => {
    const live = run({ runId: 1, status: 'running', startedAt: NOW - 20 * DAY_MS, oldestMs: NOW - 20 * DAY_MS, newestMs: NOW - HOUR });
    expect(actionFor(live, cut, 'age')).toEqual({ runId: 1, cameraId: 'back', beforeMs: cut, whole: false, reason: 'age' });
    // Even when everything in it is old: a running run may get new rows at any moment.
    expect(actionFor({ ...live, newestMs: cut - 1 }, cut, 'age')?.whole).toBe(false);
    expect(actionFor({ ...live, oldestMs: cut }, cut, 'age')).toBeUndefined();
  });

  it('deletes an ended run whole once everything in it is older, and trims it otherwise', () => {
    const ended = run({ runId: 2, status: 'failed', oldestMs: cut - 5 * DAY_MS, newestMs: cut - 1 });
    expect(actionFor(ended, cut, 'age')?.whole).toBe(true);
    expect(actionFor({ ...ended, newestMs: cut + 1 }, cut, 'age')?.whole).toBe(false);
    expect(actionFor(run({ runId: 3 }), cut, 'age')?.whole).toBe(true); // empty
  });

  it('keeps what was analysed within the window, however old the footage', () => {
    const recording = run({ runId: 4, startedAt: NOW - DAY_MS, oldestMs: NOW - 400 * DAY_MS, newestMs: NOW - 399 * DAY_MS });
    expect(actionFor(recording, cut, 'age')).toBeUndefined();
    expect(actionFor({ ...recording, startedAt: cut - 1 }, cut, 'age')?.whole).toBe(true);
  });

  it('deletes an unfinished file analysis whole or not at all (a resume replays it from frame 0)', () => {
    const interrupted = run({ runId: 5, status: 'interrupted', resumable: true, oldestMs: cut - DAY_MS, newestMs: cut + HOUR });
    expect(actionFor(interrupted, cut, 'age')).toBeUndefined();
    expect(actionFor({ ...interrupted, newestMs: cut - 1 }, cut, 'age')?.whole).toBe(true);
    expect(actionFor({ ...interrupted, status: 'running', newestMs: cut - 1 }, cut, 'age')).toBeUndefined();
  });
});

describe('planByAge', () => {
  it('cuts each run at its own camera’s days', () => {
    const runs = [
      run({ runId: 1, cameraId: 'front', status: 'running', oldestMs: NOW - 10 * DAY_MS, newestMs: NOW }),
      run({ runId: 2, cameraId: 'back', status: 'running', oldestMs: NOW - 10 * DAY_MS, newestMs: NOW }),
      run({ runId: 3, cameraId: 'yard', status: 'running', oldestMs: NOW - 10 * DAY_MS, newestMs: NOW }),
    ];
    const actions = planByAge(runs, policy({ days: 30, cameras: new Map([['front', 7], ['yard', undefined]]) }), NOW);
    expect(actions).toEqual([{ runId: 1, cameraId: 'front', beforeMs: NOW - 7 * DAY_MS, whole: false, reason: 'age' }]);
    expect(planByAge(runs, policy({ days: 5 }), NOW).map((a) => a.runId)).toEqual([1, 2, 3]);
    expect(planByAge(runs, policy(), NOW)).toEqual([]);
  });
});

describe('planDiskCap', () => {
  const live = (runId: number, cameraId: string) => run({ runId, cameraId, status: 'running', startedAt: NOW - 10 * DAY_MS, oldestMs: NOW - 10 * DAY_MS, newestMs: NOW });
  const runs = [live(1, 'front'), live(2, 'back')];
  // One bucket per camera per day, 100 bytes each: day 9 (oldest) .. day 0, interleaved across cameras.
  const buckets = [1, 2].flatMap((runId) => Array.from({ length: 10 }, (_, d) => ({ runId, timeMs: NOW - (d + 0.5) * DAY_MS, bytes: 100 })));

  it('cuts oldest first across cameras until the files fit', () => {
    const plan = planDiskCap(runs, { buckets, keptBytes: 0, orphanBytes: 0 }, 1_500, []);
    // 2,000 bytes, 500 to free: the five oldest buckets (days 9, 9, 8, 8, 7 of either camera).
    expect(plan.neededBytes).toBe(2_000);
    expect(plan.beforeMs).toBe(NOW - 7.5 * DAY_MS + 1);
    // Both day-7 buckets share a time, so both go: 600 freed.
    expect(plan.expectedBytes).toBe(1_400);
    const actions = mergeDiskCut(runs, [], plan.beforeMs);
    expect(actions.map((a) => [a.runId, a.beforeMs, a.whole, a.reason])).toEqual([
      [1, NOW - 7.5 * DAY_MS + 1, false, 'disk'],
      [2, NOW - 7.5 * DAY_MS + 1, false, 'disk'],
    ]);
  });

  it('does nothing under the cap, and counts what the age rule and the orphan sweep already free', () => {
    expect(planDiskCap(runs, { buckets, keptBytes: 0, orphanBytes: 0 }, 2_000, []).beforeMs).toBeUndefined();
    const byAge = planByAge(runs, policy({ cameras: new Map([['front', 5]]) }), NOW);
    // front's days 5..9 go by age (500 bytes); orphans are swept anyway.
    const plan = planDiskCap(runs, { buckets, keptBytes: 0, orphanBytes: 700 }, 1_500, byAge);
    expect(plan.neededBytes).toBe(1_500);
    expect(plan.beforeMs).toBeUndefined();
  });

  it('never counts kept bytes or a running file analysis as freeable', () => {
    const analysing = run({ runId: 3, status: 'running', resumable: true, startedAt: NOW - 20 * DAY_MS, newestMs: NOW - 19 * DAY_MS });
    const old = [{ runId: 3, timeMs: NOW - 19 * DAY_MS, bytes: 1_000 }];
    const plan = planDiskCap([...runs, analysing], { buckets: [...buckets, ...old], keptBytes: 300, orphanBytes: 0 }, 2_000, []);
    // 3,300 bytes, of which 1,300 cannot go: 1,300 freed from the 2,000 that can, oldest first.
    expect(plan.neededBytes).toBe(3_300);
    expect(plan.beforeMs).toBe(NOW - 3.5 * DAY_MS + 1);
    expect(plan.expectedBytes).toBe(1_900);
  });

  it('ages an old recording by when it was analysed, and takes an ended file analysis as one piece', () => {
    const recording = run({ runId: 4, cameraId: 'clip', startedAt: NOW - 2 * DAY_MS, oldestMs: NOW - 400 * DAY_MS, newestMs: NOW - 399 * DAY_MS });
    const interrupted = run({ runId: 5, cameraId: 'clip', status: 'interrupted', resumable: true, startedAt: NOW - 9.8 * DAY_MS, newestMs: NOW - 9.9 * DAY_MS });
    const extra = [
      { runId: 4, timeMs: NOW - 400 * DAY_MS, bytes: 500 },
      { runId: 5, timeMs: NOW - 9.95 * DAY_MS, bytes: 50 },
      { runId: 5, timeMs: NOW - 9.9 * DAY_MS, bytes: 50 },
    ];
    const all = [...runs, recording, interrupted];
    const plan = planDiskCap(all, { buckets: [...buckets, ...extra], keptBytes: 0, orphanBytes: 0 }, 2_500, []);
    // 2,600 bytes, 100 to free: the interrupted analysis (analysed 9.8 days ago), not the year-old recording.
    expect(plan.beforeMs).toBe(NOW - 9.8 * DAY_MS + 1);
    const actions = mergeDiskCut(all, [], plan.beforeMs);
    // The live runs' rows older than the cut (from 10 days ago) go too; the recording stays whole.
    expect(actions.map((a) => [a.runId, a.whole])).toEqual([[1, false], [2, false], [5, true]]);
  });
});

describe('mergeDiskCut', () => {
  it('keeps the age action where it reaches further, and whole-run deletions', () => {
    const runs = [
      run({ runId: 1, status: 'running', startedAt: NOW - 10 * DAY_MS, oldestMs: NOW - 10 * DAY_MS, newestMs: NOW }),
      run({ runId: 2, status: 'running', startedAt: NOW - 10 * DAY_MS, oldestMs: NOW - 10 * DAY_MS, newestMs: NOW }),
      run({ runId: 3, oldestMs: NOW - 9 * DAY_MS, newestMs: NOW - 8 * DAY_MS }),
    ];
    const byAge = [
      { runId: 1, cameraId: 'back', beforeMs: NOW - DAY_MS, whole: false, reason: 'age' as const },
      { runId: 3, cameraId: 'back', beforeMs: NOW - 7 * DAY_MS, whole: true, reason: 'age' as const },
    ];
    const merged = mergeDiskCut(runs, byAge, NOW - 5 * DAY_MS);
    expect(merged.map((a) => [a.runId, a.beforeMs, a.whole, a.reason])).toEqual([
      [1, NOW - DAY_MS, false, 'age'],
      [2, NOW - 5 * DAY_MS, false, 'disk'],
      [3, NOW - 7 * DAY_MS, true, 'age'],
    ]);
    expect(mergeDiskCut(runs, byAge, undefined)).toEqual(byAge);
  });
});

describe('bucketUsage and findOrphans', () => {
  it('groups a run’s files by minute, timed by the newest', () => {
    const buckets = bucketUsage(7, [
      { timeMs: 60_000, bytes: 1 },
      { timeMs: 119_999, bytes: 2 },
      { timeMs: 120_000, bytes: 4 },
    ]);
    expect(buckets).toEqual([
      { runId: 7, timeMs: 119_999, bytes: 3 },
      { runId: 7, timeMs: 120_000, bytes: 4 },
    ]);
  });

  it('finds files no row points to, leaving young ones alone', () => {
    const files = [
      { path: 'runs/run-1/frames/0000001.jpg', bytes: 1, modifiedMs: 100 },
      { path: 'runs/run-1/frames/0000002.jpg', bytes: 1, modifiedMs: 100 },
      { path: 'runs/run-1/events/e1/snapshot.jpg.tmp', bytes: 1, modifiedMs: 100 },
      { path: 'runs/run-1/frames/0000003.jpg', bytes: 1, modifiedMs: 900 },
    ];
    const orphans = findOrphans(files, new Set(['runs/run-1/frames/0000001.jpg']), 500);
    expect(orphans.map((f) => f.path)).toEqual(['runs/run-1/frames/0000002.jpg', 'runs/run-1/events/e1/snapshot.jpg.tmp']);
  });
});
