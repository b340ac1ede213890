import pg from 'pg';
import type { Campaign, CampaignHandlers, Leadership, LeaderRole } from '../../../ports/leadership.ts';
import { sqlState } from './sql-client.ts';

/**
 * Session advisory lock keys, one per role: "vigil" in ASCII (the migration lock's key) followed
 * by a role number, so that no other lock Vigil takes can collide with them.
 */
const LEADER_KEYS: Record<LeaderRole, bigint> = {
  integrations: (0x76_69_67_69_6cn << 8n) | 1n,
  retention: (0x76_69_67_69_6cn << 8n) | 2n,
};

export interface PgLeadershipOptions {
  /** How often a candidate tries again, and a leader checks that its session still holds the lock. Default 5 s. */
  checkMs?: number;
  /** A connection error (logged by the caller; the campaign goes on). */
  onError(role: LeaderRole, error: Error): void;
}

/**
 * Leadership by PostgreSQL session advisory locks: each campaign has a connection of its own
 * (outside the pool) and holds `pg_try_advisory_lock(key)` on it; the server releases the lock
 * the moment that session ends. A dead or cut-off holder's session is ended by the server too:
 * the leader checks its lock every `checkMs`, and its session has `idle_session_timeout` at three
 * times that (PostgreSQL 14 and later) and TCP keepalives of a few seconds, so the lock is free
 * again within about 3 × `checkMs` of the holder's last sign of life, and the holder, finding its
 * connection gone at its next check, steps down.
 */
export function createPgLeadership(url: string, options: PgLeadershipOptions): Leadership {
  const checkMs = options.checkMs ?? 5_000;
  return {
    campaign: (role, handlers) => campaign(url, role, handlers, checkMs, options),
  };
}

function campaign(url: string, role: LeaderRole, handlers: CampaignHandlers, checkMs: number, options: PgLeadershipOptions): Campaign {
  const key = LEADER_KEYS[role].toString();
  let stopped = false;
  let elected = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let settleFirst: (elected: boolean) => void = () => {};
  const firstAttempt = new Promise<boolean>((resolve) => (settleFirst = resolve));

  const depose = () => {
    if (!elected) return;
    elected = false;
    if (!stopped) handlers.onDeposed();
  };
  const drop = (broken: pg.Client, error?: Error) => {
    if (client !== broken) return;
    client = undefined;
    broken.end().catch(() => undefined);
    if (error && !stopped) options.onError(role, error);
    depose();
  };

  /** A connection with the dead-man switch set, or undefined when it could not be made (reported). */
  const connect = async (): Promise<pg.Client | undefined> => {
    const fresh = new pg.Client({
      connectionString: url,
      application_name: `vigil-leader-${role}`,
      connectionTimeoutMillis: 10_000,
      // A check that hangs (a cut-off network) counts as a lost connection.
      query_timeout: checkMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: checkMs,
    });
    fresh.on('error', (error) => drop(fresh, error));
    fresh.on('end', () => drop(fresh, new Error('the connection ended')));
    client = fresh;
    try {
      await fresh.connect();
      // The server's side of the dead-man switch: a holder that stops checking loses its session.
      await fresh.query(`SET tcp_keepalives_idle = ${Math.max(1, Math.round(checkMs / 1000))}; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3`);
      try {
        await fresh.query(`SET idle_session_timeout = ${3 * checkMs}`);
      } catch (error) {
        if (sqlState(error) !== '42704') throw error; // before PostgreSQL 14: keepalives only
      }
      return fresh;
    } catch (error) {
      drop(fresh, error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  };

  const attempt = async (): Promise<void> => {
    const current = client ?? (await connect());
    if (!current) return settleFirst(false);
    try {
      // The lock itself, not only the connection, is checked: a pooler between Vigil and the
      // server (PgBouncer in transaction mode) would hand the lock's session to others.
      const { rows } = elected
        ? await current.query<{ got: boolean }>(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = $1::bigint) AS got",
            [key],
          )
        : await current.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [key]);
      const holds = rows[0]?.got === true;
      if (holds && !elected && !stopped) {
        elected = true;
        handlers.onElected();
      } else if (!holds && elected) {
        drop(current, new Error('the advisory lock is no longer held by this session'));
      }
    } catch (error) {
      drop(current, error instanceof Error ? error : new Error(String(error)));
    }
    settleFirst(elected);
  };

  const loop = () => {
    if (stopped) return;
    running = attempt().finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, checkMs);
      timer.unref();
    });
  };
  loop();

  return {
    firstAttempt,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      const last = client;
      client = undefined;
      elected = false;
      if (last) {
        // Released at once for the next leader, rather than when the session ends.
        await last.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
        await last.end().catch(() => undefined);
      }
    },
  };
}
