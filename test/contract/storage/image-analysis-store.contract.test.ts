import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageAnalysis, ImageAnalysisStore } from '../../../src/ports/image-analysis-store.ts';
import { storageBackends, type TestStorage } from './backends.ts';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const SECOND = 1000;

const analysis = (imageName: string, atMs: number, overrides: Partial<ImageAnalysis> = {}): ImageAnalysis => ({
  instance: 'home',
  image_name: imageName,
  image_url: `http://camera.local/${imageName}.jpg`,
  prompt: 'What is at the door?',
  description: `${imageName} at ${atMs}`,
  used_text_model: false,
  text_prompt: null,
  final_description: `${imageName} at ${atMs}`,
  created_at: new Date(atMs).toISOString(),
  model: 'qwen2.5vl',
  text_model: null,
  ...overrides,
});

describe.each(await storageBackends())('ImageAnalysisStore on %s', (backend) => {
  let test: TestStorage;
  let store: ImageAnalysisStore;

  beforeEach(async () => {
    test = await backend.create();
    store = test.storage.imageAnalyses;
  });

  afterEach(async () => {
    await test.dispose();
  });

  it('saves a result and gives it back whole', async () => {
    expect(await store.latest('front_door')).toBeUndefined();
    const full = analysis('front_door', T0, { used_text_model: true, text_prompt: 'Summarise', text_model: 'qwen3', image_url: null, final_description: '一個人 at the door' });
    await store.save(full);
    expect(await store.latest('front_door')).toEqual(full);
    expect(await store.latest('back_door')).toBeUndefined();
  });

  it('latest is the most recent result of that image name, the last saved among equal times', async () => {
    await store.save(analysis('front_door', T0 + 2 * SECOND));
    await store.save(analysis('front_door', T0));
    await store.save(analysis('back_door', T0 + 5 * SECOND));
    expect((await store.latest('front_door'))?.created_at).toBe(new Date(T0 + 2 * SECOND).toISOString());
    await store.save(analysis('front_door', T0 + 2 * SECOND, { description: 'saved later' }));
    expect((await store.latest('front_door'))?.description).toBe('saved later');
  });

  it('latestPerName gives the latest result of every name, most recent first, at most `limit` names', async () => {
    expect(await store.latestPerName()).toEqual([]);
    await store.save(analysis('garage', T0 + 1 * SECOND));
    await store.save(analysis('front_door', T0 + 2 * SECOND));
    await store.save(analysis('back_door', T0 + 3 * SECOND));
    await store.save(analysis('garage', T0 + 4 * SECOND));
    // An older result saved last changes nothing.
    await store.save(analysis('back_door', T0));
    const all = await store.latestPerName();
    expect(all.map((a) => [a.image_name, a.created_at])).toEqual([
      ['garage', new Date(T0 + 4 * SECOND).toISOString()],
      ['back_door', new Date(T0 + 3 * SECOND).toISOString()],
      ['front_door', new Date(T0 + 2 * SECOND).toISOString()],
    ]);
    expect(all[0]).toEqual(analysis('garage', T0 + 4 * SECOND));
    expect((await store.latestPerName(2)).map((a) => a.image_name)).toEqual(['garage', 'back_door']);
  });
});
