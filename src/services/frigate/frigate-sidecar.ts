import { z } from 'zod';
import { VigilError } from '../../domain/errors.ts';
import type { EventFeed, EventNotice } from '../../ports/event-feed.ts';
import type { FrigateApi } from '../../ports/frigate-api.ts';
import type { ClaimedJob, EnqueueOutcome, JobQueue, JobRequest } from '../../ports/job-queue.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';
import { FrigateIntakeStats } from './frigate-intake-stats.ts';
import { messageProgress, parseFrigateEventMessage, type FrigateEventMessage } from './frigate-message.ts';
import { cameraRules, decideTrigger, vigilEventId, type FrigateTriggerSettings } from './frigate-triggers.ts';

export interface FrigateSidecarSettings extends FrigateTriggerSettings {
  topicPrefix: string;
  writeDescription: boolean;
  /**
   * With `writeDescription`: each description written back is also published on
   * `<prefix>/tracked_object_update` as Frigate's own GenAI does (`{"type": "description", "id",
   * "description", "camera"}`), so automations written for Frigate's descriptions hear Vigil's.
   * Default true.
   */
  publishTrackedObjectUpdate?: boolean;
}

/**
 * Messages waiting between the MQTT client and the database. The client hands them over at once
 * (so it keeps reading the socket and the broker's queue for Vigil never fills), and they are
 * stored a batch per turn of the event loop, in one transaction. Past this many, the newest are
 * dropped and counted (the database is far behind; this bounds the memory).
 */
export const MAX_PENDING_MESSAGES = 50_000;
/** Messages per transaction, and the time spent storing per turn of the event loop. */
const BATCH = 200;
const FLUSH_SLICE_MS = 10;
/** More than this many messages within BURST_WINDOW_MS is a burst (Frigate's usual pace is a few a second per object). */
const BURST_MESSAGES = 100;
const BURST_WINDOW_MS = 250;
/**
 * While a burst keeps arriving (a message within the last BURST_QUIET_MS), storing waits: Node
 * reads a socket about 64 KiB per turn of the event loop, so every millisecond spent storing in
 * between is one the broker's queue for Vigil grows, and a full queue is dropped by the broker, not
 * by Vigil. Messages of one burst reach Vigil in waves (the broker and the publisher share the
 * CPU), so a few quiet milliseconds do not mean it is over.
 */
const BURST_QUIET_MS = 50;
/** How often a waiting flush looks again. */
const BURST_CHECK_MS = 5;
/** After this long of putting storing off, a burst that goes on is stored TRICKLE_BATCH messages per check. */
const MAX_DEFER_MS = 250;
const TRICKLE_BATCH = 20;
/** Mosquitto's count of messages it dropped (for every client), published every `sys_interval`. */
export const BROKER_DROPPED_TOPIC = '$SYS/broker/publish/messages/dropped';

const storedCamera = z.object({ after: z.object({ camera: z.string() }) });

export interface FrigateSidecarDeps {
  bus: MessageBus;
  /** Where messages become `frigate_ingest` jobs and descriptions `frigate_write_description` jobs. */
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany' | 'get' | 'findByEvent'>;
  api: FrigateApi;
  /** Where `described` notices come from (for the write-back to Frigate). */
  feed: EventFeed;
  settings: FrigateSidecarSettings;
  clock: Clock;
  logger: Logger;
  /** Where arrivals and inferred gaps are counted (/metrics and /api/cameras read it). */
  stats?: FrigateIntakeStats;
  maxPending?: number;
}

export type IntakeOutcome = Exclude<EnqueueOutcome, 'unknown_event'> | 'ignored' | 'invalid';

/**
 * Listens to Frigate's `<prefix>/events` and turns the messages that pass the triggers and
 * filters into durable ingest jobs; listens to Vigil's descriptions and turns those of Frigate
 * events into write-back jobs. Nothing here waits on Frigate: the job runner does (frigateJobLane).
 */
export class FrigateSidecar {
  private readonly log: Logger;
  private readonly stops: Array<() => unknown> = [];
  readonly stats: FrigateIntakeStats;
  private pending: Uint8Array[] = [];
  /** A flush is scheduled or under way (receive schedules none meanwhile; it reschedules itself while messages wait). */
  private flushScheduled = false;
  /** Messages taken from `pending` whose batch is being stored. */
  private storing = 0;
  /**
   * The end of the last batch offered to intakeMany: batches are stored one after the other, in
   * the order they were offered, so a batch's look-ups see the jobs of the batches before it and
   * the messages of one Frigate event reach the queue in the order they arrived.
   */
  private intakeTail: Promise<unknown> = Promise.resolve();
  /** The end of the last description notice being turned into a write-back job (they are offered in order). */
  private noticeTail: Promise<void> = Promise.resolve();
  private overflowing = false;
  /** Arrivals in the current window of BURST_WINDOW_MS (to tell a burst from Frigate's usual pace). */
  private arrivals = 0;
  private lastArrival = -Infinity;
  /** When storing was first put off for the burst under way (undefined: it is not). */
  private deferredSince: number | undefined;
  private windowStart = -Infinity;

  constructor(private readonly deps: FrigateSidecarDeps) {
    this.log = deps.logger.child({ module: 'frigate' });
    this.stats = deps.stats ?? new FrigateIntakeStats({ now: deps.clock.now });
  }

  /** Resolves once the broker confirmed the subscription. */
  async start(): Promise<void> {
    if (this.deps.settings.writeDescription) {
      this.stops.push(this.deps.feed.subscribe((notice) => this.onNotice(notice)));
      this.stops.push(() => this.noticeTail);
    }
    const topic = `${this.deps.settings.topicPrefix}/events`;
    this.stats.listening();
    // QoS 1 is asked for, but Frigate publishes at QoS 0 and the broker delivers at the lower of
    // the two: what keeps messages from being dropped is reading them as fast as they come.
    this.stops.push(await this.deps.bus.subscribe(topic, (message) => this.receive(message.payload)));
    this.stops.push(() => this.drain());
    try {
      this.stops.push(await this.deps.bus.subscribe(BROKER_DROPPED_TOPIC, (message) => this.brokerDropped(message.payload)));
    } catch (error) {
      this.log.debug({ err: error }, 'the broker does not publish its dropped-message count');
    }
    this.log.info({ topic, triggers: this.deps.settings.triggers }, 'listening to Frigate events');
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
  }

  /** One `frigate/events` message; malformed ones are logged and dropped, never thrown. */
  async intake(payload: Uint8Array | string): Promise<IntakeOutcome> {
    const [outcome] = await this.intakeMany([payload]);
    return outcome!;
  }

  /**
   * Messages in the order they arrived, their jobs offered in one transaction (a burst of
   * thousands is stored in milliseconds). Each is counted per camera before any filter. Batches
   * are taken one at a time, in the order of the calls.
   */
  intakeMany(payloads: ReadonlyArray<Uint8Array | string>): Promise<IntakeOutcome[]> {
    const batch = [...payloads];
    const run = this.intakeTail.then(() => this.intakeBatch(batch));
    this.intakeTail = run.catch(() => undefined);
    return run;
  }

  private async intakeBatch(payloads: ReadonlyArray<Uint8Array | string>): Promise<IntakeOutcome[]> {
    const outcomes: IntakeOutcome[] = [];
    const messages: Array<{ position: number; message: FrigateEventMessage; raw: Record<string, unknown> }> = [];
    for (const payload of payloads) {
      const parsed = parseFrigateEventMessage(payload);
      if (!parsed.ok) {
        this.stats.invalid();
        this.log.warn({ reason: parsed.reason }, 'malformed Frigate event message skipped');
        outcomes.push('invalid');
        continue;
      }
      this.stats.record(parsed.message, cameraRules(this.deps.settings, parsed.message.after.camera).vigilCamera);
      messages.push({ position: outcomes.length, message: parsed.message, raw: parsed.raw });
      outcomes.push('ignored');
    }
    if (messages.length === 0) return outcomes;

    // A followed event keeps the id its job gave it (events from before issue 12 included).
    const eventIds = await this.storedEventIds(new Set(messages.map((m) => m.message.after.id)));
    // The triggers, in arrival order: a message of an event taken earlier in the batch is followed too.
    const accepted: typeof messages = [];
    const fresh = new Set<string>();
    for (const entry of messages) {
      const { message } = entry;
      const frigateId = message.after.id;
      const decision = decideTrigger(message, this.deps.settings, eventIds.has(frigateId) || fresh.has(frigateId));
      if (!decision.accept) {
        this.log.debug({ frigateId, type: message.type, reason: decision.reason }, 'Frigate event message not taken');
        continue;
      }
      if (!eventIds.has(frigateId)) fresh.add(frigateId);
      accepted.push(entry);
    }
    await this.assignNewEventIds([...fresh], eventIds);
    if (accepted.length === 0) return outcomes;

    const requests: Array<JobRequest<'frigate_ingest'>> = accepted.map(({ message, raw }) => ({
      kind: 'frigate_ingest',
      key: message.after.id,
      payload: { eventId: eventIds.get(message.after.id)!, progress: messageProgress(message), message: raw },
    }));
    const results = await this.deps.jobs.enqueueMany(requests);
    results.forEach((outcome, i) => {
      if (outcome === 'unchanged') this.log.debug({ frigateId: requests[i]!.key }, 'Frigate message replayed or late; nothing new');
      // Ingest jobs belong to no stored event, so they are never refused as unknown.
      outcomes[accepted[i]!.position] = outcome === 'unknown_event' ? 'ignored' : outcome;
    });
    return outcomes;
  }

  /**
   * The Vigil event id of each of these Frigate events that already has an ingest job. Looked up
   * all at once (the queue has no batch look-up: one query each, concurrently).
   */
  private async storedEventIds(frigateIds: ReadonlySet<string>): Promise<Map<string, string>> {
    const ids = [...frigateIds];
    const jobs = await Promise.all(ids.map((id) => this.deps.jobs.get('frigate_ingest', id)));
    const found = new Map<string, string>();
    jobs.forEach((job, i) => {
      if (job) found.set(ids[i]!, job.payload.eventId);
    });
    return found;
  }

  /**
   * Frigate events seen for the first time, in arrival order, get their one-to-one id, unless an
   * event stored under the old encoding (or one named earlier) has it: then their dots are escaped.
   * Adds them to `eventIds`.
   */
  private async assignNewEventIds(frigateIds: readonly string[], eventIds: Map<string, string>): Promise<void> {
    if (frigateIds.length === 0) return;
    const owners = await Promise.all(frigateIds.map(async (frigateId) => (await this.deps.jobs.findByEvent('frigate_ingest', vigilEventId(frigateId)))?.key));
    frigateIds.forEach((frigateId, i) => {
      const id = vigilEventId(frigateId);
      const owner = owners[i] ?? [...eventIds].find(([, eventId]) => eventId === id)?.[0];
      eventIds.set(frigateId, owner === undefined || owner === frigateId ? id : vigilEventId(frigateId, { escapeDots: true }));
    });
  }

  /**
   * Resolves once no burst is being received (nothing pending, and fewer than BURST_MESSAGES in
   * the current window), or after `maxWaitMs`. The Frigate job lane waits for it before each job:
   * during a burst the process's time goes to reading the socket (what the broker drops if Vigil
   * falls behind), and the durable jobs, which lose nothing by waiting, come after.
   */
  async quiet(options: { signal?: AbortSignal; maxWaitMs?: number } = {}): Promise<void> {
    const until = performance.now() + (options.maxWaitMs ?? 5_000);
    while (this.bursting() && performance.now() < until && !options.signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 25));
  }

  private bursting(): boolean {
    return this.pending.length > 0 || this.storing > 0 || (performance.now() - this.windowStart < BURST_WINDOW_MS && this.arrivals >= BURST_MESSAGES);
  }

  /** The write-back job: Vigil's description into Frigate's own event, then announced as Frigate's GenAI does. */
  async writeBack(job: ClaimedJob<'frigate_write_description'>, signal?: AbortSignal): Promise<void> {
    const announce = this.deps.settings.publishTrackedObjectUpdate !== false;
    // Read before writing to Frigate: a storage error then fails the job before anything was sent.
    const ingest = announce ? storedCamera.safeParse((await this.deps.jobs.get('frigate_ingest', job.key))?.payload.message) : undefined;
    const found = await this.deps.api.setDescription(job.key, job.payload.description, signal);
    if (!found) throw new VigilError('input_not_found', `Frigate has no event ${job.key} (deleted by its retention?)`);
    if (!ingest) return;
    const topic = `${this.deps.settings.topicPrefix}/tracked_object_update`;
    const body = { type: 'description', id: job.key, description: job.payload.description, camera: ingest.success ? ingest.data.after.camera : null };
    // Not awaited: Frigate has the description already, the announcement must not hold the job.
    this.deps.bus.publish(topic, JSON.stringify(body), { qos: 0 }).catch((error: unknown) => this.log.warn({ err: error, topic }, 'could not publish the description update'));
  }

  /** From the MQTT client: kept for the next batch, so the client goes straight back to the socket. */
  private receive(payload: Uint8Array): void {
    const now = performance.now();
    if (now - this.windowStart >= BURST_WINDOW_MS) {
      this.windowStart = now;
      this.arrivals = 0;
    }
    this.arrivals++;
    this.lastArrival = now;
    const max = this.deps.maxPending ?? MAX_PENDING_MESSAGES;
    if (this.pending.length >= max) {
      this.stats.overflow();
      if (!this.overflowing) this.log.error({ pending: this.pending.length }, 'Frigate messages arrive faster than they can be stored; the newest are dropped and counted');
      this.overflowing = true;
      return;
    }
    this.overflowing = false;
    this.pending.push(payload);
    if (!this.flushScheduled) this.scheduleFlush();
  }

  /** The next flush: at the next turn of the event loop, or after `delayMs`. */
  private scheduleFlush(delayMs?: number): void {
    this.flushScheduled = true;
    const run = () => {
      this.flush().catch((error: unknown) => {
        this.flushScheduled = false;
        this.log.error({ err: error }, 'storing Frigate messages stopped unexpectedly');
      });
    };
    if (delayMs === undefined) setImmediate(run);
    else setTimeout(run, delayMs);
  }

  /**
   * Stores what is pending, in batches, for at most FLUSH_SLICE_MS per turn of the event loop (drain
   * stores all of it on stop): between turns the client reads the socket again, so the broker's queue for
   * Vigil is emptied by reading, which is cheap, while storing, which is not, catches up after.
   */
  private async flush(): Promise<void> {
    const started = performance.now();
    // Reading first while messages are still coming in (unless the pending list nears its bound):
    // a burst that goes on is stored a small batch per pause, never a whole slice.
    const max = this.deps.maxPending ?? MAX_PENDING_MESSAGES;
    if (started - this.lastArrival < BURST_QUIET_MS && this.pending.length < max / 2) {
      this.deferredSince ??= started;
      if (started - this.deferredSince >= MAX_DEFER_MS) await this.store(this.pending.splice(0, TRICKLE_BATCH));
      this.scheduleFlush(BURST_CHECK_MS);
      return;
    }
    this.deferredSince = undefined;
    while (this.pending.length > 0 && performance.now() - started < FLUSH_SLICE_MS) await this.store(this.pending.splice(0, BATCH));
    // Messages that came while the last batch was stored are in `pending` too.
    if (this.pending.length > 0) this.scheduleFlush();
    else this.flushScheduled = false;
  }

  /** On stop: everything pending, stored now (after the batches already under way). */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) await this.store(this.pending.splice(0, BATCH));
    await this.intakeTail;
  }

  private async store(batch: Uint8Array[]): Promise<void> {
    if (batch.length === 0) return;
    this.storing += batch.length;
    try {
      await this.intakeMany(batch);
    } catch (error) {
      // The database refused the batch (disk full, locked too long): say how many were lost.
      this.stats.overflow(batch.length);
      this.log.error({ err: error, messages: batch.length }, 'Frigate messages could not be stored');
    } finally {
      this.storing -= batch.length;
    }
  }

  private brokerDropped(payload: Uint8Array): void {
    const count = Number(new TextDecoder().decode(payload).trim());
    if (!Number.isFinite(count)) return;
    const before = this.stats.totals.brokerDropped;
    this.stats.brokerDropped(count);
    if (before !== undefined && count > before) this.log.warn({ dropped: count - before, total: count }, 'the MQTT broker dropped messages (for some client; see docs/integrations.md)');
  }

  /**
   * A description of a Frigate event becomes its write-back job. Notices are handled one after the
   * other, so of two descriptions of one event the later is offered last (and wins).
   */
  private onNotice(notice: EventNotice): void {
    if (notice.change !== 'described') return;
    const eventId = notice.stored.event.id;
    const payload = { eventId, progress: this.deps.clock.now(), description: notice.description };
    this.noticeTail = this.noticeTail
      .then(async () => {
        const frigateId = (await this.deps.jobs.findByEvent('frigate_ingest', eventId))?.key;
        if (frigateId !== undefined) await this.deps.jobs.enqueue({ kind: 'frigate_write_description', key: frigateId, payload });
      })
      .catch((error: unknown) => this.log.error({ err: error, eventId }, 'the description could not be queued for Frigate'));
  }
}
