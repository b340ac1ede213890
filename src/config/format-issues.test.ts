import { describe, expect, it } from 'vitest';
import { formatPath } from './config-path.ts';
import { formatIssues } from './format-issues.ts';

describe('formatPath', () => {
  it('dots keys and brackets indexes', () => {
    expect(formatPath(['cameras', 'back', 'zones', 'door', 'points', 2])).toBe('cameras.back.zones.door.points[2]');
    expect(formatPath(['cameras', 'Back Door'])).toBe('cameras.Back Door');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('formatIssues', () => {
  it('writes one line per issue and one per unknown key', () => {
    expect(
      formatIssues([
        { code: 'custom', path: ['detector', 'model'], message: 'required when detector.type is onnx' },
        { code: 'unrecognized_keys', path: ['cameras', 'back'], keys: ['fsp', 'inptu'], message: 'ignored' },
      ]),
    ).toEqual([
      'detector.model: required when detector.type is onnx',
      'cameras.back: unknown key "fsp"',
      'cameras.back: unknown key "inptu"',
    ]);
  });
});
