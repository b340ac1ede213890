import { describe, expect, it } from 'vitest';
import { buildFtsQuery } from './fts-query.ts';

describe('buildFtsQuery', () => {
  it('requires every group in mode all and any group in mode any', () => {
    const groups = [['white'], ['货车', '货', '车'], ['gate']];
    expect(buildFtsQuery(groups, 'all')).toBe('"white" AND ("货车" OR "货" OR "车") AND "gate"');
    expect(buildFtsQuery(groups, 'any')).toBe('"white" OR ("货车" OR "货" OR "车") OR "gate"');
  });

  it('quotes every token, doubling inner quotes, so operators stay words', () => {
    expect(buildFtsQuery([['and'], ['or'], ['not'], ['near']], 'all')).toBe('"and" AND "or" AND "not" AND "near"');
    expect(buildFtsQuery([['a"b'], ['col:val', '*']], 'any')).toBe('"a""b" OR ("col:val" OR "*")');
  });

  it('is undefined when there is nothing to search for', () => {
    expect(buildFtsQuery([], 'all')).toBeUndefined();
    expect(buildFtsQuery([[], ['', '  ']], 'any')).toBeUndefined();
  });

  it('drops repeated tokens and groups', () => {
    expect(buildFtsQuery([['van', 'van'], ['van']], 'all')).toBe('"van"');
  });

  it('caps the size of the expression', () => {
    const many = Array.from({ length: 100 }, (_, i) => [`w${i}`, ...Array.from({ length: 40 }, (_, j) => `w${i}x${j}`)]);
    const query = buildFtsQuery(many, 'all') ?? '';
    expect(query.split(' AND ')).toHaveLength(32);
    expect(query.split(' AND ')[0]?.split(' OR ')).toHaveLength(16);
  });
});
