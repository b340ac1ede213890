import type { EventFeed, EventNotice } from '../../ports/event-feed.ts';
import type { Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';
import { publishedEvent } from './event-message.ts';

export interface EventPublisherDeps {
  bus: MessageBus;
  feed: EventFeed;
  /** `vigil` by default: topics are `<prefix>/events` and `<prefix>/<camera>/description`. */
  topicPrefix: string;
  publicUrl?: string;
  logger: Logger;
}

/**
 * Vigil's own results on the broker: every stored or grown event on `<prefix>/events`
 * (`{"type":"new"|"update","event":{...}}`, like Frigate's `frigate/events`), and every
 * description on `<prefix>/<camera>/description`. Not retained: these are happenings, not state
 * (the Home Assistant sensors keep the state).
 */
export class EventPublisher {
  private stop: (() => void) | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: EventPublisherDeps) {
    this.log = deps.logger.child({ module: 'mqtt-events' });
  }

  start(): void {
    this.stop = this.deps.feed.subscribe((notice) => this.publish(notice));
  }

  close(): void {
    this.stop?.();
  }

  private publish(notice: EventNotice): void {
    const event = publishedEvent(notice.stored, this.deps.publicUrl);
    const [topic, body] =
      notice.change === 'described'
        ? [`${this.deps.topicPrefix}/${event.camera}/description`, { event_id: event.id, camera: event.camera, description: notice.description, event }]
        : [`${this.deps.topicPrefix}/events`, { type: notice.change, event }];
    this.deps.bus.publish(topic, JSON.stringify(body), { qos: 1 }).catch((error: unknown) => this.log.warn({ err: error, topic }, 'could not publish'));
  }
}
