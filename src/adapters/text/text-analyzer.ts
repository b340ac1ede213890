import * as OpenCC from 'opencc-js';
import { stemmer } from 'stemmer';
import { EVENT_TYPE_NAMES, LABEL_NAMES } from '../../domain/events/labels.ts';
import { STOP_WORDS } from '../../domain/search/stop-words.ts';
import type { TextAnalysis } from '../../domain/search/text-analysis.ts';

export interface TextAnalyzerOptions {
  /** Words dropped from queries; compared after normalization, so either Chinese form will do. */
  stopWords?: readonly string[];
}

interface Converters {
  toSimplified: (text: string) => string;
  toTraditional: (text: string) => string;
  /** For readers: Vigil's own Taiwan words in their mainland forms first (機車 is 摩托车, not 机车). */
  toSimplifiedForReaders: (text: string) => string;
}

/** Label and event-type names whose Simplified form is another word, not just other characters. */
const OWN_WORDS: ReadonlyArray<readonly [string, string]> = [...Object.values(LABEL_NAMES), ...Object.values(EVENT_TYPE_NAMES)]
  .map((name) => [name.zhHant, name.zhHans] as const)
  .filter(([hant, hans], i, all) => hant !== hans && all.findIndex(([other]) => other === hant) === i);

/** Tokens longer than this are cut: nobody searches for them, and both sides cut alike. */
const MAX_TOKEN_LENGTH = 64;
const HAN = /\p{Script=Han}/u;
/** Runs of Han characters, or of ASCII letters and digits (after diacritics are gone). */
const RUNS = /(\p{Script=Han}+)|([a-z0-9]+)/gu;
/** Latin letters that NFD does not decompose into a base letter and a mark. */
const LATIN_FOLDS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

let converters: Converters | undefined;

/** Building OpenCC's dictionaries takes about 0.2 s; do it once per process, on first use. */
function openccConverters(): Converters {
  // Taiwan forms in and out: event summaries are written in Taiwan Traditional (腳踏車, 裡).
  if (converters === undefined) {
    const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
    const ownWords = OpenCC.CustomConverter(OWN_WORDS);
    converters = {
      toSimplified,
      toTraditional: OpenCC.Converter({ from: 'cn', to: 'tw' }),
      toSimplifiedForReaders: (text) => toSimplified(ownWords(text)),
    };
  }
  return converters;
}

function characters(text: string): string[] {
  return Array.from(text);
}

function truncate(token: string): string {
  const chars = characters(token);
  return chars.length > MAX_TOKEN_LENGTH ? chars.slice(0, MAX_TOKEN_LENGTH).join('') : token;
}

function bigrams(chars: readonly string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) result.push(`${chars[i]}${chars[i + 1]}`);
  return result;
}

/** Positions where the two strings differ (character by character, for same-length conversions). */
function changedCharacters(text: string, converted: string): number {
  const a = characters(text);
  const b = characters(converted);
  if (a.length !== b.length) return text === converted ? 0 : 1;
  return a.reduce((n, ch, i) => (ch === b[i] ? n : n + 1), 0);
}

type Run = { kind: 'han'; text: string } | { kind: 'word'; text: string };

/**
 * Chinese is segmented after conversion to Simplified (Intl.Segmenter cuts traditional 後門 into
 * 後|門 but keeps 后门), and indexed with character bigrams and single characters as well, so
 * that a query word matches however the segmenter cut the summary. English words are stemmed.
 */
export class OpenccTextAnalyzer implements TextAnalysis {
  private readonly converters = openccConverters();
  private readonly segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  private readonly stopWords: ReadonlySet<string>;

  constructor(options: TextAnalyzerOptions = {}) {
    this.stopWords = new Set((options.stopWords ?? STOP_WORDS).map((w) => this.normalize(w)));
  }

  normalize(text: string): string {
    const folded = text.normalize('NFKC').toLowerCase();
    return this.converters.toSimplified(folded).replace(/\s+/g, ' ').trim();
  }

  toSimplified(text: string): string {
    return this.converters.toSimplifiedForReaders(text);
  }

  detectLanguage(text: string): 'en' | 'zh-Hant' | 'zh-Hans' {
    const folded = text.normalize('NFKC');
    if (!HAN.test(folded)) return 'en';
    const traditional = changedCharacters(folded, this.converters.toSimplified(folded));
    const simplified = changedCharacters(folded, this.converters.toTraditional(folded));
    return simplified > traditional ? 'zh-Hans' : 'zh-Hant';
  }

  indexTokens(text: string): string[] {
    const tokens = new Set<string>();
    for (const run of this.runs(text)) {
      if (run.kind === 'word') {
        tokens.add(this.stem(run.text));
        continue;
      }
      const chars = characters(run.text);
      for (const segment of this.segments(run.text)) tokens.add(truncate(segment));
      for (const pair of bigrams(chars)) tokens.add(pair);
      for (const ch of chars) tokens.add(ch);
    }
    return [...tokens];
  }

  queryTokens(text: string): string[][] {
    const groups: string[][] = [];
    const seen = new Set<string>();
    const push = (group: string[]) => {
      const key = group.join(' ');
      if (seen.has(key)) return;
      seen.add(key);
      groups.push(group);
    };
    for (const run of this.runs(text)) {
      if (run.kind === 'word') {
        if (!this.stopWords.has(run.text)) push([this.stem(run.text)]);
        continue;
      }
      for (const segment of this.segments(run.text)) {
        if (this.stopWords.has(segment)) continue;
        push([...new Set([truncate(segment), ...bigrams(characters(segment))])]);
      }
    }
    return groups;
  }

  /** Han runs and ASCII words of the normalized text; everything else (punctuation, emoji, other scripts) separates them. */
  private runs(text: string): Run[] {
    const plain = this.normalize(text)
      .replace(/['’]/g, '')
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[ßæœøłđðþı]/g, (ch) => LATIN_FOLDS[ch] ?? ch);
    const runs: Run[] = [];
    for (const m of plain.matchAll(RUNS)) {
      if (m[1] !== undefined) runs.push({ kind: 'han', text: m[1] });
      else if (m[2] !== undefined) runs.push({ kind: 'word', text: m[2] });
    }
    return runs;
  }

  private segments(han: string): string[] {
    return [...this.segmenter.segment(han)].map((s) => s.segment).filter((s) => HAN.test(s));
  }

  private stem(word: string): string {
    const cut = truncate(word);
    return /^[a-z]{3,}$/.test(cut) ? stemmer(cut) : cut;
  }
}

export function createTextAnalyzer(options: TextAnalyzerOptions = {}): TextAnalysis {
  return new OpenccTextAnalyzer(options);
}
