import { VigilError, isVigilError } from '../../domain/errors.ts';
import type { AnalysisStore, StoredEvent } from '../../ports/analysis-store.ts';
import type { ClipFrameExtractor } from '../../ports/clip-frames.ts';
import type { EventImageFiles } from '../../ports/event-image-files.ts';
import type { EventNotifier } from '../../ports/event-feed.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { FrigateApi, FrigateImage } from '../../ports/frigate-api.ts';
import type { ClaimedJob } from '../../ports/job-queue.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import { frigateToVigilEvent, type FrigateCameraContext } from './frigate-event-mapping.ts';
import { frigateEventMessageSchema, type FrigateObject } from './frigate-message.ts';
import { cameraRules, type FrigateCameraRules, type FrigateTriggerSettings } from './frigate-triggers.ts';

export interface FrigateIngestDeps {
  api: FrigateApi;
  store: Pick<AnalysisStore, 'upsertSource' | 'findRun' | 'createRun' | 'commitFrames'>;
  events: Pick<EventStore, 'getEvent'>;
  images: EventImageFiles;
  notifier: EventNotifier;
  /** Queues closed events for description (the existing description layer), when there is one. */
  descriptions?: { enqueueClosed(events: readonly StoredEvent[]): Promise<number> };
  settings: FrigateTriggerSettings;
  /** Names and time zones for summaries (from the Vigil camera of the same id, when configured). */
  cameraContext(rules: FrigateCameraRules): FrigateCameraContext;
  /** Frames taken from each ended event's clip and described with its snapshot (`frigate.clip_frames`). */
  clips?: { frames: number; extractor: ClipFrameExtractor };
  clock: Clock;
  logger: Logger;
}

/**
 * Frigate adds an event's last recording segment some seconds after the event ends: until this
 * long after the end, a missing clip is waited for (the job is retried); after it, given up.
 */
export const CLIP_READY_WITHIN_MS = 60_000;

/** The settings key of the one run per camera that holds Frigate's events. */
export const FRIGATE_RUN_KEY = 'frigate';

/**
 * One ingest job: the Frigate event's latest message as a Vigil event on the camera's "frigate"
 * run, with Frigate's snapshot as its snapshot, announced as new/update, and queued for
 * description once closed. When Frigate is unreachable the event is still stored (searchable at
 * once) and the job is retried for the image; every step is an upsert, so retries are harmless.
 */
export class FrigateIngest {
  /** Run ids per camera, kept as promises so that two jobs of a new camera never both make its run. */
  private readonly runs = new Map<string, Promise<number>>();
  private readonly log: Logger;

  constructor(private readonly deps: FrigateIngestDeps) {
    this.log = deps.logger.child({ module: 'frigate-ingest' });
  }

  async process(job: ClaimedJob<'frigate_ingest'>, signal?: AbortSignal): Promise<void> {
    const parsed = frigateEventMessageSchema.safeParse(job.payload.message);
    if (!parsed.success) throw new VigilError('invalid_argument', `stored Frigate message is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
    const message = parsed.data;
    const camera = this.deps.cameraContext(cameraRules(this.deps.settings, message.after.camera));
    // The job's name for the event: stable even for events stored under the older id encoding.
    const event = frigateToVigilEvent(message, camera, job.payload.eventId);
    const runId = await this.runFor(message.after.camera, camera.vigilCamera);
    const existing = await this.deps.events.getEvent(event.id);

    let image: FrigateImage | undefined;
    try {
      image = await this.fetchImage(message.after, signal);
    } catch (error) {
      if (!isVigilError(error) || !error.retryable) {
        this.log.warn({ frigateId: job.key, err: error instanceof Error ? error.message : String(error) }, 'Frigate image unusable; event kept without it');
      } else {
        // Frigate is down: keep what the message told, fetch the image on a later try.
        if (!existing) await this.commit({ runId, event, thumbnails: {} }, 'new');
        throw error;
      }
    }
    let snapshotPath = existing?.snapshotPath;
    if (image) {
      snapshotPath = this.deps.images.snapshotPath(runId, event.id);
      await this.deps.images.write(snapshotPath, image.data);
    }
    const base: StoredEvent = { runId, event, thumbnails: {}, ...(snapshotPath !== undefined ? { snapshotPath } : {}) };
    let clipFrames = existing?.clipFrames;
    if (event.status === 'closed' && clipFrames === undefined && this.deps.clips && message.after.has_clip !== false) {
      try {
        clipFrames = await this.clipFrames(message.after, runId, event.id, signal);
      } catch (error) {
        // Not there yet, or Frigate is down: keep what we have and come back for the clip.
        await this.commit(base, existing ? 'update' : 'new');
        throw error;
      }
    }
    const stored: StoredEvent = { ...base, ...(clipFrames?.length ? { clipFrames } : {}) };
    await this.commit(stored, existing ? 'update' : 'new');
    if (event.status === 'closed' && snapshotPath !== undefined) await this.deps.descriptions?.enqueueClosed([stored]);
  }

  private async commit(stored: StoredEvent, change: 'new' | 'update'): Promise<void> {
    await this.deps.store.commitFrames(stored.runId, [], { events: [stored] });
    this.deps.notifier.notify([{ change, stored }]);
  }

  /**
   * Frames of the event's clip, written beside its snapshot. A clip Frigate does not have (yet) is
   * retried until CLIP_READY_WITHIN_MS after the event's end; a clip that cannot be used (too
   * large, not a video) is logged and the event described without it.
   */
  private async clipFrames(object: FrigateObject, runId: number, eventId: string, signal: AbortSignal | undefined): Promise<string[] | undefined> {
    const { api, images } = this.deps;
    const { frames: count, extractor } = this.deps.clips as NonNullable<FrigateIngestDeps['clips']>;
    let clip: Uint8Array | undefined;
    try {
      clip = await api.clip(object.id, signal);
    } catch (error) {
      if (isVigilError(error) && error.retryable) throw error;
      this.log.warn({ frigateId: object.id, err: error instanceof Error ? error.message : String(error) }, 'Frigate clip unusable; event described without it');
      return undefined;
    }
    if (clip === undefined) {
      const endedMs = (object.end_time ?? object.start_time) * 1000;
      if (this.deps.clock.now() - endedMs < CLIP_READY_WITHIN_MS) {
        throw new VigilError('input_unreachable', `Frigate has no clip of event ${object.id} yet`, { retryable: true });
      }
      this.log.info({ frigateId: object.id }, 'Frigate has no clip of this event; described without one');
      return undefined;
    }
    let frames: Uint8Array[];
    try {
      frames = await extractor.extract(clip, count, signal);
    } catch (error) {
      this.log.warn({ frigateId: object.id, err: error instanceof Error ? error.message : String(error) }, 'frames could not be taken from the Frigate clip');
      return undefined;
    }
    const paths: string[] = [];
    for (const [i, frame] of frames.entries()) {
      const path = images.clipFramePath(runId, eventId, i + 1);
      await images.write(path, frame);
      paths.push(path);
    }
    return paths;
  }

  /** The snapshot when Frigate keeps one (the best frame, full size), else its small crop. */
  private async fetchImage(object: FrigateObject, signal: AbortSignal | undefined): Promise<FrigateImage | undefined> {
    if (object.has_snapshot !== false) {
      const snapshot = await this.deps.api.snapshot(object.id, signal);
      if (snapshot) return snapshot;
    }
    return this.deps.api.thumbnail(object.id, signal);
  }

  /** One source and one run per Frigate camera, made on first use and found again after restarts. */
  private runFor(frigateCamera: string, vigilCamera: string): Promise<number> {
    const key = `${frigateCamera}\u0000${vigilCamera}`;
    let run = this.runs.get(key);
    if (run === undefined) {
      run = this.findOrCreateRun(frigateCamera, vigilCamera);
      this.runs.set(key, run);
      // A failed look-up is tried again by the next job.
      run.catch(() => this.runs.delete(key));
    }
    return run;
  }

  private async findOrCreateRun(frigateCamera: string, vigilCamera: string): Promise<number> {
    const now = this.deps.clock.now();
    const sourceId = await this.deps.store.upsertSource(
      { uri: `frigate://${frigateCamera}`, kind: 'stream', fingerprint: `frigate:${frigateCamera}`, codec: 'frigate', width: 0, height: 0, fps: 0 },
      vigilCamera,
    );
    const run =
      (await this.deps.store.findRun(sourceId, vigilCamera, FRIGATE_RUN_KEY)) ??
      (await this.deps.store.createRun({ sourceId, cameraId: vigilCamera, settingsKey: FRIGATE_RUN_KEY, settings: { source: 'frigate', camera: frigateCamera }, startTimeMs: now, startTimeSource: 'frigate', startedAt: now }));
    return run.id;
  }
}
