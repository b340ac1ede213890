/**
 * analyze_image as Home Assistant's Ollama Vision users call it (issue 12): device_id, the text
 * prompt filled in, no text model, any image_name, Home Assistant-relative URLs.
 */
import { describe, expect, it } from 'vitest';
import type { ImageAnalysis } from '../../ports/image-analysis-store.ts';
import type { GenerateRequest, LlmProvider } from '../../ports/llm-provider.ts';
import { AnalyzeImageService, type AnalyzeImageInstance } from './analyze-image.service.ts';
import { analyzeBodySchema, analyzeRequestFromBody, resolveHomeAssistantUrl } from './analyze-request.ts';

function provider(name: string, reply: (request: GenerateRequest) => string, seen: GenerateRequest[]): LlmProvider {
  return {
    name,
    kind: 'ollama',
    model: `${name}-model`,
    generate: async (request) => {
      seen.push(request);
      return { text: reply(request), model: `${name}-model`, usage: {} };
    },
    embed: async () => ({ vectors: [], model: name, usage: {} }),
  };
}

function service(instances: Array<[string, AnalyzeImageInstance]>, homeAssistantUrl?: string) {
  const fetched: string[] = [];
  const seen: GenerateRequest[] = [];
  const announced: ImageAnalysis[] = [];
  const providers = new Map([
    ['vlm', provider('vlm', () => 'A man with a parcel at the door.', seen)],
    ['writer', provider('writer', () => 'Parcel is here!', seen)],
  ]);
  const analyze = new AnalyzeImageService({
    fetcher: { fetch: async (url: string) => (fetched.push(url), { data: new Uint8Array([1]), mimeType: 'image/jpeg' as const, finalUrl: url }) },
    preparer: { prepare: async () => ({ data: new Uint8Array([1]), mimeType: 'image/jpeg' as const }) },
    providers: { names: () => [...providers.keys()], get: (name) => providers.get(name) },
    instances,
    store: { save: async () => {}, latest: async () => undefined, latestPerName: async () => [] },
    announcer: { announce: (_topic, payload) => announced.push(payload) },
    clock: { now: () => Date.UTC(2026, 11, 1) },
    language: 'en',
    imageMaxSize: 1024,
    ...(homeAssistantUrl ? { homeAssistantUrl } : {}),
  });
  return { analyze, fetched, seen, announced };
}

const body = (value: Record<string, unknown>) => analyzeRequestFromBody(analyzeBodySchema.parse(value));

describe('analyze_image as Ollama Vision users call it', () => {
  const instances: Array<[string, AnalyzeImageInstance]> = [
    ['default', { vision: 'vlm' }],
    ['porch', { vision: 'vlm', text: 'writer' }],
  ];

  it('takes device_id as the instance of that name, and the first instance when none matches', async () => {
    const { analyze } = service(instances);
    expect((await analyze.analyze(body({ image_url: 'http://cam/1.jpg', image_name: 'x', device_id: 'porch' }))).instance).toBe('porch');
    expect((await analyze.analyze(body({ image_url: 'http://cam/1.jpg', image_name: 'x', device_id: 'b9d50fa9859ada' }))).instance).toBe('default');
  });

  it('sends and reports the text prompt with {description} filled in, and takes "true" as true', async () => {
    const { analyze, seen } = service(instances);
    const result = await analyze.analyze(body({ image_url: 'http://cam/1.jpg', image_name: 'x', instance: 'porch', use_text_model: 'true', text_prompt: 'Say it kindly: {description}' }));
    expect(seen.at(-1)?.prompt).toBe('Say it kindly: A man with a parcel at the door.');
    expect(result).toMatchObject({ used_text_model: true, text_prompt: 'Say it kindly: A man with a parcel at the door.', final_description: 'Parcel is here!', text_model: 'writer-model' });
  });

  it('takes a text_prompt without {description}: the description follows it', async () => {
    const { analyze, seen } = service(instances);
    const result = await analyze.analyze(body({ image_url: 'http://cam/1.jpg', image_name: 'x', instance: 'porch', use_text_model: true, text_prompt: 'Make it short.' }));
    expect(seen.at(-1)?.prompt).toBe('Make it short.\n\nA man with a parcel at the door.');
    expect(result.used_text_model).toBe(true);
  });

  it('carries on with the vision description when the instance has no text model', async () => {
    const { analyze } = service(instances);
    const result = await analyze.analyze(body({ image_url: 'http://cam/1.jpg', image_name: 'x', use_text_model: 'on' }));
    expect(result).toMatchObject({ instance: 'default', used_text_model: false, text_prompt: null, final_description: 'A man with a parcel at the door.', text_model: null });
  });

  it('takes any image_name and keeps it as given', async () => {
    const { analyze } = service(instances);
    for (const name of ['Front Porch (north)', 'front-porch', '前門', 'Café']) expect((await analyze.analyze(body({ image_url: 'http://cam/1.jpg', image_name: name }))).image_name).toBe(name);
    await expect(analyze.analyze({ imageUrl: 'http://cam/1.jpg', imageName: 'bad\nname' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('fetches Home Assistant-relative URLs from home_assistant.url, and refuses them without it', async () => {
    const { analyze, fetched } = service(instances, 'http://ha.lan:8123');
    const result = await analyze.analyze(body({ image_url: '/api/camera_proxy/camera.porch?token=abc', image_name: 'porch' }));
    expect(fetched.at(-1)).toBe('http://ha.lan:8123/api/camera_proxy/camera.porch?token=abc');
    expect(result.image_url).toBe('http://ha.lan:8123/api/camera_proxy/camera.porch?token=abc');
    await analyze.analyze(body({ image_url: 'www/snapshots/porch.jpg', image_name: 'porch' }));
    expect(fetched.at(-1)).toBe('http://ha.lan:8123/local/snapshots/porch.jpg');
    await expect(service(instances).analyze.analyze(body({ image_url: '/local/porch.jpg', image_name: 'porch' }))).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('analyzeBodySchema', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['on', true],
    ['off', false],
    [true, true],
    [0, false],
  ])('reads use_text_model %j as %j', (value, expected) => {
    expect(analyzeBodySchema.parse({ image_name: 'x', use_text_model: value }).use_text_model).toBe(expected);
  });

  it('refuses booleans it cannot read and unknown fields', () => {
    expect(analyzeBodySchema.safeParse({ image_name: 'x', use_text_model: 'maybe' }).success).toBe(false);
    expect(analyzeBodySchema.safeParse({ image_name: 'x', colour: 'red' }).success).toBe(false);
  });
});

describe('resolveHomeAssistantUrl', () => {
  it('leaves absolute URLs alone and resolves paths against Home Assistant', () => {
    expect(resolveHomeAssistantUrl('https://cam.lan/snap.jpg', undefined)).toBe('https://cam.lan/snap.jpg');
    expect(resolveHomeAssistantUrl('/local/a.jpg', 'http://ha:8123/')).toBe('http://ha:8123/local/a.jpg');
    expect(resolveHomeAssistantUrl('local/a.jpg', 'http://ha:8123')).toBe('http://ha:8123/local/a.jpg');
    expect(() => resolveHomeAssistantUrl('//evil/a.jpg', 'http://ha:8123')).toThrow();
  });
});
