/**
 * Gateway API keys and their usage. A key's secret is never stored: only its SHA-256 hash (the
 * secret is 256 random bits, so a fast hash is enough) and a short prefix to recognise it by.
 */

export type GatewayPriority = 'interactive' | 'background';

/** What one key may do; `null` means no limit of that kind. */
export interface GatewayKeyLimits {
  /** Model names the key may ask for (`*` matches any text); null: every routed model. */
  models: string[] | null;
  requestsPerMinute: number | null;
  concurrentRequests: number | null;
  tokensPerDay: number | null;
  /** Most tokens a request may hold (prompt estimate + max_tokens). */
  maxContextTokens: number | null;
  /** max_tokens above this is lowered to it. */
  maxOutputTokens: number | null;
  priority: GatewayPriority;
}

export interface GatewayKey {
  id: string;
  name: string;
  /** The first characters of the secret (e.g. "vk_3fA9c"), to tell keys apart in lists. */
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  limits: GatewayKeyLimits;
}

export interface NewGatewayKey {
  name: string;
  prefix: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  createdAt: number;
  limits: GatewayKeyLimits;
}

export interface GatewayKeyStore {
  /** Throws VigilError('invalid_argument') when a key (revoked or not) already has this name. */
  create(key: NewGatewayKey): Promise<GatewayKey>;
  /** The key whose secret hashes to `secretHash`, revoked or not. */
  findByHash(secretHash: string): Promise<GatewayKey | undefined>;
  /** By name or id. */
  find(nameOrId: string): Promise<GatewayKey | undefined>;
  list(): Promise<GatewayKey[]>;
  /** Throws VigilError('not_found') for an unknown key; revoking twice keeps the first time. */
  revoke(nameOrId: string, at: number): Promise<GatewayKey>;
  /** Replaces the limits of a key; throws VigilError('not_found'). */
  updateLimits(nameOrId: string, limits: GatewayKeyLimits): Promise<GatewayKey>;
  touch(id: string, at: number): Promise<void>;
}

/** One finished (or refused) request, as the gateway accounts it. */
export interface GatewayUsageEntry {
  keyId: string;
  /** The model name the client asked for. */
  model: string;
  at: number;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
  queueWaitMs: number;
  latencyMs: number;
}

/** Usage summed per key, model and UTC day. */
export interface GatewayUsageRow {
  keyId: string;
  keyName: string;
  model: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  queueWaitMsTotal: number;
  latencyMsTotal: number;
}

export interface GatewayUsageStore {
  record(entry: GatewayUsageEntry): Promise<void>;
  /** Input plus output tokens of a key on a UTC day. */
  tokensOn(keyId: string, day: string): Promise<number>;
  /** Rows from `fromDay` to `toDay` inclusive (both YYYY-MM-DD, UTC), newest day first. */
  usage(query: { fromDay?: string; toDay?: string; keyId?: string }): Promise<GatewayUsageRow[]>;
}
