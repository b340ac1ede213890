import { z } from 'zod';
import { VigilError } from '../../domain/errors.ts';
import type { GatewayKey, GatewayKeyLimits, GatewayUsageRow } from '../../ports/gateway-store.ts';

/** The gateway's rows (`gateway_keys`, `gateway_usage`), the same columns on both backends, read back. */
export const count = z.number().int().nonnegative();
const limit = z.number().int().positive().nullable();

/** What `limits_json` holds: a stored row that does not match is a corrupt row, and says so. */
export const limitsSchema = z.strictObject({
  models: z.array(z.string().min(1)).nullable(),
  requestsPerMinute: limit,
  concurrentRequests: limit,
  tokensPerDay: limit,
  maxContextTokens: limit,
  maxOutputTokens: limit,
  priority: z.enum(['interactive', 'background']),
});

const keyRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
  last_used_at: z.number().nullable(),
  limits_json: z.string(),
});

const usageRowSchema = z.object({
  key_id: z.string(),
  key_name: z.string(),
  model: z.string(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  requests: count,
  failures: count,
  input_tokens: count,
  output_tokens: count,
  queue_wait_ms: count,
  latency_ms: count,
});

function parseLimits(json: string, keyName: string): GatewayKeyLimits {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new VigilError('storage_failed', `The stored limits of gateway key "${keyName}" are not JSON.`, { cause });
  }
  const parsed = limitsSchema.safeParse(value);
  if (!parsed.success) {
    throw new VigilError('storage_failed', `The stored limits of gateway key "${keyName}" are not valid.`, {
      cause: parsed.error,
      details: parsed.error.issues.map((i) => `${i.path.join('.') || '(limits)'}: ${i.message}`),
    });
  }
  return parsed.data;
}

export function toKey(row: unknown): GatewayKey {
  const r = keyRowSchema.parse(row);
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    limits: parseLimits(r.limits_json, r.name),
  };
}

/** Counters are whole numbers; a client's clock (performance.now) gives fractions, a broken one negatives. */
export const whole = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

/** A usage row, with its key's name, as the store returns it. */
export function toUsageRow(row: unknown): GatewayUsageRow {
  const r = usageRowSchema.parse(row);
  return {
    keyId: r.key_id,
    keyName: r.key_name,
    model: r.model,
    day: r.day,
    requests: r.requests,
    failures: r.failures,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    queueWaitMsTotal: r.queue_wait_ms,
    latencyMsTotal: r.latency_ms,
  };
}
