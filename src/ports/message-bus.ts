/** One message as received from the broker. */
export interface BusMessage {
  topic: string;
  payload: Uint8Array;
  /** Delivered from the broker's retained store (sent before we subscribed), not live. */
  retained: boolean;
}

export interface PublishOptions {
  /** The broker keeps the last retained message of a topic and hands it to every new subscriber. */
  retain?: boolean;
  qos?: 0 | 1 | 2;
}

/** `online` once connected (and after every reconnect), `offline` while the broker is out of reach. */
export type BusStatus = 'online' | 'offline';

/**
 * A publish/subscribe message broker (MQTT). Publishing while offline waits for the connection
 * instead of failing; subscriptions survive reconnects.
 */
export interface MessageBus {
  publish(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void>;
  /** `filter` may use MQTT wildcards (`+`, `#`). Resolves once the broker acknowledged; returns the unsubscribe. */
  subscribe(filter: string, handler: (message: BusMessage) => void | Promise<void>): Promise<() => Promise<void>>;
  status(): BusStatus;
  /** Told on every change; after a reconnect, `online` is the cue to publish retained state again. */
  onStatus(listener: (status: BusStatus) => void): () => void;
}
