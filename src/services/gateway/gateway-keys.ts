import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { VigilError } from '../../domain/errors.ts';
import type {
  GatewayKey,
  GatewayKeyLimits,
  GatewayKeyStore,
  GatewayUsageEntry,
  GatewayUsageRow,
  GatewayUsageStore,
} from '../../ports/gateway-store.ts';
import type { Clock } from '../../ports/logger.ts';
import { utcDay } from '../../domain/time/utc-day.ts';

/** Every secret starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const SECRET_PREFIX = 'vk_';
/** 256 random bits: brute force is out of reach, so a plain SHA-256 of the secret is a safe thing to store. */
const SECRET_BYTES = 32;
/** "vk_" + 43 base64url characters (32 bytes, unpadded). */
const SECRET_PATTERN = /^vk_[A-Za-z0-9_-]{43}$/;
/** Shown in lists to tell keys apart: "vk_" and 5 characters (30 bits), which says nothing useful about the rest. */
const PREFIX_LENGTH = 8;
/** Last use is kept to the minute: finer would cost a write per request for no one's benefit. */
const TOUCH_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far back `usage` may look. */
const MAX_USAGE_DAYS = 3660;
const DEFAULT_USAGE_DAYS = 7;

/** Limits of a key nobody configured: none, served as interactive work (a person is waiting). */
export const GATEWAY_KEY_DEFAULTS: GatewayKeyLimits = {
  models: null,
  requestsPerMinute: null,
  concurrentRequests: null,
  tokensPerDay: null,
  maxContextTokens: null,
  maxOutputTokens: null,
  priority: 'interactive',
};

const keyNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key name is 1 to 64 characters: letters, digits, ".", "_" and "-"');

const limit = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be above 0 (or null for no limit)`).nullable();

const limitsSchema = z.strictObject({
  models: z
    .array(z.string().trim().min(1, 'a model name cannot be empty').max(200, 'a model name is at most 200 characters'))
    .min(1, 'models needs at least one name (or null for every model)')
    .max(100, 'at most 100 model names')
    .nullable(),
  requestsPerMinute: limit('requestsPerMinute'),
  concurrentRequests: limit('concurrentRequests'),
  tokensPerDay: limit('tokensPerDay'),
  maxContextTokens: limit('maxContextTokens'),
  maxOutputTokens: limit('maxOutputTokens'),
  priority: z.enum(['interactive', 'background'], { error: 'priority is "interactive" or "background"' }),
});

function validLimits(value: unknown, what: string): GatewayKeyLimits {
  const parsed = limitsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new VigilError('invalid_argument', `Invalid ${what}.`, {
    details: parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)),
  });
}

function validName(name: string): string {
  const parsed = keyNameSchema.safeParse(name);
  if (!parsed.success) throw new VigilError('invalid_argument', `Invalid key name ${JSON.stringify(name)}: ${parsed.error.issues[0]?.message ?? 'not allowed'}.`);
  return parsed.data;
}

/** The limits a caller named: an `undefined` property means "not named", so it keeps the value it had. */
function given(limits: Partial<GatewayKeyLimits>): Partial<GatewayKeyLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Usage of one key and model over the days asked for. */
export interface GatewayUsageTotal {
  keyId: string;
  keyName: string;
  model: string;
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  queueWaitMsTotal: number;
  latencyMsTotal: number;
  /** Per request (0 without requests). */
  meanQueueWaitMs: number;
  meanLatencyMs: number;
}

export interface GatewayUsageReport {
  /** First and last UTC day covered, inclusive. */
  fromDay: string;
  toDay: string;
  /** Per key, model and day, newest day first. */
  rows: GatewayUsageRow[];
  /** Per key and model, by key name then model. */
  totals: GatewayUsageTotal[];
}

export interface GatewayKeysServiceDeps {
  keys: GatewayKeyStore;
  usage: GatewayUsageStore;
  /** Limits a new key gets where `create` names none (config `gateway.key_defaults`). */
  defaults: GatewayKeyLimits;
  clock: Clock;
  /** Tests: where secrets' randomness comes from (default: the system's CSPRNG). */
  randomBytes?: (size: number) => Uint8Array;
}

/**
 * The gateway's API keys: made, checked, revoked and limited here, for `vigil keys` and the
 * gateway's authentication. A secret exists only in `create`'s answer; what is kept is its hash.
 */
export class GatewayKeysService {
  private readonly random: (size: number) => Uint8Array;
  private readonly defaults: GatewayKeyLimits;

  constructor(private readonly deps: GatewayKeysServiceDeps) {
    this.random = deps.randomBytes ?? randomBytes;
    // Bad defaults are a configuration mistake: told once, at start, not at the first `create`.
    this.defaults = validLimits(deps.defaults, 'default key limits (gateway.key_defaults)');
  }

  /** A new key and its secret; the secret is not kept, so this is the only time it is known. */
  async create(name: string, limits: Partial<GatewayKeyLimits> = {}): Promise<{ key: GatewayKey; secret: string }> {
    const checked = validName(name);
    // A friendlier refusal than the store's; two creates racing for one name still get the store's.
    if ((await this.deps.keys.find(checked))?.name === checked) {
      throw new VigilError('invalid_argument', `A gateway key named "${checked}" already exists (revoked keys keep their names); choose another name.`);
    }
    const bytes = this.random(SECRET_BYTES);
    if (bytes.length !== SECRET_BYTES) throw new Error(`randomBytes gave ${bytes.length} bytes, not ${SECRET_BYTES}`);
    const secret = `${SECRET_PREFIX}${Buffer.from(bytes).toString('base64url')}`;
    const key = await this.deps.keys.create({
      name: checked,
      prefix: secret.slice(0, PREFIX_LENGTH),
      secretHash: sha256Hex(secret),
      createdAt: this.deps.clock.now(),
      limits: validLimits({ ...this.defaults, ...given(limits) }, `limits for key "${checked}"`),
    });
    return { key, secret };
  }

  /**
   * The key a secret belongs to, or undefined when it is unknown or revoked; notes its use.
   *
   * No constant-time comparison is needed: the secret is never compared, only its SHA-256 is
   * looked up. Timing can at most tell an attacker something about the hashes of their guesses
   * against the stored hashes, and knowing part of a hash does not help find a secret that
   * produces it (that would take a preimage of SHA-256 over 256 random bits).
   */
  async authenticate(secret: string): Promise<GatewayKey | undefined> {
    // Anything not shaped like a secret is refused without touching the database.
    if (!SECRET_PATTERN.test(secret)) return undefined;
    // Read on every request, never cached: a revoked key stops working at its next request.
    const key = await this.deps.keys.findByHash(sha256Hex(secret));
    if (!key || key.revokedAt !== null) return undefined;
    const now = this.deps.clock.now();
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_EVERY_MS) {
      // Requests arriving together may each write it: the same minute, so no harm.
      await this.deps.keys.touch(key.id, now);
      return { ...key, lastUsedAt: now };
    }
    return key;
  }

  /** Every key, revoked ones too, oldest first. */
  list(): Promise<GatewayKey[]> {
    return this.deps.keys.list();
  }

  /** A key by name or id (revoked or not). */
  find(nameOrId: string): Promise<GatewayKey | undefined> {
    return this.deps.keys.find(nameOrId);
  }

  /** Stops a key from working; its usage is kept. `wasRevoked`: it already was (the first time is kept). */
  async revoke(nameOrId: string): Promise<{ key: GatewayKey; wasRevoked: boolean }> {
    const before = await this.existing(nameOrId);
    const at = this.deps.clock.now();
    const key = await this.deps.keys.revoke(before.id, at);
    // Another revoke may land between the read and ours: the store keeps its time, not `at`.
    return { key, wasRevoked: before.revokedAt !== null || key.revokedAt !== at };
  }

  /** Changes the limits named (null clears one), keeping the others. */
  async setLimits(nameOrId: string, limits: Partial<GatewayKeyLimits>): Promise<GatewayKey> {
    const key = await this.existing(nameOrId);
    return this.deps.keys.updateLimits(key.id, validLimits({ ...key.limits, ...given(limits) }, `limits for key "${key.name}"`));
  }

  /** One request, as the gateway accounts it (refused ones too). */
  recordUsage(entry: GatewayUsageEntry): Promise<void> {
    return this.deps.usage.record(entry);
  }

  /** Input plus output tokens of a key on a UTC day: what `tokensPerDay` is checked against (KeyAdmission's `tokensOn`). */
  tokensOn(keyId: string, day: string): Promise<number> {
    return this.deps.usage.tokensOn(keyId, day);
  }

  /** Usage over the last `days` UTC days, today included (default 7), of every key or one. */
  async usage(query: { days?: number; key?: string } = {}): Promise<GatewayUsageReport> {
    const days = query.days ?? DEFAULT_USAGE_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_USAGE_DAYS) {
      throw new VigilError('invalid_argument', `days must be a whole number from 1 to ${MAX_USAGE_DAYS}, not ${String(days)}.`);
    }
    const keyId = query.key === undefined ? undefined : (await this.existing(query.key)).id;
    const now = this.deps.clock.now();
    const toDay = utcDay(now);
    const fromDay = utcDay(now - (days - 1) * DAY_MS);
    const rows = await this.deps.usage.usage({ fromDay, toDay, ...(keyId !== undefined ? { keyId } : {}) });
    return { fromDay, toDay, rows, totals: totalsOf(rows) };
  }

  private async existing(nameOrId: string): Promise<GatewayKey> {
    const key = await this.deps.keys.find(nameOrId);
    if (!key) throw new VigilError('not_found', `No gateway key is named "${nameOrId}" (see \`vigil keys list\`).`);
    return key;
  }
}

/** Rows summed per key and model; means are per request. */
export function totalsOf(rows: readonly GatewayUsageRow[]): GatewayUsageTotal[] {
  const byKeyModel = new Map<string, GatewayUsageTotal>();
  for (const row of rows) {
    const id = JSON.stringify([row.keyId, row.model]);
    const total = byKeyModel.get(id) ?? {
      keyId: row.keyId,
      keyName: row.keyName,
      model: row.model,
      requests: 0,
      failures: 0,
      inputTokens: 0,
      outputTokens: 0,
      queueWaitMsTotal: 0,
      latencyMsTotal: 0,
      meanQueueWaitMs: 0,
      meanLatencyMs: 0,
    };
    total.requests += row.requests;
    total.failures += row.failures;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.queueWaitMsTotal += row.queueWaitMsTotal;
    total.latencyMsTotal += row.latencyMsTotal;
    byKeyModel.set(id, total);
  }
  const totals = [...byKeyModel.values()].map((t) => ({
    ...t,
    meanQueueWaitMs: t.requests > 0 ? t.queueWaitMsTotal / t.requests : 0,
    meanLatencyMs: t.requests > 0 ? t.latencyMsTotal / t.requests : 0,
  }));
  return totals.sort((a, b) => compare(a.keyName, b.keyName) || compare(a.model, b.model));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
