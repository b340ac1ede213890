import { describe, expect, it } from 'vitest';
import { vigilConfigSchema } from './config.schema.ts';
import { configErrorMap, formatIssues } from './format-issues.ts';
import { gatewayKeyDefaults, gatewayMaxBodyBytes, gatewayRoutes } from './settings/gateway-settings.ts';

const issues = (config: unknown) => {
  const result = vigilConfigSchema.safeParse(config, { error: configErrorMap });
  return result.success ? [] : formatIssues(result.error.issues);
};
const providers = { local: { provider: 'ollama', model: 'qwen3:8b' }, cloud: { provider: 'openai', model: 'gpt-4o-mini', api_key: 'sk-123456789' } };

describe('gateway config', () => {
  it('is off by default, with limits a shared GPU can live with', () => {
    const config = vigilConfigSchema.parse({});
    expect(config.gateway).toEqual({
      enabled: false,
      models: [],
      key_defaults: { requests_per_minute: 60, concurrent_requests: 4, tokens_per_day: null, max_context_tokens: 32768, max_output_tokens: 8192, priority: 'interactive' },
      max_body_mb: 32,
    });
  });

  it('translates routes, key defaults and the body limit for the service', () => {
    const config = vigilConfigSchema.parse({
      genai: { providers },
      gateway: {
        enabled: true,
        models: [{ name: 'claude-*opus*', provider: 'local', model: 'qwen3:32b', fallback: ['cloud'] }, { name: '*', provider: 'local' }],
        key_defaults: { requests_per_minute: 'none', priority: 'background' },
        max_body_mb: 0.5,
      },
    });
    expect(gatewayRoutes(config.gateway)).toEqual([{ name: 'claude-*opus*', provider: 'local', model: 'qwen3:32b', fallback: ['cloud'] }, { name: '*', provider: 'local' }]);
    expect(gatewayKeyDefaults(config.gateway)).toMatchObject({ models: null, requestsPerMinute: null, concurrentRequests: 4, priority: 'background' });
    expect(gatewayMaxBodyBytes(config.gateway)).toBe(524288);
  });

  it('names unknown providers in routes, fallbacks and embeddings, and an enabled gateway without routes', () => {
    expect(
      issues({
        genai: { providers },
        gateway: { enabled: true, embeddings: 'bge', models: [{ name: '*', provider: 'locl', fallback: ['cloud', 'backup'] }] },
      }),
    ).toEqual([
      'gateway.models[0].provider: unknown provider "locl" (known: local, cloud)',
      'gateway.models[0].fallback[1]: unknown provider "backup" (known: local, cloud)',
      'gateway.embeddings: unknown provider "bge" (known: local, cloud)',
    ]);
    expect(issues({ gateway: { enabled: true } })).toEqual([expect.stringMatching(/^gateway.models: the gateway is enabled but routes no model/)]);
    expect(issues({ genai: { provider: 'ollama', model: 'x' }, gateway: { enabled: true, models: [{ name: '*', provider: 'default' }] } })).toEqual([]);
  });

  it('takes none for no limit, and an empty value (YAML null) as the default, as everywhere in vigil.yml', () => {
    const config = vigilConfigSchema.parse({ gateway: { key_defaults: { tokens_per_day: 'none', concurrent_requests: 'none' } } });
    expect(config.gateway.key_defaults).toMatchObject({ tokens_per_day: null, concurrent_requests: null, requests_per_minute: 60 });
    expect(issues({ gateway: { key_defaults: { concurrent_requests: 'lots' } } })).toEqual(['gateway.key_defaults.concurrent_requests: expected a number, or none for no limit']);
  });

  it('refuses bad limits and unknown fields by path', () => {
    expect(issues({ gateway: { key_defaults: { requests_per_minute: 0, priority: 'urgent' }, max_body_mb: -1, extra: true } })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^gateway.key_defaults.requests_per_minute: /),
        expect.stringMatching(/^gateway.key_defaults.priority: /),
        expect.stringMatching(/^gateway.max_body_mb: /),
        expect.stringMatching(/^gateway: .*extra/),
      ]),
    );
  });
});
