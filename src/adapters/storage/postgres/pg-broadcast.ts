import type { Broadcast, BroadcastChannel } from '../../../ports/broadcast.ts';
import type { PgNotifications } from './pg-notifications.ts';
import type { SqlClient } from './sql-client.ts';

/** NOTIFY's payload limit is 8000 bytes; a little is kept back. */
const MAX_MESSAGE_BYTES = 7_900;

/** PostgreSQL channel names of Vigil's broadcast channels. */
const CHANNELS: Record<BroadcastChannel, string> = { events: 'vigil_events' };

/**
 * Broadcast over NOTIFY / LISTEN: `publish` is one `pg_notify` on the pool (sent at once, outside
 * any transaction, so a message about stored data leaves after that data committed), and each
 * subscription listens on a connection of its own (PgNotifications).
 */
export class PgBroadcast implements Broadcast {
  readonly maxMessageBytes = MAX_MESSAGE_BYTES;

  constructor(
    private readonly db: SqlClient,
    private readonly notifications: PgNotifications,
  ) {}

  async publish(channel: BroadcastChannel, message: string): Promise<void> {
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > MAX_MESSAGE_BYTES) throw new RangeError(`A broadcast message is at most ${MAX_MESSAGE_BYTES} bytes; this one has ${bytes}`);
    await this.db.query('SELECT pg_notify($1, $2)', [CHANNELS[channel], message]);
  }

  subscribe(channel: BroadcastChannel, handlers: Parameters<Broadcast['subscribe']>[1]): () => Promise<void> {
    return this.notifications.listen(CHANNELS[channel], {
      onNotification: (payload) => handlers.onMessage(payload),
      onListening: () => handlers.onListening?.(false),
      onReconnected: () => handlers.onListening?.(true),
    });
  }
}
