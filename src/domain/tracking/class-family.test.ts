import { describe, expect, it } from 'vitest';
import { CLASS_FAMILIES, classFamily, FAMILY_ID_PREFIX } from './class-family.ts';

describe('classFamily', () => {
  it.each([
    ['person', 'person'],
    ['bicycle', 'vehicle'],
    ['car', 'vehicle'],
    ['motorcycle', 'vehicle'],
    ['bus', 'vehicle'],
    ['truck', 'vehicle'],
    ['train', 'vehicle'],
    ['boat', 'vehicle'],
    ['airplane', 'vehicle'],
    ['bird', 'animal'],
    ['cat', 'animal'],
    ['dog', 'animal'],
    ['horse', 'animal'],
    ['sheep', 'animal'],
    ['cow', 'animal'],
    ['elephant', 'animal'],
    ['bear', 'animal'],
    ['zebra', 'animal'],
    ['giraffe', 'animal'],
    ['backpack', 'bag'],
    ['umbrella', 'bag'],
    ['handbag', 'bag'],
    ['suitcase', 'bag'],
    ['chair', 'other'],
    ['Person', 'other'],
    ['', 'other'],
    ['toString', 'other'],
  ])('%s -> %s', (label, family) => {
    expect(classFamily(label)).toBe(family);
  });

  it('has one distinct id prefix per family, in reporting order', () => {
    expect(CLASS_FAMILIES.map((f) => FAMILY_ID_PREFIX[f])).toEqual(['p', 'v', 'a', 'b', 'o']);
  });
});
