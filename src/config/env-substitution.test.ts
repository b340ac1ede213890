import { describe, expect, it } from 'vitest';
import { substituteEnv, unsetLine, withoutUnsetGenaiSecrets } from './env-substitution.ts';

describe('substituteEnv', () => {
  it('replaces VIGIL_ and FRIGATE_ placeholders in nested strings and leaves other braces alone', () => {
    const tree = {
      cameras: { back: { input: 'rtsp://{VIGIL_USER}:{FRIGATE_RTSP_PASSWORD}@h/{channel}', labels: ['{VIGIL_LABEL}', 3] } },
      other: '{vigil_lower} {HOME} {VIGIL_}',
    };
    const result = substituteEnv(tree, { VIGIL_USER: 'admin', FRIGATE_RTSP_PASSWORD: 's3cret', VIGIL_LABEL: 'person', HOME: '/root' });
    expect(result.value).toEqual({
      cameras: { back: { input: 'rtsp://admin:s3cret@h/{channel}', labels: ['person', 3] } },
      other: '{vigil_lower} {HOME} {VIGIL_}',
    });
    expect(result.secrets).toEqual(['admin', 's3cret', 'person']);
    expect(result.missing).toEqual([]);
  });

  it('does not touch map keys or the input tree', () => {
    const tree = { '{VIGIL_KEY}': 'x' };
    expect(substituteEnv(tree, { VIGIL_KEY: 'k' }).value).toEqual({ '{VIGIL_KEY}': 'x' });
    expect(tree).toEqual({ '{VIGIL_KEY}': 'x' });
  });

  it('reports every missing variable with the path that uses it', () => {
    const result = substituteEnv(
      { cameras: { back: { input: 'rtsp://u:{VIGIL_RTSP_PASSWORD}@h' }, side: { zones: { z: { labels: ['{FRIGATE_LABEL}'] } } } } },
      { VIGIL_OTHER: 'x' },
    );
    expect(result.missing).toEqual([
      'cameras.back.input: environment variable VIGIL_RTSP_PASSWORD is not set',
      'cameras.side.zones.z.labels[0]: environment variable FRIGATE_LABEL is not set',
    ]);
  });

  it('substitutes an empty value without treating it as a secret', () => {
    const result = substituteEnv({ name: 'a{VIGIL_EMPTY}b' }, { VIGIL_EMPTY: '' });
    expect(result.value).toEqual({ name: 'ab' });
    expect(result.secrets).toEqual([]);
  });
});

describe('withoutUnsetGenaiSecrets (read-only commands)', () => {
  const tree = {
    cameras: { back: { input: 'rtsp://{VIGIL_CAM}@h/live' } },
    genai: {
      enabled: true,
      provider: 'openai',
      model: 'gpt-4o',
      api_key: '{VIGIL_DEFAULT_KEY}',
      providers: {
        local: { provider: 'ollama', model: 'llava', fallback: 'writer' },
        writer: { provider: 'openai', model: 'gpt-4o-mini', api_key: '{VIGIL_OPENAI_KEY}' },
      },
      roles: { descriptions: 'local', answers: 'writer' },
      analyze_image: { instances: { porch: { vision: 'local', text: 'writer' }, yard: { vision: 'writer' } } },
      webhooks: [{ url: 'https://a.example/hook', secret: '{VIGIL_HOOK_SECRET}' }, { url: 'https://b.example/hook', secret: 'sixteen-chars-long!' }],
    },
  };

  it('takes out each provider and webhook whose variable is unset, and what refers to them, with one warning each', () => {
    const substituted = substituteEnv(tree, { VIGIL_CAM: 'viewer:pw' });
    const result = withoutUnsetGenaiSecrets(substituted.value, substituted.unset);
    expect(result.unset).toEqual([]);
    expect(result.warnings).toEqual([
      'genai provider "default" is off: environment variable VIGIL_DEFAULT_KEY is not set (genai.api_key)',
      'genai provider "writer" is off: environment variable VIGIL_OPENAI_KEY is not set (genai.providers.writer.api_key)',
      'genai webhook 1 is off: environment variable VIGIL_HOOK_SECRET is not set (genai.webhooks[0].secret)',
    ]);
    expect((result.value as { genai: unknown }).genai).toEqual({
      enabled: true,
      providers: { local: { provider: 'ollama', model: 'llava' } },
      roles: { descriptions: 'local' },
      analyze_image: { instances: { porch: { vision: 'local' } } },
      webhooks: [{ url: 'https://b.example/hook', secret: 'sixteen-chars-long!' }],
    });
  });

  it('still reports variables outside genai, and leaves the input alone', () => {
    const substituted = substituteEnv(tree, {});
    const result = withoutUnsetGenaiSecrets(substituted.value, substituted.unset);
    expect(result.unset.map(unsetLine)).toEqual(['cameras.back.input: environment variable VIGIL_CAM is not set']);
    expect((substituted.value as typeof tree).genai.providers.writer.api_key).toBe('{VIGIL_OPENAI_KEY}');
  });

  it('turns genai off as a whole for a variable in a prompt, and switches enabled off when no provider is left', () => {
    const prompt = withoutUnsetGenaiSecrets({ genai: { enabled: true, prompt: 'x' } }, [{ path: ['genai', 'prompt'], name: 'VIGIL_P' }]);
    expect(prompt).toEqual({ value: {}, warnings: ['genai is off: environment variable VIGIL_P is not set (genai.prompt)'], unset: [] });
    const only = withoutUnsetGenaiSecrets({ genai: { enabled: true, providers: { w: { provider: 'openai', model: 'm', api_key: '{VIGIL_K}' } } } }, [
      { path: ['genai', 'providers', 'w', 'api_key'], name: 'VIGIL_K' },
    ]);
    expect((only.value as { genai: unknown }).genai).toEqual({ enabled: false, providers: {} });
  });
});
