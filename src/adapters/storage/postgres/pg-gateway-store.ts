import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import { utcDay } from '../../../domain/time/utc-day.ts';
import type {
  GatewayKey,
  GatewayKeyLimits,
  GatewayKeyStore,
  GatewayUsageEntry,
  GatewayUsageRow,
  GatewayUsageStore,
  NewGatewayKey,
} from '../../../ports/gateway-store.ts';
import { count, limitsSchema, toKey, toUsageRow, whole } from '../gateway-rows.ts';
import { sqlState, type SqlClient } from './sql-client.ts';

const KEY_COLUMNS = 'id, name, prefix, created_at, revoked_at, last_used_at, limits_json';
/**
 * The id of the key named $1, or else whose id is $1. A name wins over an id: names are what
 * people type, and one could look like another key's id.
 */
const KEY_BY_NAME_OR_ID = 'SELECT id FROM gateway_keys WHERE name = $1 OR id = $1 ORDER BY name = $1 DESC LIMIT 1';

export interface PgGatewayStoreOptions {
  /** Ids of new keys (default: random UUIDs). */
  newId?: () => string;
}

/**
 * Gateway keys and their usage in `gateway_keys` and `gateway_usage`, shared by every Vigil
 * process of the database. Each call is one statement: a revoke or a limit change finds its key
 * and changes it in the same statement, and usage is added up by INSERT ... ON CONFLICT, which
 * PostgreSQL runs atomically per row, so concurrent gateways never lose a count.
 */
export class PgGatewayStore implements GatewayKeyStore, GatewayUsageStore {
  private readonly newId: () => string;

  constructor(
    protected readonly db: SqlClient,
    options: PgGatewayStoreOptions = {},
  ) {
    this.newId = options.newId ?? randomUUID;
  }

  async create(key: NewGatewayKey): Promise<GatewayKey> {
    const limitsJson = JSON.stringify(limitsSchema.parse(key.limits));
    try {
      const { rows } = await this.db.query(
        `INSERT INTO gateway_keys (id, name, prefix, secret_hash, created_at, limits_json)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLUMNS}`,
        [this.newId(), key.name, key.prefix, key.secretHash, key.createdAt, limitsJson],
      );
      return toKey(rows[0]);
    } catch (error) {
      if (sqlState(error) !== '23505') throw error;
      // The hash colliding would take 2^128 keys; a name taken is what this is.
      throw new VigilError('invalid_argument', `A gateway key named "${key.name}" already exists (revoked keys keep their names); choose another name.`, {
        cause: error,
      });
    }
  }

  async findByHash(secretHash: string): Promise<GatewayKey | undefined> {
    const { rows } = await this.db.query(`SELECT ${KEY_COLUMNS} FROM gateway_keys WHERE secret_hash = $1`, [secretHash]);
    return rows.length === 0 ? undefined : toKey(rows[0]);
  }

  async find(nameOrId: string): Promise<GatewayKey | undefined> {
    const { rows } = await this.db.query(`SELECT ${KEY_COLUMNS} FROM gateway_keys WHERE id = (${KEY_BY_NAME_OR_ID})`, [nameOrId]);
    return rows.length === 0 ? undefined : toKey(rows[0]);
  }

  async list(): Promise<GatewayKey[]> {
    const { rows } = await this.db.query(`SELECT ${KEY_COLUMNS} FROM gateway_keys ORDER BY created_at, rowid`);
    return rows.map(toKey);
  }

  async revoke(nameOrId: string, at: number): Promise<GatewayKey> {
    // COALESCE: revoking twice (from two processes, too) keeps the first time.
    const { rows } = await this.db.query(
      `UPDATE gateway_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = (${KEY_BY_NAME_OR_ID}) RETURNING ${KEY_COLUMNS}`,
      [nameOrId, at],
    );
    return this.changed(rows, nameOrId);
  }

  async updateLimits(nameOrId: string, limits: GatewayKeyLimits): Promise<GatewayKey> {
    const { rows } = await this.db.query(`UPDATE gateway_keys SET limits_json = $2 WHERE id = (${KEY_BY_NAME_OR_ID}) RETURNING ${KEY_COLUMNS}`, [
      nameOrId,
      JSON.stringify(limitsSchema.parse(limits)),
    ]);
    return this.changed(rows, nameOrId);
  }

  async touch(id: string, at: number): Promise<void> {
    // Never moves back: two requests finishing out of order leave the later time. A row already
    // as late is not written at all, so busy keys' requests do not queue on its row lock.
    await this.db.query('UPDATE gateway_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [id, at]);
  }

  async record(entry: GatewayUsageEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO gateway_usage AS u (key_id, model, day, requests, failures, input_tokens, output_tokens, queue_wait_ms, latency_ms)
       VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8)
       ON CONFLICT (key_id, model, day) DO UPDATE SET
         requests = u.requests + 1,
         failures = u.failures + excluded.failures,
         input_tokens = u.input_tokens + excluded.input_tokens,
         output_tokens = u.output_tokens + excluded.output_tokens,
         queue_wait_ms = u.queue_wait_ms + excluded.queue_wait_ms,
         latency_ms = u.latency_ms + excluded.latency_ms`,
      [
        entry.keyId,
        entry.model,
        utcDay(entry.at),
        entry.ok ? 0 : 1,
        whole(entry.inputTokens),
        whole(entry.outputTokens),
        whole(entry.queueWaitMs),
        whole(entry.latencyMs),
      ],
    );
  }

  async tokensOn(keyId: string, day: string): Promise<number> {
    // SUM of BIGINT is NUMERIC (a string); back to BIGINT, which the client reads as a number.
    const { rows } = await this.db.query('SELECT COALESCE(SUM(input_tokens + output_tokens), 0)::bigint AS n FROM gateway_usage WHERE key_id = $1 AND day = $2', [
      keyId,
      day,
    ]);
    return z.object({ n: count }).parse(rows[0]).n;
  }

  async usage(query: { fromDay?: string; toDay?: string; keyId?: string }): Promise<GatewayUsageRow[]> {
    // Names are ordered byte-wise (COLLATE "C"), as SQLite's BINARY collation orders them.
    const { rows } = await this.db.query(
      `SELECT u.key_id, k.name AS key_name, u.model, u.day, u.requests, u.failures, u.input_tokens, u.output_tokens,
         u.queue_wait_ms, u.latency_ms
       FROM gateway_usage u JOIN gateway_keys k ON k.id = u.key_id
       WHERE ($1::text IS NULL OR u.day >= $1) AND ($2::text IS NULL OR u.day <= $2) AND ($3::text IS NULL OR u.key_id = $3)
       ORDER BY u.day DESC, k.name COLLATE "C", u.model COLLATE "C"`,
      [query.fromDay ?? null, query.toDay ?? null, query.keyId ?? null],
    );
    return rows.map((row) => {
      return toUsageRow(row);
    });
  }

  /** The key an UPDATE ... RETURNING changed, or not_found when there was none to change. */
  private changed(rows: unknown[], nameOrId: string): GatewayKey {
    if (rows.length === 0) throw new VigilError('not_found', `No gateway key is named "${nameOrId}" (see \`vigil keys list\`).`);
    return toKey(rows[0]);
  }
}
