import { WorkerWakeup } from '../worker-wakeup.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { VigilEvent } from '../../../domain/events/event-types.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { ClaimedDescriptionJob, DescriptionJobStatus, DescriptionRequester, DescriptionStore } from '../../../ports/description-store.ts';
import type { EventNotifier } from '../../../ports/event-feed.ts';
import type { EventStore } from '../../../ports/event-store.ts';
import type { ImagePreparer } from '../../../ports/image-preparer.ts';
import type { Clock, Logger } from '../../../ports/logger.ts';
import type { ProviderRegistry, RequestPriority } from '../provider-registry.ts';
import { describeEvent } from './describe-event.ts';
import { storedDescriptionSchema, type EventDescription } from './description-schema.ts';
import {
  DEFAULT_CAMERA_GENAI,
  describePolicy,
  promptTemplate,
  type CameraGenaiSettings,
  type DescriptionCamera,
  type GenaiDescriptionSettings,
} from './description-settings.ts';
import { loadKeyFrames, selectKeyFrames, type DataFileReader } from './key-frames.ts';
import { buildDescriptionPrompt } from './prompt.ts';
import { DEFAULT_RETRY_SCHEDULE, errorText, retryDecision, type RetrySchedule } from './retry-schedule.ts';

export interface DescriptionServiceDeps {
  store: DescriptionStore;
  events: Pick<EventStore, 'getEvent'>;
  providers: ProviderRegistry;
  /** The provider of the descriptions role (genai.roles.descriptions). */
  providerName: string;
  preparer: ImagePreparer;
  /** Reads snapshots and thumbnails (paths relative to the data directory). */
  readFile: DataFileReader;
  genai: GenaiDescriptionSettings;
  cameras: readonly DescriptionCamera[];
  /** For events of cameras not in the configuration. */
  defaultTimeZone: string;
  clock: Clock;
  logger: Logger;
  /** Jobs the worker runs at once (the provider queue bounds the calls anyway). Default 2. */
  concurrency?: number;
  /** A running job not heard of for this long is taken over. Default 10 min. */
  leaseMs?: number;
  retry?: Partial<RetrySchedule>;
  /** Waits `ms` or until `signal` aborts (a new job, or the worker stopping); injected in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told when an event's description is stored (e.g. to embed the event again with it). */
  onDescribed?: (eventId: string) => void;
  /** Hears `described` notices (MQTT, Home Assistant, Frigate write-back) with the description's text. */
  notifier?: EventNotifier;
}

export interface DescriptionView {
  /** `none`: never requested. A done job may carry a flagged (invalid) description. */
  status: DescriptionJobStatus | 'none';
  attempts: number;
  requestedBy?: DescriptionRequester;
  lastError?: string;
  /** When a queued job is tried next (ms since the epoch). */
  nextAttemptAt?: number;
  description?: {
    provider: string;
    model: string;
    createdAt: number;
    /** True when the model's output stayed invalid after a repair: only `rawText` is there. */
    flagged: boolean;
    json?: EventDescription;
    rawText?: string;
  };
}

const DEFAULT_LEASE_MS = 10 * 60_000;
const DEFAULT_POLL_MS = 5_000;

/**
 * Describes events with a vision model from at most three key frames. Every request is a
 * durable job in the database: the worker takes due jobs, outages reschedule them with backoff
 * (never dropping one), refusals fail them with the reason, and a restart picks up what a crash
 * left running. `describe` is the synchronous path for a user waiting on the answer.
 */
export class DescriptionService {
  private readonly log: Logger;
  private readonly schedule: RetrySchedule;
  private readonly leaseMs: number;
  /** A job was queued while the worker was busy: its next idle must not sleep. */

  private readonly wakeup: WorkerWakeup;

  constructor(private readonly deps: DescriptionServiceDeps) {
    this.wakeup = new WorkerWakeup(deps.sleep);
    this.log = deps.logger.child({ module: 'descriptions' });
    this.schedule = { ...DEFAULT_RETRY_SCHEDULE, ...deps.retry };
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Whether an event is described automatically, by its camera's genai settings (the configured camera's by default). */
  shouldDescribe(event: VigilEvent, cameraGenai: CameraGenaiSettings = this.camera(event.cameraId).genai): boolean {
    return event.status === 'closed' && describePolicy(event, cameraGenai).describe;
  }

  /** For the pipeline: queue the events that just closed and that the policy selects. Returns how many were queued. */
  enqueueClosed(events: ReadonlyArray<StoredEvent | VigilEvent>): number {
    let queued = 0;
    for (const item of events) {
      const event = 'event' in item ? item.event : item;
      if (!this.shouldDescribe(event)) continue;
      const outcome = this.deps.store.enqueue(event.id, { requestedBy: 'auto', provider: this.deps.providerName });
      if (outcome === 'queued' || outcome === 'requeued') queued++;
      else if (outcome === 'unknown_event') this.log.warn({ eventId: event.id }, 'event to describe is not stored yet');
    }
    if (queued > 0) this.wakeup.kick();
    return queued;
  }

  /** Queues a description for the worker without waiting for it. */
  enqueue(eventId: string, options: { manual: boolean }): DescriptionView {
    const stored = this.requireEvent(eventId);
    this.checkPolicy(stored.event, options.manual);
    this.deps.store.enqueue(eventId, { requestedBy: options.manual ? 'manual' : 'auto', provider: this.deps.providerName });
    this.wakeup.kick();
    return this.state(eventId);
  }

  /**
   * Describes one event now, at interactive priority (regenerate, `vigil describe`). A manual
   * request always makes a new description; an automatic one only runs a queued job (a done,
   * failed or running one is returned as it is).
   * Provider errors are thrown after the job is rescheduled (outage) or failed (refusal).
   */
  async describe(eventId: string, options: { manual: boolean; signal?: AbortSignal }): Promise<DescriptionView> {
    const stored = this.requireEvent(eventId);
    this.checkPolicy(stored.event, options.manual);
    const requestedBy = options.manual ? 'manual' : 'auto';
    this.deps.store.enqueue(eventId, { requestedBy, provider: this.deps.providerName });
    const current = this.deps.store.state(eventId).job;
    if (!options.manual && current !== undefined && current.status !== 'queued') return this.state(eventId);
    const job = this.deps.store.claim(eventId, this.deps.clock.now(), { provider: this.deps.providerName });
    if (job === undefined) throw new VigilError('input_not_found', `no event with id "${eventId}"`);
    const error = await this.run(job, 'interactive', options.signal);
    if (error !== undefined) throw error;
    return this.state(eventId);
  }

  state(eventId: string): DescriptionView {
    const record = this.deps.store.state(eventId);
    const { job, description } = record;
    const view: DescriptionView = {
      status: job?.status ?? (description ? 'done' : 'none'),
      attempts: job?.attempts ?? 0,
      ...(job ? { requestedBy: job.requestedBy } : {}),
      ...(job?.lastError !== undefined ? { lastError: job.lastError } : {}),
      ...(job?.status === 'queued' ? { nextAttemptAt: job.nextAttemptAt } : {}),
    };
    if (!description) return view;
    const parsed = description.json === undefined ? undefined : storedDescriptionSchema.safeParse(description.json);
    const json = parsed?.success ? parsed.data : undefined;
    // A stored JSON that no longer fits the schema is shown like invalid output, not hidden.
    const rawText = description.rawText ?? (parsed && !parsed.success ? JSON.stringify(description.json) : undefined);
    return {
      ...view,
      description: {
        provider: description.provider,
        model: description.model,
        createdAt: description.createdAt,
        flagged: description.flagged || json === undefined,
        ...(json !== undefined ? { json } : {}),
        ...(rawText !== undefined ? { rawText } : {}),
      },
    };
  }

  counts(): Record<DescriptionJobStatus, number> {
    return this.deps.store.counts();
  }

  /** One pass of the worker: takes the due jobs (up to the concurrency) and runs them. Returns how many ran. */
  async processDue(options: { signal?: AbortSignal } = {}): Promise<number> {
    if (options.signal?.aborted) return 0;
    const jobs = this.deps.store.claimDue(this.deps.clock.now(), this.deps.concurrency ?? 2, { leaseMs: this.leaseMs });
    await Promise.all(jobs.map((job) => this.run(job, 'background', options.signal)));
    return jobs.length;
  }

  /** Runs until `signal` aborts: first re-queues what a previous process left running, then works the queue. */
  async runWorker(options: { signal: AbortSignal; pollMs?: number }): Promise<void> {
    const { signal } = options;
    const recovered = this.deps.store.recoverRunning(this.deps.clock.now());
    if (recovered > 0) this.log.info({ recovered }, 'description jobs interrupted by a restart were queued again');
    while (!signal.aborted) {
      let ran = 0;
      try {
        ran = await this.processDue({ signal });
      } catch (error) {
        this.log.error({ err: error }, 'description worker pass failed');
      }
      if (ran === 0 && !signal.aborted) await this.wakeup.idle(options.pollMs ?? DEFAULT_POLL_MS, signal);
    }
  }

  /** Works one claimed job to its end; returns the error it failed with (already recorded), if any. */
  private async run(job: ClaimedDescriptionJob, priority: RequestPriority, signal: AbortSignal | undefined): Promise<Error | undefined> {
    const log = this.log.child({ eventId: job.eventId, attempt: job.attempts });
    // A slow model (or a long provider queue) must not look like a dead worker.
    const heartbeat = setInterval(() => this.deps.store.heartbeat(job.eventId, job.claim, this.deps.clock.now()), Math.max(1000, this.leaseMs / 3));
    heartbeat.unref();
    try {
      const description = await this.produce(job, priority, signal);
      if (!this.deps.store.complete(job.eventId, description, { claim: job.claim })) {
        log.info({}, 'description finished after another worker took the job over; discarded');
      } else {
        log.info({ flagged: description.flagged, model: description.model }, 'event described');
        this.deps.onDescribed?.(job.eventId);
        this.announce(job.eventId, description);
      }
      return undefined;
    } catch (error) {
      this.recordFailure(job, error, signal, log);
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async produce(job: ClaimedDescriptionJob, priority: RequestPriority, signal: AbortSignal | undefined) {
    const stored = this.requireEvent(job.eventId);
    const camera = this.camera(stored.event.cameraId);
    if (job.requestedBy === 'auto') {
      // The configuration may have changed since the job was queued.
      const policy = describePolicy(stored.event, camera.genai);
      if (!policy.describe) throw new VigilError('invalid_argument', `skipped: ${policy.reason}`);
    }
    const provider = this.deps.providers.get(this.deps.providerName, { priority, camera: stored.event.cameraId });
    if (!provider) throw new VigilError('invalid_argument', `the descriptions provider "${this.deps.providerName}" is not configured`);
    const frames = await loadKeyFrames(selectKeyFrames(stored, { useSnapshot: camera.genai.use_snapshot }), {
      read: this.deps.readFile,
      preparer: this.deps.preparer,
      maxSize: this.deps.genai.image_max_size,
      logger: this.log,
    });
    if (frames.length === 0) {
      throw new VigilError('input_not_found', `no key frames: event ${job.eventId} has no readable snapshot or thumbnails`);
    }
    const prompt = buildDescriptionPrompt({
      event: stored.event,
      camera,
      template: promptTemplate(stored.event, camera.genai, this.deps.genai),
      languages: this.deps.genai.languages,
      frames: frames.map((f) => f.frame),
    });
    return describeEvent({
      provider,
      prompt,
      images: frames.map((f) => f.image),
      languages: this.deps.genai.languages,
      ...(signal !== undefined ? { signal } : {}),
    });
  }

  /** The text listeners get: the summary in the main language, else the scene, else the raw output. */
  private announce(eventId: string, description: { json?: unknown; rawText?: string }): void {
    if (!this.deps.notifier) return;
    const stored = this.deps.events.getEvent(eventId);
    if (!stored) return;
    const parsed = description.json === undefined ? undefined : storedDescriptionSchema.safeParse(description.json);
    const json = parsed?.success ? parsed.data : undefined;
    const main = this.deps.genai.languages[0] ?? 'en';
    const text = json ? (json.summaries[main] ?? json.summaries.en ?? json.scene) : (description.rawText ?? '').trim();
    if (text !== '') this.deps.notifier.notify([{ change: 'described', stored, description: text }]);
  }

  private recordFailure(job: ClaimedDescriptionJob, error: unknown, signal: AbortSignal | undefined, log: Logger): void {
    const now = this.deps.clock.now();
    const text = errorText(error);
    if (signal?.aborted) {
      // Shutting down: not the job's fault, so it is due again at once.
      this.deps.store.fail(job.eventId, text, { retryAt: now }, { claim: job.claim });
      return;
    }
    const decision = retryDecision(error, job.attempts, this.schedule);
    if (decision.retry) {
      this.deps.store.fail(job.eventId, text, { retryAt: now + decision.delayMs }, { claim: job.claim });
      log.warn({ err: error, retryInMs: decision.delayMs }, 'description failed; will try again');
    } else {
      this.deps.store.fail(job.eventId, text, { permanent: true }, { claim: job.claim });
      log.warn({ err: error }, 'description failed for good');
    }
  }

  private requireEvent(eventId: string): StoredEvent {
    const stored = this.deps.events.getEvent(eventId);
    if (!stored) throw new VigilError('input_not_found', `no event with id "${eventId}"`);
    return stored;
  }

  private checkPolicy(event: VigilEvent, manual: boolean): void {
    const policy = describePolicy(event, this.camera(event.cameraId).genai, { manual });
    if (!policy.describe) throw new VigilError('invalid_argument', policy.reason);
  }

  private camera(cameraId: string): DescriptionCamera {
    return (
      this.deps.cameras.find((c) => c.id === cameraId) ?? {
        id: cameraId,
        name: cameraId,
        timeZone: this.deps.defaultTimeZone,
        genai: DEFAULT_CAMERA_GENAI,
      }
    );
  }
}

