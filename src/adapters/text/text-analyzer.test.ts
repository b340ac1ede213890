import { describe, expect, it } from 'vitest';
import { createTextAnalyzer } from './text-analyzer.ts';

const text = createTextAnalyzer();

/** What FTS5 does with mode `all`: every query group needs one of its tokens in the document. */
function finds(query: string, document: string): boolean {
  const indexed = new Set(text.indexTokens(document));
  const groups = text.queryTokens(query);
  return groups.length > 0 && groups.every((group) => group.some((token) => indexed.has(token)));
}

const TOKEN = /^(?:[a-z0-9]+|\p{Script=Han}+)$/u;

describe('normalize', () => {
  it('folds width and case, converts to Simplified and collapses spaces', () => {
    expect(text.normalize('ＡＢＣ１２３')).toBe('abc123');
    expect(text.normalize('  White\u3000VAN \n at  後門 ')).toBe('white van at 后门');
    expect(text.normalize('一輛白色的貨車')).toBe('一辆白色的货车');
    expect(text.normalize('后门')).toBe('后门');
  });
});

describe('indexTokens', () => {
  it('gives Traditional, Simplified and mixed Chinese the same tokens', () => {
    for (const [traditional, simplified, mixed] of [
      ['後門', '后门', '後门'],
      ['貨車', '货车', '貨车'],
      ['徘徊', '徘徊', '徘徊'],
      ['人物 p3 在後門警戒線徘徊', '人物 p3 在后门警戒线徘徊', '人物 p3 在後门警戒線徘徊'],
    ]) {
      expect(text.indexTokens(simplified as string)).toEqual(text.indexTokens(traditional as string));
      expect(text.indexTokens(mixed as string)).toEqual(text.indexTokens(traditional as string));
    }
  });

  it('keeps Chinese words, bigrams and single characters', () => {
    const tokens = text.indexTokens('後門警戒線');
    expect(tokens).toEqual(expect.arrayContaining(['后门', '警戒', '戒线', '门警', '后', '门', '线']));
    expect(text.indexTokens('人')).toEqual(['人']);
  });

  it('stems English words (Porter)', () => {
    expect(text.indexTokens('loitering loitered loiters loiter')).toEqual(['loiter']);
    expect(text.indexTokens('crossing crossed crosses')).toEqual(['cross']);
    expect(text.indexTokens('Person p12 crossed the line')).toEqual(['person', 'p12', 'cross', 'the', 'line']);
  });

  it('folds full-width letters and digits, accents and apostrophes', () => {
    expect(text.indexTokens('ＡＢＣ１２３')).toEqual(['abc123']);
    expect(text.indexTokens('Café Straße don’t')).toEqual(['cafe', 'strass', 'dont']);
  });

  it('splits Chinese from English and digits without a space between them', () => {
    expect(text.indexTokens('p3在後門30秒')).toEqual(['p3', '在', '后门', '在后', '后', '门', '30', '秒']);
  });

  it('makes tokens only of a-z, 0-9 or Han characters', () => {
    const hostile = [
      '"quoted" * NEAR(a b) -x col:val ( ) ^ AND OR NOT {a b}: + ~ \\ / ; \' `',
      '😀🚗 emoji ✨ and ①②③ ⅷ ﬁ',
      'Ｆｕｌｌ－ｗｉｄｔｈ：（括號）「引號」【標記】',
      'Ελληνικά русский 한국어 ひらがな العربية',
      `${'x'.repeat(5000)} ${'門'.repeat(3000)}`,
    ];
    for (const input of hostile) {
      for (const token of text.indexTokens(input)) expect(token, input.slice(0, 30)).toMatch(TOKEN);
      for (const token of text.queryTokens(input).flat()) expect(token, input.slice(0, 30)).toMatch(TOKEN);
    }
  });

  it('cuts very long tokens', () => {
    const [token] = text.indexTokens('y'.repeat(10_000));
    expect(token).toHaveLength(64);
    expect(finds('y'.repeat(10_000), `prefix ${'y'.repeat(100)}`)).toBe(true);
  });

  it('gives nothing for punctuation, emoji and empty text', () => {
    expect(text.indexTokens('')).toEqual([]);
    expect(text.indexTokens('?!… ——「」😀')).toEqual([]);
  });
});

describe('queryTokens', () => {
  it('groups a Chinese word with its bigrams', () => {
    const groups = text.queryTokens('陌生人');
    for (const group of groups) {
      const [word, ...rest] = group;
      const chars = Array.from(word ?? '');
      const pairs = chars.slice(1).map((ch, i) => `${chars[i]}${ch}`);
      expect(rest).toEqual(pairs.filter((p) => p !== word));
    }
    expect(groups.flat()).toEqual(expect.arrayContaining(['陌生']));
  });

  it('drops question words and particles but keeps person words', () => {
    expect(text.queryTokens('有沒有人徘徊')).toEqual([['人'], ['徘徊']]);
    expect(text.queryTokens('有没有人徘徊')).toEqual([['人'], ['徘徊']]);
    expect(text.queryTokens('Did anyone cross the line?')).toEqual([['anyon'], ['cross'], ['line']]);
    expect(text.queryTokens('是否有人闖入禁區嗎')).toEqual([['有人'], ['闯入'], ['禁区']]);
    expect(text.queryTokens('What was there?')).toEqual([]);
  });

  it('finds the summary a question is about', () => {
    expect(finds('後門', '人物 p3 越過後門警戒線，由外向內')).toBe(true);
    expect(finds('后门', '人物 p3 越過後門警戒線，由外向內')).toBe(true);
    expect(finds('白色貨車', '一輛白色的貨車停在門口')).toBe(true);
    expect(finds('白色货车', '一輛白色的貨車停在門口')).toBe(true);
    expect(finds('有沒有人徘徊', '人物 p3 在後門徘徊了 30 秒')).toBe(true);
    expect(finds('white van', 'A white van parked at the gate')).toBe(true);
    expect(finds('vans loitering', 'Van v2 loitered in Loading Bay')).toBe(true);
    expect(finds('前門', '人物 p3 越過後門警戒線')).toBe(false);
    expect(finds('truck', 'A white van parked at the gate')).toBe(false);
  });

  it('gives each word one group, once', () => {
    expect(text.queryTokens('van VAN Van vans')).toEqual([['van']]);
  });
});

describe('toSimplified and detectLanguage', () => {
  it('converts Traditional to Simplified and leaves the rest', () => {
    expect(text.toSimplified('人物 p3 在後門徘徊了 30 秒（Gate 3）')).toBe('人物 p3 在后门徘徊了 30 秒（Gate 3）');
  });

  it("gives Vigil's own Taiwan words their mainland forms, not only other characters", () => {
    expect(text.toSimplified('機車 m1、公車 b2 與腳踏車 c3 於 22:05:15 出現')).toBe('摩托车 m1、公交车 b2 与自行车 c3 于 22:05:15 出现');
    // Search folds characters only, so that stored events and questions meet in one form.
    expect(text.normalize('機車')).toBe('机车');
  });

  it('tells English, Traditional and Simplified apart', () => {
    expect(text.detectLanguage('Did anyone cross the line?')).toBe('en');
    expect(text.detectLanguage('ＡＢＣ')).toBe('en');
    expect(text.detectLanguage('有沒有人徘徊')).toBe('zh-Hant');
    expect(text.detectLanguage('有没有人徘徊')).toBe('zh-Hans');
    expect(text.detectLanguage('white van 在後門')).toBe('zh-Hant');
    expect(text.detectLanguage('昨天后门有车吗')).toBe('zh-Hans');
    // Characters both forms share: the product's own Chinese, Traditional.
    expect(text.detectLanguage('有人徘徊')).toBe('zh-Hant');
  });
});
