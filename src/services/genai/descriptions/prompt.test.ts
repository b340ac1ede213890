import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../../domain/events/event-types.ts';
import { DEFAULT_CAMERA_GENAI, describePolicy, mainLabel, promptTemplate } from './description-settings.ts';
import { buildDescriptionPrompt, buildRepairPrompt, fillTemplate, formatDuration, placeholderValues } from './prompt.ts';
import { CAMERA, EVENT, FRAMES, T0 } from './testing/event-fixture.ts';

const OUTPUT_FIELDS = [
  'Answer with one JSON object with these fields:',
  '- "scene": the place and the situation, in one or two sentences.',
  '- "actions": what each actor does, in time order, one short sentence each; name actors by their track ids (p3, v1) when you can tell them apart.',
  '- "attributes": "people" (id, clothing_colors, clothing, carrying) and "vehicles" (id, type, color); only what you can see.',
  '- "suspicion": "score" from 0 (ordinary) to 100 (clearly threatening) and the "reasons" for it.',
  '- "uncertain": what the images do not let you tell (a hidden face, an unclear object, a detection that looks wrong).',
];

describe('buildDescriptionPrompt', () => {
  it('gives the rule facts, actors, local times, key-frame boxes, the task and the output languages', () => {
    const prompt = buildDescriptionPrompt({ event: EVENT, camera: CAMERA, languages: ['zh-Hant', 'en'], frames: FRAMES });
    expect(prompt.system).toBe(
      'You are a video detective reviewing key frames of a security camera event for the camera owner. ' +
        "Vigil's detector and rules already found the event; your task is to describe what the images show. " +
        'Describe only what is visible; do not guess identities, ages, ethnicity or intentions that the images do not show, ' +
        'and say what is uncertain instead of guessing. Answer with one JSON object and nothing else. ' +
        'Write your answer in Traditional Chinese (繁體中文, as used in Taiwan).',
    );
    expect(prompt.prompt.split('\n')).toEqual([
      'Describe the person in these images from the Back door camera (line crossing at "Front gate", 12 s): how it looks and what it does.',
      '',
      "Event facts (from Vigil's detector and rules):",
      '- Camera: Back door (id back), times in Asia/Taipei',
      '- Event: line crossing at "Front gate" (type line_crossing, rule gate), closed',
      '- Time: 2024-05-01 22:00:00 to 22:00:12 (12 s)',
      '- Direction: inbound (a_to_b)',
      '- Labels: person, car',
      '- Actors (Vigil track ids): person p3, car v1',
      "- Vigil's summary: Person p3 crossed the Front gate line inbound at 22:00:04",
      '- What the tracker recorded:',
      '  - 22:00:00 Person p3 first seen',
      '  - 22:00:04 Person p3 crossed the Front gate line inbound',
      '',
      'Images, in the order attached (boxes are [x1, y1, x2, y2] in frame pixels):',
      '1. Close-up of person p3 (best view, frame 115 at 22:00:03, cut from the frame at [100, 201, 150, 380]).',
      '2. Snapshot of frame 120 at 22:00:04, the rule drawn in yellow, actors boxed in red: person p3 at [110, 210, 160, 390]; car v1 at [400, 300, 700, 500].',
      '',
      ...OUTPUT_FIELDS,
      '- "summaries": one short sentence for a notification in each language: "zh-Hant" in Traditional Chinese (繁體中文, as used in Taiwan), "en" in English.',
      'Write scene, actions, attributes, reasons and uncertain in Traditional Chinese (繁體中文, as used in Taiwan).',
      'Describe only what is visible in the images; say what is uncertain instead of guessing.',
    ]);
  });

  it('reports dwell, speed and pacing of a loitering event, and fills a configured prompt', () => {
    const loitering: VigilEvent = {
      ...EVENT,
      type: 'loitering',
      rule: 'porch',
      labels: ['person'],
      actors: [{ trackId: 'p8', label: 'person', family: 'person' }],
      endMs: T0 + 95_000,
      evidence: [],
      details: { dwellSeconds: 94.6, averageSpeedPxPerSecond: 3.4, midlineCrossings: 4 },
    };
    const prompt = buildDescriptionPrompt({
      event: loitering,
      camera: { id: 'back', name: 'Back door', timeZone: 'UTC' },
      template: 'Who is the {label} at {zones} on {camera}? ({rule}, {duration}, {unknown})',
      languages: ['en'],
      frames: [{ kind: 'snapshot', path: 's.jpg', frameIndex: 7, boxes: [] }],
    });
    const lines = prompt.prompt.split('\n');
    expect(lines[0]).toBe('Who is the person at porch on Back door? (loitering in "porch", 1 min 35 s, {unknown})');
    expect(lines.slice(3, 12)).toEqual([
      '- Camera: Back door (id back), times in UTC',
      '- Event: loitering in "porch" (type loitering, rule porch), closed',
      '- Time: 2024-05-01 14:00:00 to 14:01:35 (1 min 35 s)',
      '- Dwell: 95 s in the zone',
      '- Average speed: 3 px/s',
      "- Paced back and forth: 4 crossings of the zone's middle",
      '- Labels: person',
      '- Actors (Vigil track ids): person p8',
      "- Vigil's summary: Person p3 crossed the Front gate line inbound at 22:00:04",
    ]);
    expect(lines).toContain('1. Snapshot of frame 7, the rule drawn in yellow.');
    expect(lines).toContain('- "summaries": one short sentence for a notification in each language: "en" in English.');
    expect(prompt.system.endsWith('Write your answer in English.')).toBe(true);
  });
});

describe('placeholders', () => {
  it('names the rule per event type', () => {
    const camera = { id: 'c', name: 'Yard', timeZone: 'UTC', ruleNames: { lawn: 'the lawn' } };
    expect(placeholderValues({ ...EVENT, type: 'intrusion', rule: 'lawn' }, camera)).toEqual({
      label: 'person',
      camera: 'Yard',
      zones: 'the lawn',
      rule: 'intrusion into the restricted zone "the lawn"',
      duration: '12 s',
    });
    expect(placeholderValues({ ...EVENT, type: 'object_seen', rule: 'dog', actors: [], labels: ['dog'] }, camera)).toMatchObject({
      label: 'dog',
      zones: 'no zone',
      rule: 'dog seen',
    });
  });

  it('fills known placeholders only', () => {
    expect(fillTemplate('{label} on {camera} {label} {Other} {x}', { label: 'car', camera: 'Gate' })).toBe('car on Gate car {Other} {x}');
  });

  it('formats durations for people', () => {
    expect([0, 400, 12_400, 60_000, 61_000, 3_600_000, 3_720_000].map(formatDuration)).toEqual(['0 s', '0 s', '12 s', '1 min', '1 min 1 s', '1 h', '1 h 2 min']);
  });
});

describe('promptTemplate', () => {
  const genai = { prompt: 'global', object_prompts: { person: 'global person', car: 'global car' }, languages: ['en'] as const, image_max_size: 512 };

  it('prefers an object prompt for the main label, the camera before the global one', () => {
    const camera = { ...DEFAULT_CAMERA_GENAI, prompt: 'camera', object_prompts: { person: 'camera person' } };
    expect(mainLabel(EVENT)).toBe('person');
    expect(promptTemplate(EVENT, camera, genai)).toBe('camera person');
    expect(promptTemplate({ ...EVENT, actors: [{ trackId: 'v1', label: 'car', family: 'vehicle' }] }, camera, genai)).toBe('global car');
    expect(promptTemplate({ ...EVENT, actors: [{ trackId: 'b1', label: 'bicycle', family: 'vehicle' }] }, camera, genai)).toBe('camera');
    expect(promptTemplate({ ...EVENT, actors: [{ trackId: 'b1', label: 'bicycle', family: 'vehicle' }] }, DEFAULT_CAMERA_GENAI, genai)).toBe('global');
    expect(promptTemplate(EVENT, DEFAULT_CAMERA_GENAI, { ...genai, prompt: undefined, object_prompts: {} })).toBeUndefined();
    // Inherited object keys never count as prompts.
    expect(promptTemplate({ ...EVENT, actors: [{ trackId: 'x', label: 'toString', family: 'other' }] }, DEFAULT_CAMERA_GENAI, genai)).toBe('global');
  });
});

describe('describePolicy', () => {
  it('follows enabled, objects and required_zones, which a manual request bypasses', () => {
    const off = { ...DEFAULT_CAMERA_GENAI, enabled: false };
    expect(describePolicy(EVENT, DEFAULT_CAMERA_GENAI)).toEqual({ describe: true });
    expect(describePolicy(EVENT, off)).toEqual({ describe: false, reason: 'descriptions are disabled for camera back' });
    expect(describePolicy(EVENT, off, { manual: true })).toEqual({ describe: true });
    expect(describePolicy(EVENT, { ...DEFAULT_CAMERA_GENAI, objects: ['car'] }).describe).toBe(true);
    expect(describePolicy(EVENT, { ...DEFAULT_CAMERA_GENAI, objects: ['dog'] })).toEqual({
      describe: false,
      reason: "none of the labels person, car is in the camera's genai.objects",
    });
    expect(describePolicy(EVENT, { ...DEFAULT_CAMERA_GENAI, required_zones: ['gate'] }).describe).toBe(true);
    expect(describePolicy(EVENT, { ...DEFAULT_CAMERA_GENAI, required_zones: ['porch'] })).toEqual({
      describe: false,
      reason: "the event's rule gate is not one of genai.required_zones",
    });
    expect(describePolicy({ ...EVENT, type: 'object_seen', rule: 'person' }, { ...DEFAULT_CAMERA_GENAI, required_zones: ['person'] }).describe).toBe(false);
    expect(describePolicy(EVENT, { ...DEFAULT_CAMERA_GENAI, required_zones: ['porch'], objects: ['dog'] }, { manual: true }).describe).toBe(true);
  });
});

describe('buildRepairPrompt', () => {
  it('sends back the answer and its problems and asks for the JSON alone', () => {
    const lines = buildRepairPrompt('{"scene": 1}', ['scene: expected string, received number', 'summaries.en: required'], ['en']).split('\n');
    expect(lines).toEqual([
      'Your previous answer was not a valid JSON object of the required form.',
      '',
      'Problems:',
      '- scene: expected string, received number',
      '- summaries.en: required',
      '',
      'Your previous answer:',
      '{"scene": 1}',
      '',
      ...OUTPUT_FIELDS,
      '- "summaries": one short sentence for a notification in each language: "en" in English.',
      'Write scene, actions, attributes, reasons and uncertain in English.',
      'Describe only what is visible in the images; say what is uncertain instead of guessing.',
      '',
      'Reply with the corrected JSON object only, no other text.',
    ]);
  });
});
