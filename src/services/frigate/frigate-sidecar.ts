import { VigilError } from '../../domain/errors.ts';
import type { EventFeed, EventNotice } from '../../ports/event-feed.ts';
import type { FrigateApi } from '../../ports/frigate-api.ts';
import type { ClaimedJob, EnqueueOutcome, JobQueue } from '../../ports/job-queue.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';
import { messageProgress, parseFrigateEventMessage } from './frigate-message.ts';
import { decideTrigger, vigilEventId, type FrigateTriggerSettings } from './frigate-triggers.ts';

export interface FrigateSidecarSettings extends FrigateTriggerSettings {
  topicPrefix: string;
  writeDescription: boolean;
}

export interface FrigateSidecarDeps {
  bus: MessageBus;
  /** Where messages become `frigate_ingest` jobs and descriptions `frigate_write_description` jobs. */
  jobs: Pick<JobQueue, 'enqueue' | 'get' | 'findByEvent'>;
  api: FrigateApi;
  /** Where `described` notices come from (for the write-back to Frigate). */
  feed: EventFeed;
  settings: FrigateSidecarSettings;
  clock: Clock;
  logger: Logger;
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

  constructor(private readonly deps: FrigateSidecarDeps) {
    this.log = deps.logger.child({ module: 'frigate' });
  }

  /** Resolves once the broker confirmed the subscription. */
  async start(): Promise<void> {
    if (this.deps.settings.writeDescription) this.stops.push(this.deps.feed.subscribe((notice) => this.onNotice(notice)));
    const topic = `${this.deps.settings.topicPrefix}/events`;
    this.stops.push(await this.deps.bus.subscribe(topic, (message) => void this.intake(message.payload)));
    this.log.info({ topic, triggers: this.deps.settings.triggers }, 'listening to Frigate events');
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
  }

  /** One `frigate/events` message; malformed ones are logged and dropped, never thrown. */
  intake(payload: Uint8Array | string): IntakeOutcome {
    const parsed = parseFrigateEventMessage(payload);
    if (!parsed.ok) {
      this.log.warn({ reason: parsed.reason }, 'malformed Frigate event message skipped');
      return 'invalid';
    }
    const { message } = parsed;
    const frigateId = message.after.id;
    const known = this.deps.jobs.get('frigate_ingest', frigateId) !== undefined;
    const decision = decideTrigger(message, this.deps.settings, known);
    if (!decision.accept) {
      this.log.debug({ frigateId, type: message.type, reason: decision.reason }, 'Frigate event message not taken');
      return 'ignored';
    }
    const outcome = this.deps.jobs.enqueue({
      kind: 'frigate_ingest',
      key: frigateId,
      payload: { eventId: vigilEventId(frigateId), progress: messageProgress(message), message: parsed.raw },
    });
    if (outcome === 'unchanged') this.log.debug({ frigateId, type: message.type }, 'Frigate message replayed or late; nothing new');
    // Ingest jobs belong to no stored event, so they are never refused as unknown.
    return outcome === 'unknown_event' ? 'ignored' : outcome;
  }

  /** The write-back job: Vigil's description into Frigate's own event. */
  async writeBack(job: ClaimedJob<'frigate_write_description'>, signal?: AbortSignal): Promise<void> {
    const found = await this.deps.api.setDescription(job.key, job.payload.description, signal);
    if (!found) throw new VigilError('input_not_found', `Frigate has no event ${job.key} (deleted by its retention?)`);
  }

  private onNotice(notice: EventNotice): void {
    if (notice.change !== 'described') return;
    const eventId = notice.stored.event.id;
    const frigateId = this.deps.jobs.findByEvent('frigate_ingest', eventId)?.key;
    if (frigateId === undefined) return;
    const payload = { eventId, progress: this.deps.clock.now(), description: notice.description };
    this.deps.jobs.enqueue({ kind: 'frigate_write_description', key: frigateId, payload });
  }
}
