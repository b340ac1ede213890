/**
 * The fallback chain with the real clients behind real queues, against local servers: only an
 * outage (5xx, timeout, refused connection, open circuit) hands a call to the next provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOllamaProvider } from '../../adapters/llm/ollama/ollama-provider.ts';
import { createOpenAiProvider } from '../../adapters/llm/openai/openai-provider.ts';
import { parseConfigText } from '../../config/index.ts';
import { providerEntries } from '../../config/settings/index.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../../../test/support/fake-llm-server.ts';
import { createProviderRegistry, type ProviderRegistryEntry } from './provider-registry.ts';
import { ProviderQueue, type ProviderQueueOptions } from './queue/index.ts';

const ollamaAnswer = (content: string) => ({ json: { model: 'llava:7b', message: { role: 'assistant', content }, done: true } });
const openAiAnswer = (content: string) => ({ json: { object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } });

describe('createProviderRegistry with fallbacks', () => {
  let local: FakeLlmServer;
  let cloud: FakeLlmServer;
  let spare: FakeLlmServer;
  beforeAll(async () => {
    [local, cloud, spare] = await Promise.all([startFakeLlmServer(), startFakeLlmServer(), startFakeLlmServer()]);
  });
  afterAll(async () => {
    await Promise.all([local.close(), cloud.close(), spare.close()]);
  });
  beforeEach(() => {
    for (const s of [local, cloud, spare]) s.reset();
  });

  const fastRetries: ProviderQueueOptions = { retry: { baseDelayMs: 1, maxDelayMs: 1 } };
  function registry(options: { localTimeoutMs?: number; queue?: ProviderQueueOptions; chain?: 'three' } = {}) {
    const queue = (provider: ReturnType<typeof createOllamaProvider>) => new ProviderQueue({ provider, options: { ...fastRetries, ...options.queue } });
    const entries = new Map<string, ProviderRegistryEntry>([
      ['local', { queue: queue(createOllamaProvider({ name: 'local', kind: 'ollama', model: 'llava:7b', baseUrl: local.url, providerOptions: {}, timeoutMs: options.localTimeoutMs ?? 2000 })), fallback: 'cloud' }],
      [
        'cloud',
        {
          queue: queue(createOpenAiProvider({ name: 'cloud', kind: 'openai', model: 'gpt-4o-mini', baseUrl: `${cloud.url}/v1`, apiKey: 'sk-test-123456', providerOptions: {}, timeoutMs: 2000 })),
          ...(options.chain === 'three' ? { fallback: 'spare' } : {}),
        },
      ],
      ['spare', { queue: queue(createOllamaProvider({ name: 'spare', kind: 'ollama', model: 'moondream', baseUrl: spare.url, providerOptions: {}, timeoutMs: 2000 })) }],
    ]);
    return createProviderRegistry(entries);
  }
  const ask = (r: ReturnType<typeof registry>) => r.get('local', { priority: 'interactive', camera: 'porch' })!.generate({ prompt: 'What is there?' });
  const statsOf = (r: ReturnType<typeof registry>, name: string) => r.stats().find((s) => s.provider === name);

  it('hands a 5xx to the fallback after one attempt instead of retrying, and counts it', async () => {
    local.reply({ status: 503, json: { error: 'server busy' } });
    cloud.reply(openAiAnswer('From the cloud.'));
    const r = registry();
    await expect(ask(r)).resolves.toMatchObject({ text: 'From the cloud.', model: 'gpt-4o-mini' });
    expect(local.requests).toHaveLength(1);
    expect(statsOf(r, 'local')).toMatchObject({ fallback: { provider: 'cloud', handedOver: 1 }, totals: { attempts: 1, failures: { provider_unavailable: 1 } } });
    expect(statsOf(r, 'cloud')?.totals).toMatchObject({ calls: 1, successes: 1 });
    expect(statsOf(r, 'cloud')?.cameras['porch']).toMatchObject({ successes: 1 });
  });

  it('hands a timeout to the fallback', async () => {
    local.reply({ ...ollamaAnswer('too late'), delayMs: 1000 });
    cloud.reply(openAiAnswer('From the cloud.'));
    await expect(ask(registry({ localTimeoutMs: 100 }))).resolves.toMatchObject({ text: 'From the cloud.' });
  });

  it('goes straight to the fallback while the circuit is open, without calling the first provider', async () => {
    const r = registry({ queue: { circuit: { failureThreshold: 1, cooldownMs: 60_000 } } });
    local.reply({ status: 500, json: { error: 'CUDA out of memory' } });
    cloud.reply(openAiAnswer('one'), openAiAnswer('two'));
    await expect(ask(r)).resolves.toMatchObject({ text: 'one' });
    await expect(ask(r)).resolves.toMatchObject({ text: 'two' });
    expect(local.requests).toHaveLength(1);
    expect(statsOf(r, 'local')).toMatchObject({ circuit: { state: 'open' }, fallback: { handedOver: 2 }, totals: { failures: { provider_unavailable: 1, circuit_open: 1 } } });
  });

  it('follows the chain to the third provider when the second is down too', async () => {
    local.reply({ status: 502, body: '<html>Bad Gateway</html>' });
    cloud.reply({ status: 503, json: { error: { message: 'The engine is currently overloaded', type: 'server_error' } } });
    spare.reply(ollamaAnswer('From the spare.'));
    await expect(ask(registry({ chain: 'three' }))).resolves.toMatchObject({ text: 'From the spare.' });
  });

  it.each([
    ['a bad key (401)', { status: 401, json: { error: 'unauthorized' } }, 'provider_auth'],
    ['a bad request (400)', { status: 400, json: { error: 'invalid format' } }, 'provider_bad_request'],
  ])('never falls back for %s', async (_what, reply, code) => {
    local.reply(reply);
    await expect(ask(registry())).rejects.toMatchObject({ code });
    expect(cloud.requests).toHaveLength(0);
  });

  it('gives the last outage when every provider is down', async () => {
    local.reply({ status: 503, json: { error: 'down' } });
    cloud.setFallback({ status: 503, json: { error: { message: 'down too' } } });
    try {
      await expect(ask(registry())).rejects.toMatchObject({ code: 'provider_unavailable', message: expect.stringContaining('cloud') as unknown });
    } finally {
      cloud.setFallback(undefined);
    }
  });

  it('never falls back for embeddings: vectors of two models do not mix', async () => {
    local.reply({ status: 503, json: { error: 'down' } });
    local.setFallback({ status: 503, json: { error: 'down' } });
    try {
      await expect(registry().get('local', { priority: 'background' })!.embed(['a person'])).rejects.toMatchObject({ code: 'provider_unavailable' });
      expect(cloud.requests).toHaveLength(0);
    } finally {
      local.setFallback(undefined);
    }
  });
});

describe('genai fallback configuration', () => {
  const parse = (providers: string, direct = '') =>
    parseConfigText(`genai:\n${direct}  providers:\n${providers}`, { env: {}, baseDir: '/tmp', fileLabel: 'vigil.yml' });

  it('reads providers.<name>.fallback and the Frigate-style genai.fallback', () => {
    const { config } = parse(
      '    cloud: { provider: openai, model: gpt-4o-mini, api_key: sk-123456, fallback: spare }\n    spare: { provider: ollama, model: moondream }\n',
      '  provider: ollama\n  model: llava:7b\n  fallback: cloud\n',
    );
    expect(providerEntries(config.genai).map((e) => [e.settings.name, e.fallback])).toEqual([
      ['default', 'cloud'],
      ['cloud', 'spare'],
      ['spare', undefined],
    ]);
  });

  it('refuses an unknown fallback, a provider that is its own fallback, and a circle', () => {
    const details = (providers: string) => {
      try {
        parse(providers);
      } catch (error) {
        return (error as { details: string[] }).details;
      }
      return [];
    };
    expect(details('    a: { provider: ollama, model: m, fallback: nowhere }\n')).toEqual(['genai.providers.a.fallback: unknown provider "nowhere" (known: a)']);
    expect(details('    a: { provider: ollama, model: m, fallback: a }\n')).toEqual(['genai.providers.a.fallback: a provider cannot be its own fallback']);
    expect(details('    a: { provider: ollama, model: m, fallback: b }\n    b: { provider: ollama, model: m, fallback: a }\n')).toEqual([
      'genai.providers.a.fallback: the fallbacks go round in a circle (a → b → a)',
      'genai.providers.b.fallback: the fallbacks go round in a circle (b → a → b)',
    ]);
  });
});
