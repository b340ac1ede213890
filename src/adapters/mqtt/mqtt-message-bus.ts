import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { BusMessage, BusStatus, MessageBus, PublishOptions } from '../../ports/message-bus.ts';
import type { Logger } from '../../ports/logger.ts';
import { topicMatches } from './topic-filter.ts';

export interface MqttBusOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; insecure: boolean };
  /**
   * Availability: `offline` is left with the broker as the will (published, retained, when we
   * vanish without saying goodbye) and `online` is published, retained, on every connect.
   */
  statusTopic: string;
  logger: Logger;
  /** Wait between reconnection attempts. Default 5 s. */
  reconnectMs?: number;
}

interface Subscription {
  filter: string;
  handler: (message: BusMessage) => void | Promise<void>;
}

/**
 * MessageBus over mqtt.js (v5). Connecting never blocks or fails the caller: the client keeps
 * retrying in the background, publishes wait for the connection, and subscriptions are renewed
 * after every reconnect. A handler that throws is logged and never reaches the client. Handlers
 * are called synchronously as messages are parsed: one that has slow work to do hands it over
 * (as the Frigate sidecar does), or the broker starts dropping QoS 0 messages for this client.
 */
export class MqttMessageBus implements MessageBus {
  private readonly client: MqttClient;
  private readonly subscriptions = new Set<Subscription>();
  private readonly statusListeners = new Set<(status: BusStatus) => void>();
  private current: BusStatus = 'offline';
  private readonly log: Logger;

  constructor(private readonly options: MqttBusOptions) {
    this.log = options.logger.child({ module: 'mqtt' });
    const secure = options.tls !== undefined;
    const clientOptions: IClientOptions = {
      host: options.host,
      port: options.port,
      protocol: secure ? 'mqtts' : 'mqtt',
      clientId: options.clientId,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
      ...(secure ? { rejectUnauthorized: !options.tls!.insecure } : {}),
      reconnectPeriod: options.reconnectMs ?? 5000,
      connectTimeout: 10_000,
      clean: true,
      will: { topic: options.statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    this.client = connect(clientOptions);
    this.client.on('connect', () => void this.connected());
    this.client.on('close', () => this.setStatus('offline'));
    // The password is in the options, never in these messages.
    this.client.on('error', (error) => this.log.warn({ err: error.message, host: options.host, port: options.port }, 'MQTT connection problem'));
    // A Buffer is a Uint8Array: passed on as it is, not copied (a burst is thousands of them).
    this.client.on('message', (topic, payload, packet) => this.dispatch({ topic, payload, retained: packet.retain }));
  }

  status(): BusStatus {
    return this.current;
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  async publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<void> {
    const message = typeof payload === 'string' ? payload : Buffer.from(payload);
    await this.client.publishAsync(topic, message, { qos: options.qos ?? 0, retain: options.retain ?? false });
  }

  async subscribe(filter: string, handler: (message: BusMessage) => void | Promise<void>): Promise<() => Promise<void>> {
    const subscription: Subscription = { filter, handler };
    this.subscriptions.add(subscription);
    // QoS 1: commands published at QoS 1 (vigil/analyze) are acknowledged and sent again if lost.
    // A publisher's QoS 0 (Frigate's frigate/events) is delivered at QoS 0 whatever is asked here,
    // and the broker's in-flight window (max_inflight_messages, MQTT 5's receive maximum) only
    // governs QoS 1 and 2: for QoS 0 bursts what counts is that handlers return at once, so the
    // client keeps reading and the broker's per-client queue (max_queued_messages) never fills.
    // See docs/integrations.md, "Bursts".
    await this.client.subscribeAsync(filter, { qos: 1 });
    return async () => {
      this.subscriptions.delete(subscription);
      if (![...this.subscriptions].some((s) => s.filter === filter) && !this.client.disconnecting) await this.client.unsubscribeAsync(filter);
    };
  }

  /** Says goodbye: `offline` retained, then a clean disconnect (so the will is not needed). */
  async close(): Promise<void> {
    if (this.client.connected) {
      await this.publish(this.options.statusTopic, 'offline', { retain: true, qos: 1 }).catch((error: unknown) => this.log.warn({ err: error }, 'could not publish offline status'));
    }
    await this.client.endAsync(!this.client.connected);
    this.setStatus('offline');
  }

  private async connected(): Promise<void> {
    this.log.info({ host: this.options.host, port: this.options.port }, 'connected to the MQTT broker');
    try {
      await this.publish(this.options.statusTopic, 'online', { retain: true, qos: 1 });
    } catch (error) {
      this.log.warn({ err: error }, 'could not publish online status');
    }
    this.setStatus('online');
  }

  private setStatus(status: BusStatus): void {
    if (status === this.current) return;
    this.current = status;
    for (const listener of [...this.statusListeners]) {
      try {
        listener(status);
      } catch (error) {
        this.log.error({ err: error }, 'MQTT status listener failed');
      }
    }
  }

  private dispatch(message: BusMessage): void {
    for (const { filter, handler } of [...this.subscriptions]) {
      if (!topicMatches(filter, message.topic)) continue;
      try {
        const result = handler(message);
        if (result instanceof Promise) result.catch((error: unknown) => this.log.error({ err: error, topic: message.topic }, 'MQTT message handler failed'));
      } catch (error) {
        this.log.error({ err: error, topic: message.topic }, 'MQTT message handler failed');
      }
    }
  }
}
