import pg from 'pg';

/** The channel PgJobQueue NOTIFYs on when it has new work: `<origin> <kind>`. */
export const JOBS_CHANNEL = 'vigil_jobs';

export interface NotificationHandlers {
  onNotification(payload: string): void;
  /** The connection was lost and is back: whatever was sent meanwhile went unheard. */
  onReconnected?(): void;
  /** LISTEN took effect for the first time: what is sent from now on is heard. */
  onListening?(): void;
}

/** LISTEN on a channel, for as long as the returned function has not been called. */
export interface PgNotifications {
  /** Starts listening in the background (never throws, never rejects); returns the function that stops. */
  listen(channel: string, handlers: NotificationHandlers): () => Promise<void>;
}

export interface PgNotificationsOptions {
  /** A lost or refused connection (it is opened again after `reconnectDelayMs`). */
  onError(error: Error): void;
  /** Default 5 s. */
  reconnectDelayMs?: number;
  /** Shown in pg_stat_activity. Default "vigil-listen". */
  applicationName?: string;
}

/**
 * LISTEN needs a connection that stays open and is not used for anything else: a pooled one
 * goes back to the pool (and its LISTEN with it, or worse, stays on a connection others borrow),
 * and SqlClient has no way to hand out notifications. So each `listen` opens one pg.Client of its
 * own, outside the pool (it takes no pool slot), and opens it again when it is lost.
 */
export function createPgNotifications(url: string, options: PgNotificationsOptions): PgNotifications {
  return {
    listen: (channel, handlers) => listenOn(url, channel, handlers, options),
  };
}

function listenOn(url: string, channel: string, handlers: NotificationHandlers, options: PgNotificationsOptions): () => Promise<void> {
  // LISTEN takes an identifier, not a parameter: only plain lower-case names are put into it.
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a channel name Vigil listens on: ${JSON.stringify(channel)}`);
  let stopped = false;
  let current: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let opening: Promise<void> = Promise.resolve();

  const open = async (reconnect: boolean): Promise<void> => {
    const client = new pg.Client({ connectionString: url, application_name: options.applicationName ?? 'vigil-listen', connectionTimeoutMillis: 10_000 });
    current = client;
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (current === client) current = undefined;
      if (stopped) return;
      if (error) options.onError(error);
      client.end().catch(() => undefined);
      timer = setTimeout(() => {
        timer = undefined;
        opening = open(true);
      }, options.reconnectDelayMs ?? 5_000);
      timer.unref();
    };
    client.on('error', drop);
    client.on('end', () => drop(new Error('The PostgreSQL connection used for LISTEN ended')));
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) handlers.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (stopped) return;
      if (reconnect) handlers.onReconnected?.();
      else handlers.onListening?.();
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
    }
  };

  opening = open(false);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await opening;
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}
