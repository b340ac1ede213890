import { z } from 'zod';
import { boundedNumber } from './schema-parts.ts';

/**
 * A limit, or `none` for no limit. (Not `null`: an empty value in vigil.yml means "the default",
 * as in Frigate's configuration.)
 */
const limit = (rule: Parameters<typeof boundedNumber>[0], fallback: number | null) =>
  z
    .union([boundedNumber(rule), z.literal('none')], { error: 'expected a number, or none for no limit' })
    .transform((value) => (value === 'none' ? null : value))
    .default(fallback);

/**
 * One model name clients may ask for and where it goes. `name` may hold `*` (any text), so
 * `claude-*opus*` catches every Opus version Claude Code asks for; the first route that matches wins.
 */
const routeSchema = z.strictObject({
  name: z.string().min(1).max(200),
  /** A provider of `genai.providers` (or "default" for the one written directly under genai). */
  provider: z.string().min(1),
  /** The backend's model name; default: the provider's `model`. */
  model: z.string().min(1).optional(),
  /**
   * Providers to try in order when this one is down (refused, timed out, 5xx, circuit open) and
   * nothing has been streamed yet; each answers with its own `model`. Default: the provider's
   * `fallback` chain.
   */
  fallback: z.array(z.string().min(1)).optional(),
});

/** What a key may do when `vigil keys create` is not told otherwise. */
const keyDefaultsSchema = z.strictObject({
  requests_per_minute: limit({ integer: true, min: 1, max: 1_000_000 }, 60),
  // Claude Code sends a few requests at once (its main turn and small side calls): 2 would turn some into 429s.
  concurrent_requests: limit({ integer: true, min: 1, max: 1000 }, 4),
  tokens_per_day: limit({ integer: true, min: 1 }, null),
  /** The most a request may fill: max_tokens is lowered to the room its (estimated) prompt leaves, and a prompt that alone fills it is refused, so that no client pushes the model off the GPU. */
  max_context_tokens: limit({ integer: true, min: 256 }, 32_768),
  /** A larger max_tokens is lowered to this. */
  max_output_tokens: limit({ integer: true, min: 1 }, 8192),
  priority: z.enum(['interactive', 'background']).default('interactive'),
});

export const gatewaySchema = z.strictObject({
  /** Serve /v1/messages, /v1/chat/completions, /v1/embeddings and /v1/models under `vigil serve`. */
  enabled: z.boolean().default(false),
  models: z.array(routeSchema).default([]),
  /** The provider /v1/embeddings uses; default: genai.roles.embeddings. */
  embeddings: z.string().min(1).optional(),
  key_defaults: keyDefaultsSchema.prefault({}),
  /** The largest request body (images come base64 inside it), in MiB. */
  max_body_mb: boundedNumber({ greaterThan: 0, max: 512 }).default(32),
});

type GatewayConfig = z.output<typeof gatewaySchema>;

/** Routes and the embeddings provider must name configured providers; checked where both sections are known. */
export function requireGatewayProviders(config: { gateway?: unknown; genai?: unknown }, ctx: z.RefinementCtx): void {
  const gateway = config.gateway as Partial<GatewayConfig> | undefined;
  if (typeof gateway !== 'object' || gateway === null) return;
  const genai = (typeof config.genai === 'object' && config.genai !== null ? config.genai : {}) as { provider?: unknown; model?: unknown; providers?: unknown };
  const named = typeof genai.providers === 'object' && genai.providers !== null ? Object.keys(genai.providers) : [];
  const known = new Set([...named, ...(genai.provider !== undefined || genai.model !== undefined ? ['default'] : [])]);
  const check = (path: (string | number)[], name: unknown) => {
    if (typeof name === 'string' && !known.has(name)) {
      ctx.addIssue({ code: 'custom', path: ['gateway', ...path], message: `unknown provider "${name}" (known: ${[...known].join(', ') || 'none; add one under genai.providers'})` });
    }
  };
  const routes = Array.isArray(gateway.models) ? gateway.models : [];
  routes.forEach((route, i) => {
    if (typeof route !== 'object' || route === null) return;
    check(['models', i, 'provider'], route.provider);
    (Array.isArray(route.fallback) ? route.fallback : []).forEach((name, j) => check(['models', i, 'fallback', j], name));
  });
  check(['embeddings'], gateway.embeddings);
  if (gateway.enabled === true && routes.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['gateway', 'models'], message: 'the gateway is enabled but routes no model: add at least one entry such as { name: "*", provider: <a genai provider> }' });
  }
}
