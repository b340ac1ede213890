/** `gateway:` as the gateway service takes it. */
import type { GatewayKeyLimits } from '../../ports/gateway-store.ts';
import type { ProviderSettings } from '../../ports/llm-provider.ts';
import type { ModelRoute } from '../../services/gateway/model-routes.ts';
import type { GatewayConfig } from '../config.schema.ts';

export function gatewayRoutes(gateway: GatewayConfig): ModelRoute[] {
  return gateway.models.map((route) => ({
    name: route.name,
    provider: route.provider,
    ...(route.model !== undefined ? { model: route.model } : {}),
    ...(route.fallback !== undefined ? { fallback: route.fallback } : {}),
  }));
}

/** What a new key may do unless `vigil keys create` says otherwise (its limits are stored with it). */
export function gatewayKeyDefaults(gateway: GatewayConfig): GatewayKeyLimits {
  const d = gateway.key_defaults;
  return {
    models: null,
    requestsPerMinute: d.requests_per_minute,
    concurrentRequests: d.concurrent_requests,
    tokensPerDay: d.tokens_per_day,
    maxContextTokens: d.max_context_tokens,
    maxOutputTokens: d.max_output_tokens,
    priority: d.priority,
  };
}

export function gatewayMaxBodyBytes(gateway: GatewayConfig): number {
  return Math.round(gateway.max_body_mb * 1024 * 1024);
}

/**
 * The context window a provider's settings fix: Ollama's `options.num_ctx` (what the gateway sends
 * with every request; clients never choose it). Undefined when the configuration does not say.
 */
export function configuredContextTokens(provider: Pick<ProviderSettings, 'kind' | 'providerOptions'>): number | undefined {
  if (provider.kind !== 'ollama') return undefined;
  const options = provider.providerOptions['options'];
  const numCtx = typeof options === 'object' && options !== null ? (options as Record<string, unknown>)['num_ctx'] : undefined;
  return typeof numCtx === 'number' && Number.isInteger(numCtx) && numCtx > 0 ? numCtx : undefined;
}
