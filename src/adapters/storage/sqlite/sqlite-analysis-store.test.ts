import { describe, expect, it } from 'vitest';
import { openSqliteDatabase, SqliteAnalysisStore } from './sqlite-analysis-store.ts';

describe('SqliteAnalysisStore.interruptAbandonedSessions', () => {
  it('marks only live sessions of the given cameras that are still running', () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteAnalysisStore(db);
    const source = (cameraId: string, uri: string) =>
      store.upsertSource({ uri, kind: 'stream', fingerprint: `url:${uri}`, codec: 'h264', width: 640, height: 480, fps: 10 }, cameraId);
    const run = (cameraId: string, settings: Record<string, unknown>, key: string) =>
      store.createRun({ sourceId: source(cameraId, `rtsp://${cameraId}`), cameraId, settingsKey: key, settings, startTimeMs: 0, startTimeSource: 'clock', startedAt: 0 });

    const abandoned = run('door', { session: 1000 }, 'a');
    const ended = run('door', { session: 900 }, 'b');
    store.finishRun(ended.id, 'complete', 950);
    const file = run('door', { fps: 5 }, 'c');
    const frigate = run('door', { source: 'frigate', camera: 'door' }, 'frigate');
    const otherCamera = run('yard', { session: 1000 }, 'd');

    expect(store.interruptAbandonedSessions(['door'], 5000)).toBe(1);
    const status = (id: number) => db.prepare('SELECT status, finished_at AS finishedAt FROM analysis_runs WHERE id = ?').get(id);
    expect(status(abandoned.id)).toEqual({ status: 'interrupted', finishedAt: 5000 });
    expect(status(ended.id)).toEqual({ status: 'complete', finishedAt: 950 });
    expect([file, frigate, otherCamera].map((r) => status(r.id))).toEqual([
      { status: 'running', finishedAt: null },
      { status: 'running', finishedAt: null },
      { status: 'running', finishedAt: null },
    ]);
    db.close();
  });
});

describe('run ids', () => {
  it('are never given twice, even after the newest run is deleted', () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteAnalysisStore(db);
    const sourceId = store.upsertSource({ uri: 'a.mp4', kind: 'file', fingerprint: 'f1', codec: 'h264', width: 640, height: 480, fps: 10 }, 'cam');
    const create = (key: string) => store.createRun({ sourceId, cameraId: 'cam', settingsKey: key, settings: {}, startTimeMs: 0, startTimeSource: 'clock', startedAt: 0 }).id;
    const first = create('a');
    const second = create('b');
    store.deleteRun(second);
    const third = create('c');
    expect([second, third]).toEqual([first + 1, first + 2]);
    db.close();
  });
});
