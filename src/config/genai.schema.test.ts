import { describe, expect, it } from 'vitest';
import { VigilError } from '../domain/errors.ts';
import { parseConfigText } from './parse-config.ts';

const parse = (text: string, env: Record<string, string> = {}) => parseConfigText(text, { env, baseDir: '/base', fileLabel: 'test.yml' }).config;
const issues = (text: string, env: Record<string, string> = {}) => {
  try {
    parse(text, env);
  } catch (error) {
    if (error instanceof VigilError) return error.details;
    throw error;
  }
  throw new Error('expected the config to be rejected');
};

describe('genai configuration', () => {
  it('accepts a Frigate genai block as it is', () => {
    const config = parse(
      [
        'genai:',
        '  enabled: true',
        '  provider: gemini',
        '  api_key: "{FRIGATE_GEMINI_API_KEY}"',
        '  model: gemini-2.0-flash',
        '  prompt: "Describe the {label} in the sequence of images from the {camera} security camera."',
        '  object_prompts:',
        '    person: "Examine the main person in these images."',
        'cameras:',
        '  front:',
        '    input: front.mp4',
        '    genai:',
        '      use_snapshot: true',
        '      objects: [person, car]',
        '      required_zones: [steps]',
        '',
      ].join('\n'),
      { FRIGATE_GEMINI_API_KEY: 'k-123', GEMINI_BASE_URL: 'http://127.0.0.1:9000' },
    );
    expect(config.genai).toMatchObject({
      enabled: true,
      provider: 'gemini',
      api_key: 'k-123',
      model: 'gemini-2.0-flash',
      base_url: 'http://127.0.0.1:9000',
      object_prompts: { person: 'Examine the main person in these images.' },
    });
    expect(config.cameras['front']?.genai).toEqual({ enabled: true, object_prompts: {}, objects: ['person', 'car'], required_zones: ['steps'], use_snapshot: true });
  });

  it('accepts named providers with roles, and OPENAI_BASE_URL for openai providers without a URL', () => {
    const config = parse(
      [
        'genai:',
        '  enabled: true',
        '  languages: [zh-Hant, en]',
        '  providers:',
        '    local_vlm: { provider: ollama, model: "qwen2.5vl:7b", base_url: "http://10.0.0.9:11434", provider_options: { keep_alive: 30m, options: { num_ctx: 8192 } } }',
        '    cloud: { provider: openai, model: gpt-4o-mini, api_key: "{VIGIL_OPENAI_KEY}" }',
        '  roles: { descriptions: local_vlm, answers: cloud, embeddings: local_vlm }',
        '  analyze_image:',
        '    instances:',
        '      porch: { vision: local_vlm, text: cloud, text_prompt: "Rewrite for a notification: {description}" }',
        '',
      ].join('\n'),
      { VIGIL_OPENAI_KEY: 'sk-1', OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' },
    );
    expect(config.genai.providers['local_vlm']).toMatchObject({ provider: 'ollama', timeout_s: 180, max_queued: 200, provider_options: { keep_alive: '30m' } });
    expect(config.genai.providers['cloud']).toMatchObject({ base_url: 'http://127.0.0.1:8000/v1', api_key: 'sk-1' });
    expect(config.genai.roles).toEqual({ descriptions: 'local_vlm', answers: 'cloud', embeddings: 'local_vlm' });
    expect(config.genai.languages).toEqual(['zh-Hant', 'en']);
  });

  it('names every mistake with its path', () => {
    expect(
      issues(
        [
          'genai:',
          '  enabled: true',
          '  providers:',
          '    cloud: { provider: openai, model: gpt-4o-mini }',
          '    azure: { provider: azure_openai, model: my-deployment, api_key: k }',
          '    bad: { provider: bard, model: x }',
          '  roles: { answers: nowhere }',
          '  analyze_image: { instances: { porch: { vision: missing } } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'genai.providers.cloud.api_key: required for provider openai (write it as "{VIGIL_…_API_KEY}")',
      'genai.providers.azure.base_url: required for azure_openai: your resource URL, e.g. https://NAME.openai.azure.com',
      'genai.providers.bad.provider: expected one of ollama, openai, azure_openai, gemini, anthropic',
      'genai.roles.answers: unknown provider "nowhere" (known: cloud, azure, bad)',
      'genai.analyze_image.instances.porch.vision: unknown provider "missing" (known: cloud, azure, bad)',
    ]);
    expect(issues('genai:\n  enabled: true\n')).toEqual([
      'genai.enabled: genai is enabled but no provider is configured (set genai.provider and genai.model, or genai.providers)',
    ]);
    expect(issues('genai:\n  provider: ollama\n')).toEqual(['genai.model: required when genai.provider is set']);
  });
});
