import { describe, expect, it } from 'vitest';
import { ruleSpec } from './camera-settings.ts';
import { parseConfigText } from '../index.ts';

const config = (yaml: string) => parseConfigText(yaml, { env: {}, baseDir: '/tmp', fileLabel: 'test' }).config;

describe('ruleSpec', () => {
  it('names zones and tripwires by their display names, else by their keys made readable, never by a config id', () => {
    const { cameras } = config(`
cameras:
  front:
    input: front.mp4
    zones:
      back_door: { points: [[0, 0], [10, 0], [10, 10]] }
      server-room: { points: [[0, 0], [10, 0], [10, 10]], display_name: Server room, display_name_zh: 機房 }
    tripwires:
      gate_line: { points: [[0, 5], [10, 5]], display_name: gate line }
`);
    const spec = ruleSpec('front', cameras.front!, 'Asia/Taipei');
    expect(spec.zones.map((z) => z.displayName)).toEqual([
      { en: 'back door', zhHant: 'back door' },
      { en: 'Server room', zhHant: '機房' },
    ]);
    expect(spec.tripwires.map((w) => w.displayName)).toEqual([{ en: 'gate line', zhHant: 'gate line' }]);
  });
});
