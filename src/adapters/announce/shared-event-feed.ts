import type { Broadcast } from '../../ports/broadcast.ts';
import type { EventFeed, EventNotice, EventNotifier } from '../../ports/event-feed.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { Logger } from '../../ports/logger.ts';
import { decodeNoticeMessage, encodeNoticeMessages, type NoticeRef } from './event-notice-messages.ts';
import { InMemoryEventFeed } from './in-memory-event-feed.ts';

export interface SharedEventFeedDeps {
  broadcast: Broadcast;
  /** Where a notice's event is read (the storage every process shares). */
  events: Pick<EventStore, 'getEvent'>;
  /** A description's text as its notice says it, for one too long to travel in a message. */
  describedText?: (eventId: string) => Promise<string | undefined>;
  /** This process (its notices come back to it and are skipped). */
  origin: string;
  logger: Logger;
  /** A listener that throws (logged by the caller; never stops the others). */
  onListenerError?: (error: unknown) => void;
}

/**
 * The event feed of processes sharing one storage: what this process stores is heard here at
 * once (as InMemoryEventFeed does) and broadcast; what the others store arrives by broadcast and
 * is read from the storage before it is told. So the `vigil serve` that publishes to MQTT and
 * Home Assistant hears the events of every `vigil worker`.
 *
 * Like MQTT itself, delivery is at most once: a notice sent while this process is not listening
 * (starting, or its connection lost) is not heard (the event itself is stored all the same).
 */
export class SharedEventFeed implements EventFeed, EventNotifier {
  private readonly local: InMemoryEventFeed;
  private readonly log: Logger;
  private stopListening: (() => Promise<void>) | undefined;
  private listeners = 0;
  private unlistening: Promise<void> = Promise.resolve();
  private listeningNow: Promise<void> | undefined;
  private markListening: () => void = () => {};
  /** Sends in order, one after another; received notices likewise. */
  private sending: Promise<void> = Promise.resolve();
  private receiving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: SharedEventFeedDeps) {
    this.local = new InMemoryEventFeed(deps.onListenerError);
    this.log = deps.logger.child({ module: 'event-feed' });
  }

  /** The first listener starts hearing the other processes; after the last one leaves, this process stops. */
  subscribe(listener: (notice: EventNotice) => void): () => void {
    this.listeners++;
    this.listen();
    const unsubscribe = this.local.subscribe(listener);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      if (--this.listeners === 0) this.unlisten();
    };
  }

  notify(notices: readonly EventNotice[]): void {
    this.local.notify(notices);
    if (this.closed || notices.length === 0) return;
    const messages = encodeNoticeMessages(this.deps.origin, notices, this.deps.broadcast.maxMessageBytes);
    this.sending = this.sending.then(async () => {
      for (const message of messages) {
        try {
          await this.deps.broadcast.publish('events', message);
        } catch (error) {
          this.log.warn({ err: error, notices: notices.length }, 'could not tell the other processes of stored events');
          return;
        }
      }
    });
  }

  /** Resolves once other processes' notices are heard (after the first `subscribe`). */
  listening(): Promise<void> {
    this.listen();
    return this.listeningNow ?? Promise.resolve();
  }

  /** Waits for notices being sent and told, and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
    this.unlisten();
    await this.unlistening;
    await this.receiving;
  }

  private unlisten(): void {
    const stop = this.stopListening;
    if (!stop) return;
    this.stopListening = undefined;
    this.listeningNow = undefined;
    this.unlistening = this.unlistening.then(stop).catch((error: unknown) => this.log.warn({ err: error }, 'could not stop hearing the other processes'));
  }

  private listen(): void {
    if (this.stopListening || this.closed) return;
    this.listeningNow = new Promise((resolve) => (this.markListening = resolve));
    this.stopListening = this.deps.broadcast.subscribe('events', {
      onMessage: (message) => this.receive(message),
      onListening: (resumed) => {
        if (resumed) this.log.warn({}, 'event notices of other processes sent while the connection was lost were not heard');
        this.markListening();
      },
    });
  }

  private receive(message: string): void {
    const decoded = decodeNoticeMessage(message);
    if (!decoded.ok) {
      this.log.warn({ reason: decoded.reason }, 'ignored a broadcast that is not an event notice');
      return;
    }
    if (decoded.value.from === this.deps.origin) return;
    const refs = decoded.value.notices;
    this.receiving = this.receiving.then(() => this.tell(refs));
  }

  private async tell(refs: readonly NoticeRef[]): Promise<void> {
    for (const ref of refs) {
      if (this.closed) return;
      try {
        // The event as stored now: an event deleted since (retention) is no longer news.
        const stored = await this.deps.events.getEvent(ref.eventId);
        if (!stored) continue;
        if (ref.change !== 'described') {
          this.local.notify([{ change: ref.change, stored }]);
          continue;
        }
        const description = ref.text ?? (await this.deps.describedText?.(ref.eventId));
        if (description !== undefined && description !== '') this.local.notify([{ change: 'described', stored, description }]);
      } catch (error) {
        this.log.warn({ err: error, event: ref.eventId }, 'could not read an event another process stored');
      }
    }
  }
}
