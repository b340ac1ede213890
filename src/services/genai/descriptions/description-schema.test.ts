import { describe, expect, it } from 'vitest';
import { boundRawText, descriptionJsonSchema, descriptionSearchText, DESCRIPTION_LIMITS, parseDescription, rawSearchText, storedDescriptionSchema } from './description-schema.ts';
import { validDescription } from './testing/descriptions.ts';

describe('parseDescription', () => {
  it('accepts a complete description with a summary in every configured language', () => {
    const result = parseDescription(JSON.stringify(validDescription('red jacket')), ['en', 'zh-Hant']);
    expect(result).toEqual({ ok: true, description: validDescription('red jacket') });
  });

  it('tolerates code fences and chatter around the JSON', () => {
    const text = `Here it is:\n\`\`\`json\n${JSON.stringify(validDescription('x'))}\n\`\`\`\nHope this helps.`;
    expect(parseDescription(text, ['en']).ok).toBe(true);
  });

  it('requires the configured languages', () => {
    const { summaries: _summaries, ...rest } = validDescription('x');
    const onlyEnglish = JSON.stringify({ ...rest, summaries: { en: 'A person walks by.' } });
    expect(parseDescription(onlyEnglish, ['en'])).toMatchObject({ ok: true });
    expect(parseDescription(onlyEnglish, ['en', 'zh-Hant'])).toEqual({
      ok: false,
      errors: ['summaries.zh-Hant: Invalid input: expected string, received undefined'],
    });
  });

  it('says what is wrong, for the repair request', () => {
    const bad = { ...validDescription('x'), scene: '', suspicion: { score: 150.5, reasons: [] } };
    const result = parseDescription(JSON.stringify(bad), ['en']);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      'scene: Too small: expected string to have >=1 characters',
      'suspicion.score: Invalid input: expected int, received number',
    ]);
    expect(parseDescription(JSON.stringify({ ...bad, scene: 'ok', suspicion: { score: 101, reasons: [] } }), ['en'])).toEqual({
      ok: false,
      errors: ['suspicion.score: Too big: expected number to be <=100'],
    });
    expect(parseDescription('I cannot see anything.', ['en'])).toEqual({ ok: false, errors: ['the answer contains no JSON object'] });
    expect(parseDescription('{"scene": "a", }', ['en'])).toMatchObject({ ok: false, errors: [expect.stringMatching(/^the answer is not valid JSON: /)] });
  });
});

describe('descriptionJsonSchema', () => {
  it('is a JSON Schema of the description with the configured summaries required', () => {
    const { name, schema } = descriptionJsonSchema(['zh-Hant', 'en']);
    expect(name).toBe('event_description');
    expect(schema).toMatchObject({
      type: 'object',
      required: ['scene', 'actions', 'attributes', 'suspicion', 'uncertain', 'summaries'],
      properties: {
        suspicion: { type: 'object', properties: { score: { type: 'integer', minimum: 0, maximum: 100 } } },
        summaries: { type: 'object', required: ['en', 'zh-Hant'] },
        attributes: { properties: { people: { type: 'array' }, vehicles: { type: 'array' } } },
      },
    });
  });
});

describe('search text', () => {
  it('holds the scene, actions, attributes and summaries', () => {
    expect(descriptionSearchText(validDescription('red jacket')).split('\n')).toEqual([
      'A driveway at night.',
      'p3 walks to the door carrying a parcel.',
      'red jacket',
      'dark trousers',
      'hoodie',
      'parcel',
      'white',
      'van',
      'A person in red jacket delivers a parcel.',
      '一名穿著red jacket的人送來包裹。',
    ]);
  });

  it('keeps the words of invalid output but not its JSON keys', () => {
    expect(rawSearchText('{"scene": "a blue car", "suspicion": {"score": "high"}}')).toBe('a blue car\nhigh');
    expect(rawSearchText('  A blue car, no JSON here. ')).toBe('A blue car, no JSON here.');
  });
});

describe('size caps', () => {
  const huge = 'a person in a red jacket '.repeat(8200); // about 200 kB

  it('cuts a 200 kB scene to its cap, marks the cut and names the field', () => {
    const result = parseDescription(JSON.stringify({ ...validDescription('x'), scene: huge }), ['en', 'zh-Hant']);
    expect(result.ok).toBe(true);
    const description = result.ok ? result.description : undefined;
    expect(description?.scene).toHaveLength(DESCRIPTION_LIMITS.scene);
    expect(description?.scene.endsWith('…')).toBe(true);
    expect(description?.truncated).toEqual(['scene']);
    expect(JSON.stringify(description).length).toBeLessThan(10_000);
  });

  it('caps every list and every item in it, and the summaries', () => {
    const base = validDescription('x');
    const result = parseDescription(
      JSON.stringify({
        ...base,
        actions: Array.from({ length: 500 }, (_, i) => `action ${i}`),
        attributes: { people: [{ id: 'p1', clothing: huge, carrying: [huge] }], vehicles: Array.from({ length: 50 }, () => ({ type: 'car' })) },
        suspicion: { score: 20, reasons: [huge] },
        summaries: { ...base.summaries, en: huge },
      }),
      ['en'],
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const d = result.description;
    expect(d.actions).toHaveLength(DESCRIPTION_LIMITS.items);
    expect(d.attributes.vehicles).toHaveLength(DESCRIPTION_LIMITS.items);
    expect(d.attributes.people?.[0]?.clothing).toHaveLength(DESCRIPTION_LIMITS.item);
    expect(d.attributes.people?.[0]?.carrying?.[0]).toHaveLength(DESCRIPTION_LIMITS.item);
    expect(d.suspicion.reasons[0]).toHaveLength(DESCRIPTION_LIMITS.item);
    expect(d.summaries.en).toHaveLength(DESCRIPTION_LIMITS.summary);
    expect(d.truncated?.sort()).toEqual(['actions', 'attributes.people.carrying', 'attributes.people.clothing', 'attributes.vehicles', 'summaries.en', 'suspicion.reasons']);
  });

  it('leaves a description within the caps exactly as it was (no truncated field)', () => {
    expect(parseDescription(JSON.stringify(validDescription('red jacket')), ['en', 'zh-Hant'])).toEqual({ ok: true, description: validDescription('red jacket') });
  });

  it('caps a description stored before the caps when it is read', () => {
    const stored = storedDescriptionSchema.parse({ ...validDescription('x'), scene: huge });
    expect(stored.scene).toHaveLength(DESCRIPTION_LIMITS.scene);
    expect(stored.truncated).toEqual(['scene']);
  });

  it('keeps raw output and its search text bounded', () => {
    expect(boundRawText(huge).length).toBeLessThan(DESCRIPTION_LIMITS.rawText + 50);
    expect(boundRawText(huge)).toMatch(/… \[\d+ more characters cut\]$/);
    expect(boundRawText('short')).toBe('short');
    expect(rawSearchText(`{"scene": "${huge}"`).length).toBeLessThan(DESCRIPTION_LIMITS.rawText + 50);
  });
});
