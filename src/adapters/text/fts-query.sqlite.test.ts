import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFtsQuery } from '../../domain/search/fts-query.ts';
import { createTextAnalyzer } from './text-analyzer.ts';

const text = createTextAnalyzer();

const DOCUMENTS: ReadonlyArray<readonly [number, string]> = [
  [1, '人物 p3 在後門徘徊了 30 秒。Person p3 loitered at the back door for 30 s.'],
  [2, '一輛白色的貨車停在門口。A white van parked at the gate.'],
  [3, '人物 p7 由外向內越過後門警戒線。Person p7 crossed the back-door tripwire inbound.'],
  [4, '腳踏車 b2 闖入禁入區。Bicycle b2 entered the restricted zone.'],
  [5, 'Notes: NEAR AND OR NOT col:val "quoted" (brackets) ^caret -minus *star'],
];

describe('FTS5 queries built from analyzed text', () => {
  let db: Database.Database;

  beforeAll(() => {
    db = new Database(':memory:');
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(body, tokenize = "unicode61 remove_diacritics 2")`);
    const insert = db.prepare('INSERT INTO t (rowid, body) VALUES (?, ?)');
    for (const [id, body] of DOCUMENTS) insert.run(id, text.indexTokens(body).join(' '));
  });

  afterAll(() => db.close());

  const hits = (match: string): number[] =>
    db
      .prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid')
      .all(match)
      .map((row) => (row as { rowid: number }).rowid);

  const search = (query: string, mode: 'all' | 'any' = 'all'): number[] | undefined => {
    const match = buildFtsQuery(text.queryTokens(query), mode);
    return match === undefined ? undefined : hits(match);
  };

  it('finds events in either Chinese form and in English', () => {
    expect(search('後門')).toEqual([1, 3]);
    expect(search('后门')).toEqual([1, 3]);
    expect(search('白色貨車')).toEqual([2]);
    expect(search('白色货车')).toEqual([2]);
    expect(search('有沒有人徘徊')).toEqual([1]);
    expect(search('white van')).toEqual([2]);
    expect(search('loitering')).toEqual([1]);
    expect(search('what crossed the tripwire?')).toEqual([3]);
    expect(search('禁入區')).toEqual([4]);
    expect(search('ＷＨＩＴＥ　ＶＡＮ')).toEqual([2]);
  });

  it('requires every word in mode all and any word in mode any', () => {
    expect(search('white loitering')).toEqual([]);
    expect(search('white loitering', 'any')).toEqual([1, 2]);
  });

  it('treats operator-like input as plain words', () => {
    expect(search('AND OR NOT')).toBeUndefined();
    expect(search('NEAR(quoted brackets)')).toEqual([5]);
    expect(search('col:val')).toEqual([5]);
    expect(search('-minus')).toEqual([5]);
    expect(search('*star')).toEqual([5]);
    expect(search('^caret')).toEqual([5]);
    expect(search('"quoted')).toEqual([5]);
  });

  it('accepts every hostile query without an SQL error', () => {
    const hostile = [
      '"', '""', '*', 'NEAR(a b)', 'NEAR', '-x', 'col:val', 'body:人物', '(', ')', '^', '{body}: x',
      'AND OR NOT', 'and or not near', 'a AND', 'OR', '"後門" OR *', '😀', '🚗 white 😀 van',
      'x'.repeat(20_000), '後門 '.repeat(2_000), Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '),
      '\u0000\u0001', '\\', "'; DROP TABLE t; --",
    ];
    for (const query of hostile) {
      for (const mode of ['all', 'any'] as const) {
        const match = buildFtsQuery(text.queryTokens(query), mode);
        if (match !== undefined) expect(() => hits(match), query.slice(0, 40)).not.toThrow();
      }
    }
    expect(search('😀')).toBeUndefined();
  });

  it('builds no query from punctuation alone', () => {
    for (const query of ['', '   ', '?!', '"*()^:-', '，。？！「」', '…——']) expect(search(query), query).toBeUndefined();
  });

  it('quotes raw operator tokens so SQLite reads them as strings', () => {
    const raw = buildFtsQuery([['near'], ['and', 'or', 'not'], ['a"b', 'col:val', '*', '(', '^']], 'any');
    expect(raw).toBeDefined();
    expect(() => hits(raw as string)).not.toThrow();
    expect(hits(raw as string)).toEqual([5]);
  });
});
