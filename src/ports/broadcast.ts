/**
 * Short messages to the other Vigil processes sharing one storage (`vigil worker`s, `vigil
 * serve`s, a `vigil analyze`): PostgreSQL's NOTIFY. Only a storage that several processes share
 * has one; SQLite's is one process (`Storage.broadcast` is then undefined).
 *
 * Delivery is at most once and never stored: a process that is not listening when a message is
 * sent never hears it, and `onListening(true)` says when that may have happened.
 */
export interface Broadcast {
  /** Largest message in UTF-8 bytes; `publish` refuses a longer one. */
  readonly maxMessageBytes: number;
  /** Sends `message` to every process subscribed to `channel`, this one included. */
  publish(channel: BroadcastChannel, message: string): Promise<void>;
  /** Hears `channel` until the returned function is called (it resolves once listening stopped). */
  subscribe(channel: BroadcastChannel, handlers: BroadcastHandlers): () => Promise<void>;
}

/** What is broadcast: `events`, event notices (see SharedEventFeed). */
export type BroadcastChannel = 'events';

export interface BroadcastHandlers {
  onMessage(message: string): void;
  /**
   * Listening took effect: what is sent from now on is heard. `resumed` when it follows a lost
   * connection, after which messages sent meanwhile went unheard.
   */
  onListening?(resumed: boolean): void;
}
