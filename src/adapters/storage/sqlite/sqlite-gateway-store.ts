import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
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
import { withStorageErrors } from './sqlite-errors.ts';
import { utcDay } from '../../../domain/time/utc-day.ts';

/** YYYY-MM-DD of a time, in UTC: the day a request is counted on. */


function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface SqliteGatewayStoreOptions {
  /** Ids of new keys (default: random UUIDs). */
  newId?: () => string;
}

/**
 * Gateway keys and their usage in `gateway_keys` and `gateway_usage` (migration 15). One class
 * for both ports: they share the database and a usage row names its key.
 */
export class SqliteGatewayStore implements GatewayKeyStore, GatewayUsageStore {
  private readonly statements;
  private readonly newId: () => string;

  constructor(
    private readonly db: Database.Database,
    options: SqliteGatewayStoreOptions = {},
  ) {
    this.newId = options.newId ?? randomUUID;
    const keyColumns = 'id, name, prefix, created_at, revoked_at, last_used_at, limits_json';
    this.statements = {
      insert: db.prepare(`
        INSERT INTO gateway_keys (id, name, prefix, secret_hash, created_at, limits_json)
        VALUES (@id, @name, @prefix, @secret_hash, @created_at, @limits_json)`),
      byId: db.prepare(`SELECT ${keyColumns} FROM gateway_keys WHERE id = ?`),
      byHash: db.prepare(`SELECT ${keyColumns} FROM gateway_keys WHERE secret_hash = ?`),
      // A name wins over an id: names are what people type, and one could look like another key's id.
      byNameOrId: db.prepare(`SELECT ${keyColumns} FROM gateway_keys WHERE name = @q OR id = @q ORDER BY name = @q DESC LIMIT 1`),
      list: db.prepare(`SELECT ${keyColumns} FROM gateway_keys ORDER BY created_at, rowid`),
      revoke: db.prepare('UPDATE gateway_keys SET revoked_at = COALESCE(revoked_at, @at) WHERE id = @id'),
      limits: db.prepare('UPDATE gateway_keys SET limits_json = @limits_json WHERE id = @id'),
      // Never moves back: two requests finishing out of order leave the later time.
      touch: db.prepare('UPDATE gateway_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), @at) WHERE id = @id'),
      record: db.prepare(`
        INSERT INTO gateway_usage (key_id, model, day, requests, failures, input_tokens, output_tokens, queue_wait_ms, latency_ms)
        VALUES (@key_id, @model, @day, 1, @failures, @input_tokens, @output_tokens, @queue_wait_ms, @latency_ms)
        ON CONFLICT (key_id, model, day) DO UPDATE SET
          requests = requests + 1,
          failures = failures + excluded.failures,
          input_tokens = input_tokens + excluded.input_tokens,
          output_tokens = output_tokens + excluded.output_tokens,
          queue_wait_ms = queue_wait_ms + excluded.queue_wait_ms,
          latency_ms = latency_ms + excluded.latency_ms`),
      tokensOn: db.prepare('SELECT COALESCE(SUM(input_tokens + output_tokens), 0) AS n FROM gateway_usage WHERE key_id = ? AND day = ?'),
      usage: db.prepare(`
        SELECT u.key_id, k.name AS key_name, u.model, u.day, u.requests, u.failures, u.input_tokens, u.output_tokens,
          u.queue_wait_ms, u.latency_ms
        FROM gateway_usage u JOIN gateway_keys k ON k.id = u.key_id
        WHERE (@from_day IS NULL OR u.day >= @from_day) AND (@to_day IS NULL OR u.day <= @to_day)
          AND (@key_id IS NULL OR u.key_id = @key_id)
        ORDER BY u.day DESC, k.name, u.model`),
    };
  }

  async create(key: NewGatewayKey): Promise<GatewayKey> {
    const id = this.newId();
    this.write(() => {
      try {
        this.statements.insert.run({
          id,
          name: key.name,
          prefix: key.prefix,
          secret_hash: key.secretHash,
          created_at: key.createdAt,
          limits_json: JSON.stringify(limitsSchema.parse(key.limits)),
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // The hash colliding would take 2^128 keys; a name taken is what this is.
        throw new VigilError('invalid_argument', `A gateway key named "${key.name}" already exists (revoked keys keep their names); choose another name.`, {
          cause: error,
        });
      }
    });
    return this.byId(id);
  }

  async findByHash(secretHash: string): Promise<GatewayKey | undefined> {
    const row = this.statements.byHash.get(secretHash);
    return row === undefined ? undefined : toKey(row);
  }

  async find(nameOrId: string): Promise<GatewayKey | undefined> {
    const row = this.statements.byNameOrId.get({ q: nameOrId });
    return row === undefined ? undefined : toKey(row);
  }

  async list(): Promise<GatewayKey[]> {
    return this.statements.list.all().map(toKey);
  }

  async revoke(nameOrId: string, at: number): Promise<GatewayKey> {
    const key = this.existing(nameOrId);
    this.write(() => this.statements.revoke.run({ id: key.id, at }));
    return this.byId(key.id);
  }

  async updateLimits(nameOrId: string, limits: GatewayKeyLimits): Promise<GatewayKey> {
    const key = this.existing(nameOrId);
    this.write(() => this.statements.limits.run({ id: key.id, limits_json: JSON.stringify(limitsSchema.parse(limits)) }));
    return this.byId(key.id);
  }

  async touch(id: string, at: number): Promise<void> {
    this.write(() => this.statements.touch.run({ id, at }));
  }

  async record(entry: GatewayUsageEntry): Promise<void> {
    this.write(() =>
      this.statements.record.run({
        key_id: entry.keyId,
        model: entry.model,
        day: utcDay(entry.at),
        failures: entry.ok ? 0 : 1,
        input_tokens: whole(entry.inputTokens),
        output_tokens: whole(entry.outputTokens),
        queue_wait_ms: whole(entry.queueWaitMs),
        latency_ms: whole(entry.latencyMs),
      }),
    );
  }

  async tokensOn(keyId: string, day: string): Promise<number> {
    return z.object({ n: count }).parse(this.statements.tokensOn.get(keyId, day)).n;
  }

  async usage(query: { fromDay?: string; toDay?: string; keyId?: string }): Promise<GatewayUsageRow[]> {
    return this.statements.usage
      .all({ from_day: query.fromDay ?? null, to_day: query.toDay ?? null, key_id: query.keyId ?? null })
      .map((row) => {
        return toUsageRow(row);
      });
  }

  private existing(nameOrId: string): GatewayKey {
    const row = this.statements.byNameOrId.get({ q: nameOrId });
    const key = row === undefined ? undefined : toKey(row);
    if (!key) throw new VigilError('not_found', `No gateway key is named "${nameOrId}" (see \`vigil keys list\`).`);
    return key;
  }

  private byId(id: string): GatewayKey {
    return toKey(this.statements.byId.get(id));
  }

  private write<T>(fn: () => T): T {
    return withStorageErrors(this.db.name, fn);
  }
}
