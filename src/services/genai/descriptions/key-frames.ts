import type { Evidence } from '../../../domain/events/event-types.ts';
import type { Box } from '../../../domain/geometry.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { ImagePreparer } from '../../../ports/image-preparer.ts';
import type { LlmImage } from '../../../ports/llm-provider.ts';
import type { Logger } from '../../../ports/logger.ts';

/** A model sees at most this many images per event: key frames, never the video. */
export const MAX_KEY_FRAMES = 3;
/** Actors shown by their own best view, next to the snapshot. */
const MAX_ACTOR_VIEWS = 2;

/** Reads a file under the data directory; undefined when it does not exist. */
export type DataFileReader = (relativePath: string) => Promise<Uint8Array | undefined>;

export interface KeyFrameBox {
  trackId: string;
  label: string;
  box: Box;
}

export interface KeyFrame {
  /** The snapshot (actors' boxes and the rule drawn), one actor's best-view crop, or a frame of the event's video clip. */
  kind: 'snapshot' | 'actor' | 'clip';
  /** Relative to the data directory. */
  path: string;
  frameIndex: number;
  timestampMs?: number;
  /** For `actor`: whose crop it is. */
  trackId?: string;
  /** What the detector saw in this image (for a crop: the crop's own box in the frame). */
  boxes: KeyFrameBox[];
}

export interface KeyFrameSelection {
  frames: KeyFrame[];
  /** Tried when none of `frames` can be read (the snapshot, when it is not in `frames`). */
  fallback?: KeyFrame;
}

export interface LoadedKeyFrame {
  frame: KeyFrame;
  image: LlmImage;
}

function labelOf(stored: StoredEvent, trackId: string): string {
  return stored.event.actors.find((a) => a.trackId === trackId)?.label ?? 'object';
}

function snapshotFrame(stored: StoredEvent): KeyFrame | undefined {
  if (stored.snapshotPath === undefined) return undefined;
  const { event } = stored;
  const seen = new Set<string>();
  const boxes: KeyFrameBox[] = [];
  let timestampMs: number | undefined;
  for (const e of event.evidence) {
    if (e.frameIndex !== event.snapshotFrameIndex) continue;
    timestampMs ??= e.timestampMs;
    if (seen.has(e.trackId)) continue;
    seen.add(e.trackId);
    boxes.push({ trackId: e.trackId, label: labelOf(stored, e.trackId), box: e.box });
  }
  return {
    kind: 'snapshot',
    path: stored.snapshotPath,
    frameIndex: event.snapshotFrameIndex,
    ...(timestampMs !== undefined ? { timestampMs } : {}),
    boxes,
  };
}

/** The evidence the thumbnail was cut from: the last best view of the track, else its best-scored sighting. */
function bestView(evidence: readonly Evidence[], trackId: string): Evidence | undefined {
  const own = evidence.filter((e) => e.trackId === trackId);
  const views = own.filter((e) => e.kind === 'best_view');
  if (views.length > 0) return views[views.length - 1];
  return own.reduce<Evidence | undefined>((best, e) => (best === undefined || e.score > best.score ? e : best), undefined);
}

function actorFrame(stored: StoredEvent, trackId: string, path: string): KeyFrame {
  const view = bestView(stored.event.evidence, trackId);
  return {
    kind: 'actor',
    path,
    frameIndex: view?.frameIndex ?? stored.event.snapshotFrameIndex,
    ...(view !== undefined ? { timestampMs: view.timestampMs } : {}),
    trackId,
    boxes: view !== undefined ? [{ trackId, label: labelOf(stored, trackId), box: view.box }] : [],
  };
}

/**
 * Which images describe an event, at most three: with `useSnapshot` the snapshot alone; with
 * frames of the event's clip (Frigate's), the snapshot and those frames; else the best-view crops
 * of up to two actors, plus the snapshot for context when something crossed a line (a crop cannot
 * show where the line is). Without crops, the snapshot.
 */
export function selectKeyFrames(stored: StoredEvent, options: { useSnapshot: boolean }): KeyFrameSelection {
  const snapshot = snapshotFrame(stored);
  if (options.useSnapshot) return { frames: snapshot ? [snapshot] : [] };
  const clip = (stored.clipFrames ?? []).map((path): KeyFrame => ({ kind: 'clip', path, frameIndex: stored.event.snapshotFrameIndex, boxes: [] }));
  if (clip.length > 0) return { frames: [...(snapshot ? [snapshot] : []), ...clip].slice(0, MAX_KEY_FRAMES) };
  const actors = stored.event.actors
    .filter((a) => Object.hasOwn(stored.thumbnails, a.trackId))
    .slice(0, MAX_ACTOR_VIEWS)
    .map((a) => actorFrame(stored, a.trackId, stored.thumbnails[a.trackId] as string));
  if (actors.length === 0) return { frames: snapshot ? [snapshot] : [] };
  const crossing = stored.event.type === 'line_crossing' || stored.event.evidence.some((e) => e.kind === 'crossing');
  const frames = crossing && snapshot ? [...actors, snapshot] : actors;
  return { frames: frames.slice(0, MAX_KEY_FRAMES), ...(snapshot && !frames.includes(snapshot) ? { fallback: snapshot } : {}) };
}

export interface KeyFrameLoaderDeps {
  read: DataFileReader;
  preparer: ImagePreparer;
  maxSize: number;
  logger?: Logger;
}

/**
 * Reads and prepares the selected frames; a missing or undecodable file is skipped (and the
 * fallback tried when nothing is left). An empty result means: nothing to show the model.
 */
export async function loadKeyFrames(selection: KeyFrameSelection, deps: KeyFrameLoaderDeps): Promise<LoadedKeyFrame[]> {
  const load = async (frames: readonly KeyFrame[]) => {
    const loaded: LoadedKeyFrame[] = [];
    for (const frame of frames.slice(0, MAX_KEY_FRAMES)) {
      const data = await deps.read(frame.path);
      if (data === undefined) {
        deps.logger?.warn({ path: frame.path }, 'key frame file is missing');
        continue;
      }
      try {
        loaded.push({ frame, image: await deps.preparer.prepare({ data }, deps.maxSize) });
      } catch (error) {
        deps.logger?.warn({ path: frame.path, err: error }, 'key frame could not be prepared');
      }
    }
    return loaded;
  };
  const loaded = await load(selection.frames);
  if (loaded.length > 0 || selection.fallback === undefined) return loaded;
  return load([selection.fallback]);
}
