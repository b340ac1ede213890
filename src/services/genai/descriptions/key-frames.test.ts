import { describe, expect, it, vi } from 'vitest';
import type { VigilEvent } from '../../../domain/events/event-types.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { ImagePreparer } from '../../../ports/image-preparer.ts';
import { loadKeyFrames, MAX_KEY_FRAMES, selectKeyFrames, type KeyFrame } from './key-frames.ts';
import { EVENT } from './testing/event-fixture.ts';

const SNAPSHOT = 'runs/run-1/events/e/snapshot.jpg';
const thumb = (id: string) => `runs/run-1/events/e/thumb-${id}.jpg`;

function stored(event: Partial<VigilEvent>, media: { snapshot?: boolean; thumbnails?: string[] } = {}): StoredEvent {
  return {
    runId: 1,
    event: { ...EVENT, ...event },
    ...(media.snapshot === false ? {} : { snapshotPath: SNAPSHOT }),
    thumbnails: Object.fromEntries((media.thumbnails ?? []).map((id) => [id, thumb(id)])),
  };
}

const people = (...ids: string[]) => ids.map((trackId) => ({ trackId, label: 'person', family: 'person' as const }));
const paths = (frames: readonly KeyFrame[]) => frames.map((f) => f.path);

describe('selectKeyFrames', () => {
  it('with use_snapshot sends the snapshot alone, with the boxes of its frame', () => {
    const selection = selectKeyFrames(stored({}, { thumbnails: ['p3', 'v1'] }), { useSnapshot: true });
    expect(selection).toEqual({
      frames: [
        {
          kind: 'snapshot',
          path: SNAPSHOT,
          frameIndex: 120,
          timestampMs: EVENT.startMs + 4000,
          boxes: [
            { trackId: 'p3', label: 'person', box: { x1: 110, y1: 210, x2: 160, y2: 390 } },
            { trackId: 'v1', label: 'car', box: { x1: 400, y1: 300, x2: 700, y2: 500 } },
          ],
        },
      ],
    });
  });

  it("with frames of the event's clip sends the snapshot and them, at most three images; use_snapshot still means the snapshot alone", () => {
    const clip = ['runs/run-1/events/e/clip-1.jpg', 'runs/run-1/events/e/clip-2.jpg', 'runs/run-1/events/e/clip-3.jpg'];
    const event: StoredEvent = { ...stored({}, { thumbnails: ['p3'] }), clipFrames: clip };
    const selection = selectKeyFrames(event, { useSnapshot: false });
    expect(paths(selection.frames)).toEqual([SNAPSHOT, clip[0], clip[1]]);
    expect(selection.frames.slice(1).map((f) => [f.kind, f.boxes])).toEqual([['clip', []], ['clip', []]]);
    const { snapshotPath: _none, ...withoutSnapshot } = event;
    expect(paths(selectKeyFrames(withoutSnapshot, { useSnapshot: false }).frames)).toEqual(clip);
    expect(paths(selectKeyFrames(event, { useSnapshot: true }).frames)).toEqual([SNAPSHOT]);
  });

  it('sends two actors and the snapshot of a crossing, never more than three images', () => {
    const event = stored({ actors: people('p1', 'p2', 'p3', 'p4'), evidence: [] }, { thumbnails: ['p1', 'p2', 'p3', 'p4'] });
    const selection = selectKeyFrames(event, { useSnapshot: false });
    expect(paths(selection.frames)).toEqual([thumb('p1'), thumb('p2'), SNAPSHOT]);
    expect(selection.frames.length).toBeLessThanOrEqual(MAX_KEY_FRAMES);
    expect(selection.fallback).toBeUndefined();
  });

  it('takes the crop box of each actor from its best view', () => {
    const [p3] = selectKeyFrames(stored({}, { thumbnails: ['p3'] }), { useSnapshot: false }).frames;
    expect(p3).toEqual({
      kind: 'actor',
      path: thumb('p3'),
      frameIndex: 115,
      timestampMs: EVENT.startMs + 3000,
      trackId: 'p3',
      boxes: [{ trackId: 'p3', label: 'person', box: { x1: 100.4, y1: 200.6, x2: 150.2, y2: 380 } }],
    });
  });

  it('sends only actors when nothing crossed a line, keeping the snapshot as a fallback', () => {
    const event = stored({ type: 'loitering', rule: 'porch', actors: people('p1', 'p2', 'p3'), evidence: [] }, { thumbnails: ['p2', 'p3'] });
    const selection = selectKeyFrames(event, { useSnapshot: false });
    expect(paths(selection.frames)).toEqual([thumb('p2'), thumb('p3')]);
    expect(selection.fallback?.path).toBe(SNAPSHOT);
  });

  it('sends the snapshot when no actor has a thumbnail, and nothing when there is no image at all', () => {
    expect(paths(selectKeyFrames(stored({ type: 'intrusion' }), { useSnapshot: false }).frames)).toEqual([SNAPSHOT]);
    expect(selectKeyFrames(stored({}, { snapshot: false }), { useSnapshot: false })).toEqual({ frames: [] });
    expect(selectKeyFrames(stored({}, { snapshot: false, thumbnails: ['p3'] }), { useSnapshot: true })).toEqual({ frames: [] });
  });

  it('never returns more than three images whatever the event holds', () => {
    for (let actors = 0; actors <= 6; actors++) {
      for (const type of ['line_crossing', 'intrusion', 'loitering', 'object_seen'] as const) {
        for (const useSnapshot of [false, true]) {
          const ids = Array.from({ length: actors }, (_, i) => `p${i}`);
          const selection = selectKeyFrames(stored({ type, actors: people(...ids) }, { thumbnails: ids }), { useSnapshot });
          expect(selection.frames.length).toBeLessThanOrEqual(3);
          expect(selection.frames.length).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe('loadKeyFrames', () => {
  const preparer: ImagePreparer = { prepare: vi.fn(async ({ data }) => ({ data: data.slice(0, 1), mimeType: 'image/jpeg' as const })) };

  it('reads each frame from the data dir and prepares it at image_max_size', async () => {
    const files: Record<string, Uint8Array> = { [thumb('p3')]: new Uint8Array([1, 2]), [SNAPSHOT]: new Uint8Array([3, 4]) };
    const read = vi.fn(async (path: string) => files[path]);
    const selection = selectKeyFrames(stored({}, { thumbnails: ['p3'] }), { useSnapshot: false });
    const loaded = await loadKeyFrames(selection, { read, preparer, maxSize: 640 });
    expect(read.mock.calls.map(([p]) => p)).toEqual([thumb('p3'), SNAPSHOT]);
    expect(vi.mocked(preparer.prepare).mock.calls.map(([, size]) => size)).toEqual([640, 640]);
    expect(loaded.map((l) => [l.frame.kind, [...l.image.data]])).toEqual([
      ['actor', [1]],
      ['snapshot', [3]],
    ]);
  });

  it('skips missing or undecodable files and falls back to the snapshot when nothing is left', async () => {
    const broken: ImagePreparer = {
      prepare: async ({ data }) => {
        if (data[0] === 0) throw new Error('not an image');
        return { data, mimeType: 'image/jpeg' };
      },
    };
    const files: Record<string, Uint8Array> = { [thumb('p2')]: new Uint8Array([0]), [SNAPSHOT]: new Uint8Array([9]) };
    const event = stored({ type: 'loitering', actors: people('p1', 'p2'), evidence: [] }, { thumbnails: ['p1', 'p2'] });
    const loaded = await loadKeyFrames(selectKeyFrames(event, { useSnapshot: false }), { read: async (p) => files[p], preparer: broken, maxSize: 512 });
    expect(loaded.map((l) => l.frame.path)).toEqual([SNAPSHOT]);
    expect(await loadKeyFrames(selectKeyFrames(event, { useSnapshot: false }), { read: async () => undefined, preparer: broken, maxSize: 512 })).toEqual([]);
  });
});
