import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { describeEvent } from './describe-event.ts';
import { DESCRIPTION_LIMITS, descriptionJsonSchema, descriptionSearchText } from './description-schema.ts';
import { ScriptedProvider, validDescription } from './testing/descriptions.ts';

const IMAGE = { data: new Uint8Array([0xff, 0xd8, 0xff]), mimeType: 'image/jpeg' as const };
const PROMPT = { system: 'be a detective', prompt: 'describe the event' };
const LANGUAGES = ['en', 'zh-Hant'] as const;

const run = (provider: ScriptedProvider) => describeEvent({ provider, prompt: PROMPT, images: [IMAGE, IMAGE], languages: LANGUAGES });

describe('describeEvent', () => {
  it('sends the images and the JSON schema once when the answer is valid', async () => {
    const provider = new ScriptedProvider(() => ({ text: JSON.stringify(validDescription('red jacket')) }));
    const result = await run(provider);
    expect(result).toEqual({
      provider: 'local_vlm',
      model: 'llava:test',
      json: validDescription('red jacket'),
      flagged: false,
      textForSearch: descriptionSearchText(validDescription('red jacket')),
    });
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]).toMatchObject({
      system: 'be a detective',
      prompt: 'describe the event',
      images: [IMAGE, IMAGE],
      jsonSchema: descriptionJsonSchema(LANGUAGES),
    });
  });

  it('repairs invalid output once, with the errors and without the images', async () => {
    const { summaries: _s, ...noSummaries } = validDescription('blue cap');
    const provider = new ScriptedProvider((_request, call) =>
      call === 0 ? { text: JSON.stringify({ ...noSummaries, summaries: { en: 'A person.' } }) } : { text: JSON.stringify(validDescription('blue cap')) },
    );
    const result = await run(provider);
    expect(result).toMatchObject({ json: validDescription('blue cap'), flagged: false });
    expect(provider.requests).toHaveLength(2);
    const repair = provider.requests[1]!;
    expect(repair.images).toBeUndefined();
    expect(repair.system).toBe('be a detective');
    expect(repair.jsonSchema).toEqual(descriptionJsonSchema(LANGUAGES));
    expect(repair.prompt).toContain('- summaries.zh-Hant: Invalid input: expected string, received undefined');
    expect(repair.prompt).toContain('{"scene":"A driveway at night."');
    expect(repair.prompt.endsWith('Reply with the corrected JSON object only, no other text.')).toBe(true);
  });

  it('keeps still-invalid output as flagged raw text after the one repair', async () => {
    const provider = new ScriptedProvider((_request, call) => ({ text: call === 0 ? 'A man in a green coat.' : '{"scene": "A man in a green coat"}' }));
    const result = await run(provider);
    expect(provider.requests).toHaveLength(2);
    expect(result).toEqual({
      provider: 'local_vlm',
      model: 'llava:test',
      rawText: '{"scene": "A man in a green coat"}',
      flagged: true,
      textForSearch: 'A man in a green coat',
    });
  });

  it('stores invalid output of any length bounded, saying what was cut', async () => {
    const endless = `not json ${'x'.repeat(200_000)}`;
    const provider = new ScriptedProvider(() => ({ text: endless }));
    const result = await run(provider);
    expect(result.flagged).toBe(true);
    expect(result.rawText!.length).toBeLessThanOrEqual(DESCRIPTION_LIMITS.rawText + 60);
    expect(result.rawText).toMatch(/more characters cut\]$/);
  });

  it('lets provider errors through for the caller to retry or give up', async () => {
    const error = new VigilError('provider_timeout', 'slow', { retryable: true });
    const provider = new ScriptedProvider(() => ({ error }));
    await expect(run(provider)).rejects.toBe(error);
  });
});
