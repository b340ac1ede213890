import { VigilError, isVigilError } from '../../domain/errors.ts';
import type { AnalysisStore, StoredEvent } from '../../ports/analysis-store.ts';
import type { EventImageFiles } from '../../ports/event-image-files.ts';
import type { EventNotifier } from '../../ports/event-feed.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { FrigateApi, FrigateImage } from '../../ports/frigate-api.ts';
import type { FrigateJob } from '../../ports/frigate-job-store.ts';
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
  descriptions?: { enqueueClosed(events: readonly StoredEvent[]): number };
  settings: FrigateTriggerSettings;
  /** Names and time zones for summaries (from the Vigil camera of the same id, when configured). */
  cameraContext(rules: FrigateCameraRules): FrigateCameraContext;
  clock: Clock;
  logger: Logger;
}

/** The settings key of the one run per camera that holds Frigate's events. */
export const FRIGATE_RUN_KEY = 'frigate';

/**
 * One ingest job: the Frigate event's latest message as a Vigil event on the camera's "frigate"
 * run, with Frigate's snapshot as its snapshot, announced as new/update, and queued for
 * description once closed. When Frigate is unreachable the event is still stored (searchable at
 * once) and the job is retried for the image; every step is an upsert, so retries are harmless.
 */
export class FrigateIngest {
  private readonly runs = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly deps: FrigateIngestDeps) {
    this.log = deps.logger.child({ module: 'frigate-ingest' });
  }

  async process(job: FrigateJob, signal?: AbortSignal): Promise<void> {
    const parsed = frigateEventMessageSchema.safeParse(job.payload);
    if (!parsed.success) throw new VigilError('invalid_argument', `stored Frigate message is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
    const message = parsed.data;
    const camera = this.deps.cameraContext(cameraRules(this.deps.settings, message.after.camera));
    const event = frigateToVigilEvent(message, camera);
    const runId = this.runFor(message.after.camera, camera.vigilCamera);
    const existing = this.deps.events.getEvent(event.id);

    let image: FrigateImage | undefined;
    try {
      image = await this.fetchImage(message.after, signal);
    } catch (error) {
      if (!isVigilError(error) || !error.retryable) {
        this.log.warn({ frigateId: job.frigateId, err: error instanceof Error ? error.message : String(error) }, 'Frigate image unusable; event kept without it');
      } else {
        // Frigate is down: keep what the message told, fetch the image on a later try.
        if (!existing) this.commit({ runId, event, thumbnails: {} }, 'new');
        throw error;
      }
    }
    let snapshotPath = existing?.snapshotPath;
    if (image) {
      snapshotPath = this.deps.images.snapshotPath(runId, event.id);
      await this.deps.images.write(snapshotPath, image.data);
    }
    const stored: StoredEvent = { runId, event, thumbnails: {}, ...(snapshotPath !== undefined ? { snapshotPath } : {}) };
    this.commit(stored, existing ? 'update' : 'new');
    if (event.status === 'closed' && snapshotPath !== undefined) this.deps.descriptions?.enqueueClosed([stored]);
  }

  private commit(stored: StoredEvent, change: 'new' | 'update'): void {
    this.deps.store.commitFrames(stored.runId, [], { events: [stored] });
    this.deps.notifier.notify([{ change, stored }]);
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
  private runFor(frigateCamera: string, vigilCamera: string): number {
    const key = `${frigateCamera}\u0000${vigilCamera}`;
    const known = this.runs.get(key);
    if (known !== undefined) return known;
    const now = this.deps.clock.now();
    const sourceId = this.deps.store.upsertSource(
      { uri: `frigate://${frigateCamera}`, kind: 'stream', fingerprint: `frigate:${frigateCamera}`, codec: 'frigate', width: 0, height: 0, fps: 0 },
      vigilCamera,
    );
    const run =
      this.deps.store.findRun(sourceId, vigilCamera, FRIGATE_RUN_KEY) ??
      this.deps.store.createRun({ sourceId, cameraId: vigilCamera, settingsKey: FRIGATE_RUN_KEY, settings: { source: 'frigate', camera: frigateCamera }, startTimeMs: now, startTimeSource: 'frigate', startedAt: now });
    this.runs.set(key, run.id);
    return run.id;
  }
}
