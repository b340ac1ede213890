/**
 * The text side of search: one normal form for matching, and the tokens the full-text index
 * stores and a query asks for. Implemented in `adapters/text` (it needs OpenCC and a stemmer);
 * services depend on this interface only.
 *
 * Every token is made of `[a-z0-9]` or of CJK (Han) characters only, so a token can never act as
 * an FTS5 operator, column filter or prefix query once `buildFtsQuery` quotes it.
 */
export interface TextAnalysis {
  /** NFKC (full-width -> half-width), lower case, Traditional -> Simplified (one form for matching), collapse spaces. */
  normalize(text: string): string;
  /**
   * Tokens for the index: Chinese words (Intl.Segmenter run on the Simplified text), CJK character
   * bigrams and single CJK characters, English words stemmed (Porter); deduplicated, in order.
   */
  indexTokens(text: string): string[];
  /**
   * Tokens for a query, one group per query word: a Chinese word's group holds the word and its
   * bigrams (alternatives), an English word's group holds its stem. Stop-words are dropped.
   */
  queryTokens(text: string): string[][];
  /**
   * Traditional Chinese (Taiwan) to Simplified for readers of zh-Hans: Vigil's own words take their
   * mainland forms (機車 摩托车, 公車 公交车, 腳踏車 自行车), the rest is converted character by character.
   */
  toSimplified(text: string): string;
  /** Any CJK -> Chinese; Simplified vs Traditional by which form the text is already in (Traditional when it cannot tell). */
  detectLanguage(text: string): 'en' | 'zh-Hant' | 'zh-Hans';
}
