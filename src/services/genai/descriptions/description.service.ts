import { VigilError } from '../../../domain/errors.ts';
import type { VigilEvent } from '../../../domain/events/event-types.ts';
import type { StoredEvent } from '../../../ports/analysis-store.ts';
import type { DescriptionStore, NewDescription } from '../../../ports/description-store.ts';
import type { EventNotifier } from '../../../ports/event-feed.ts';
import type { EventStore } from '../../../ports/event-store.ts';
import type { ImagePreparer } from '../../../ports/image-preparer.ts';
import type { ClaimedJob, DescriptionRequester, JobQueue, JobStatus } from '../../../ports/job-queue.ts';
import type { Clock, Logger } from '../../../ports/logger.ts';
import { DEFAULT_LEASE_MS, type JobLane } from '../../jobs/job-runner.ts';
import { MODEL_RETRY_SCHEDULE, type RetrySchedule } from '../../jobs/retry-policy.ts';
import { runJob, type JobContext, type JobHandler, type JobSuccess } from '../../jobs/run-job.ts';
import type { ProviderRegistry } from '../provider-registry.ts';
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

export interface DescriptionServiceDeps {
  /** The job queue: every description is a `describe_event` job. */
  jobs: JobQueue;
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
  /** Jobs run at once by the job runner (the provider queue bounds the calls anyway). Default 2. */
  concurrency?: number;
  /** A running job not heard of for this long is taken over. Default 10 min. */
  leaseMs?: number;
  retry?: Partial<RetrySchedule>;
  /** The job runner's idle poll. Default 5 s (new jobs wake it at once). */
  pollMs?: number;
  /** Told when an event's description is stored (e.g. to embed the event again with it); awaited, a failure is logged. */
  onDescribed?: (eventId: string) => void | Promise<unknown>;
  /** Hears `described` notices (MQTT, Home Assistant, Frigate write-back) with the description's text. */
  notifier?: EventNotifier;
  /** Automatic descriptions waiting per camera before the oldest are dropped (see enqueueClosed). Default 100. */
  maxBacklogPerCamera?: number;
}

/** See DescriptionServiceDeps.maxBacklogPerCamera. */
export const DEFAULT_MAX_BACKLOG_PER_CAMERA = 100;
/** The reason a dropped description job shows (GET /api/events/<id>, `vigil jobs`). */
export const BACKLOG_DROP_REASON = 'skipped: the camera had too many descriptions waiting (the newest are kept); regenerate to describe it';
/** A job the backlog bound took while it was being asked for or worked on, given back (it is due at once). */
const BACKLOG_KEPT_REASON = 'interrupted while the description backlog was trimmed; queued again';

export interface DescriptionView {
  /** `none`: never requested. A done job may carry a flagged (invalid) description. */
  status: JobStatus | 'none';
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

/**
 * Describes events with a vision model from at most three key frames. Every request is a
 * durable `describe_event` job: the job runner works due jobs through `jobLane()`, outages
 * reschedule them with backoff (never dropping one), refusals fail them with the reason, and a
 * restart picks up what a crash left running. `describe` is the synchronous path for a user
 * waiting on the answer, through the same job and the same retry policy.
 */
export class DescriptionService {
  private readonly log: Logger;
  private readonly schedule: RetrySchedule;
  private readonly leaseMs: number;
  private readonly handler: JobHandler<'describe_event'>;
  /** Per camera: events queued automatically by this process, oldest first (some may be done already). */
  private readonly backlog = new Map<string, string[]>();
  private readonly dropped = new Map<string, number>();
  private readonly warnedAt = new Map<string, number>();

  constructor(private readonly deps: DescriptionServiceDeps) {
    this.log = deps.logger.child({ module: 'descriptions' });
    this.schedule = { ...MODEL_RETRY_SCHEDULE, ...deps.retry };
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
    this.handler = { kind: 'describe_event', run: (job, context) => this.handle(job, context) };
  }

  /** The runner's lane of description jobs: `concurrency` at a time. */
  jobLane(): JobLane {
    return {
      name: 'descriptions',
      handlers: [this.handler],
      take: Math.max(1, this.deps.concurrency ?? 2),
      retry: this.schedule,
      leaseMs: this.leaseMs,
      ...(this.deps.pollMs !== undefined ? { pollMs: this.deps.pollMs } : {}),
    };
  }

  /** Whether an event is described automatically, by its camera's genai settings (the configured camera's by default). */
  shouldDescribe(event: VigilEvent, cameraGenai: CameraGenaiSettings = this.camera(event.cameraId).genai): boolean {
    return event.status === 'closed' && describePolicy(event, cameraGenai).describe;
  }

  /**
   * For the pipeline: queue the events that just closed and that the policy selects. Returns how
   * many were queued.
   *
   * The backlog is bounded per camera, newest first: when more than `maxBacklogPerCamera`
   * automatic descriptions of one camera wait (a burst of Frigate events, a model that is down),
   * the oldest waiting ones are dropped: their jobs fail with BACKLOG_DROP_REASON, are counted
   * (`backlogDrops`, /metrics) and can be regenerated by hand. Manual requests are never dropped.
   * The count covers what this process queued; a backlog left by an earlier run is worked off as it is.
   */
  async enqueueClosed(events: ReadonlyArray<StoredEvent | VigilEvent>): Promise<number> {
    let queued = 0;
    for (const item of events) {
      const event = 'event' in item ? item.event : item;
      if (!this.shouldDescribe(event)) continue;
      const outcome = await this.request(event.id, 'auto');
      if (outcome === 'queued' || outcome === 'requeued') {
        queued++;
        await this.bound(event.cameraId, event.id);
      } else if (outcome === 'unknown_event') this.log.warn({ eventId: event.id }, 'event to describe is not stored yet');
    }
    return queued;
  }

  /** Automatic descriptions dropped per camera since start (the backlog bound of enqueueClosed). */
  backlogDrops(): Array<{ camera: string; dropped: number }> {
    return [...this.dropped].map(([camera, dropped]) => ({ camera, dropped }));
  }

  private async bound(cameraId: string, eventId: string): Promise<void> {
    const max = Math.max(1, this.deps.maxBacklogPerCamera ?? DEFAULT_MAX_BACKLOG_PER_CAMERA);
    const ids = this.backlog.get(cameraId) ?? [];
    this.backlog.set(cameraId, ids);
    const again = ids.indexOf(eventId);
    if (again >= 0) ids.splice(again, 1);
    ids.push(eventId);
    let dropped = 0;
    while (ids.length > max) {
      const oldest = ids.shift()!;
      const job = await this.deps.jobs.get('describe_event', oldest);
      // Done, running or asked for by a person: not backlog (any more), leave it.
      if (job?.status !== 'queued' || job.payload.requestedBy !== 'auto') continue;
      const lease = await this.deps.jobs.claim('describe_event', oldest, { leaseMs: this.leaseMs });
      if (!lease) continue;
      // Read and claim are two steps: a person may have asked for it, or a worker taken it, in
      // between (the claim's own attempt count and payload tell). That is no backlog: give it back.
      if (lease.payload.requestedBy !== 'auto' || lease.attempts !== job.attempts + 1) {
        await this.deps.jobs.fail(lease, BACKLOG_KEPT_REASON, { retryAt: this.deps.clock.now() });
        continue;
      }
      if (await this.deps.jobs.fail(lease, BACKLOG_DROP_REASON, { permanent: true })) dropped++;
    }
    if (dropped === 0) return;
    this.dropped.set(cameraId, (this.dropped.get(cameraId) ?? 0) + dropped);
    // Once a minute per camera: a burst drops one per new event.
    const now = this.deps.clock.now();
    if (now - (this.warnedAt.get(cameraId) ?? -Infinity) >= 60_000) {
      this.warnedAt.set(cameraId, now);
      this.log.warn({ camera: cameraId, dropped, total: this.dropped.get(cameraId), max }, 'description backlog full: the oldest waiting descriptions were dropped');
    }
  }

  /** Queues a description for the worker without waiting for it. */
  async enqueue(eventId: string, options: { manual: boolean }): Promise<DescriptionView> {
    const stored = await this.requireEvent(eventId);
    this.checkPolicy(stored.event, options.manual);
    await this.request(eventId, options.manual ? 'manual' : 'auto');
    return this.state(eventId);
  }

  /**
   * Describes one event now, at interactive priority (regenerate, `vigil describe`). A manual
   * request always makes a new description; an automatic one only runs a queued job (a done,
   * failed or running one is returned as it is).
   * Provider errors are thrown after the job is rescheduled (outage) or failed (refusal).
   */
  async describe(eventId: string, options: { manual: boolean; signal?: AbortSignal }): Promise<DescriptionView> {
    const stored = await this.requireEvent(eventId);
    this.checkPolicy(stored.event, options.manual);
    await this.request(eventId, options.manual ? 'manual' : 'auto');
    const current = await this.deps.jobs.get('describe_event', eventId);
    if (!options.manual && current !== undefined && current.status !== 'queued') return this.state(eventId);
    const job = await this.deps.jobs.claim('describe_event', eventId, { leaseMs: this.leaseMs });
    if (job === undefined) throw new VigilError('input_not_found', `no event with id "${eventId}"`);
    const exec = { queue: this.deps.jobs, clock: this.deps.clock, logger: this.log, retry: this.schedule, leaseMs: this.leaseMs };
    const outcome = await runJob(exec, this.handler, job, { signal: options.signal ?? new AbortController().signal, priority: 'interactive' });
    if (outcome.status === 'retry' || outcome.status === 'failed') throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    return this.state(eventId);
  }

  async state(eventId: string): Promise<DescriptionView> {
    const [job, description] = await Promise.all([this.deps.jobs.get('describe_event', eventId), this.deps.store.get(eventId)]);
    const view: DescriptionView = {
      status: job?.status ?? (description ? 'done' : 'none'),
      attempts: job?.attempts ?? 0,
      ...(job ? { requestedBy: job.payload.requestedBy } : {}),
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

  async counts(): Promise<Record<JobStatus, number>> {
    const { oldestDueAt: _due, ...counts } = (await this.deps.jobs.counts()).describe_event;
    return counts;
  }

  private request(eventId: string, requestedBy: DescriptionRequester) {
    return this.deps.jobs.enqueue({ kind: 'describe_event', key: eventId, payload: { requestedBy, provider: this.deps.providerName } });
  }

  /** One description job: the description, saved when the job completes (unless another worker took it over). */
  private async handle(job: ClaimedJob<'describe_event'>, context: JobContext): Promise<JobSuccess> {
    const description = await this.produce(job, context);
    return {
      status: 'done',
      output: { kind: 'description', description },
      onCommitted: async () => {
        this.log.info({ eventId: job.key, attempt: job.attempts, flagged: description.flagged, model: description.model }, 'event described');
        // Independent follow-ups: one failing must not keep the other from running.
        const [described, announced] = await Promise.allSettled([(async () => this.deps.onDescribed?.(job.key))(), this.announce(job.key, description)]);
        if (described.status === 'rejected') this.log.error({ err: described.reason, eventId: job.key }, 'what follows a new description failed');
        if (announced.status === 'rejected') this.log.error({ err: announced.reason, eventId: job.key }, 'new description could not be announced');
      },
    };
  }

  private async produce(job: ClaimedJob<'describe_event'>, { priority, signal }: JobContext): Promise<NewDescription> {
    const stored = await this.requireEvent(job.key);
    const camera = this.camera(stored.event.cameraId);
    if (job.payload.requestedBy === 'auto') {
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
      throw new VigilError('input_not_found', `no key frames: event ${job.key} has no readable snapshot or thumbnails`);
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
      signal,
    });
  }

  private async announce(eventId: string, description: { json?: unknown; rawText?: string }): Promise<void> {
    if (!this.deps.notifier) return;
    const stored = await this.deps.events.getEvent(eventId);
    if (!stored) return;
    const text = this.noticeTextOf(description);
    if (text !== '') this.deps.notifier.notify([{ change: 'described', stored, description: text }]);
  }

  /** The text a notice of the event's stored description carries (what MQTT, Home Assistant and Frigate get). */
  async noticeText(eventId: string): Promise<string | undefined> {
    const description = await this.deps.store.get(eventId);
    const text = description ? this.noticeTextOf(description) : '';
    return text === '' ? undefined : text;
  }

  /** The text listeners get: the summary in the main language, else the scene, else the raw output. */
  private noticeTextOf(description: { json?: unknown; rawText?: string }): string {
    const parsed = description.json === undefined ? undefined : storedDescriptionSchema.safeParse(description.json);
    const json = parsed?.success ? parsed.data : undefined;
    const main = this.deps.genai.languages[0] ?? 'en';
    return json ? (json.summaries[main] ?? json.summaries.en ?? json.scene) : (description.rawText ?? '').trim();
  }

  private async requireEvent(eventId: string): Promise<StoredEvent> {
    const stored = await this.deps.events.getEvent(eventId);
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

