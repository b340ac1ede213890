import { VigilError } from '../errors.ts';
import { BUILTIN_CONCEPTS, NEUTRAL_TERMS } from './concept-table.ts';
import type { Concept, ConceptKind, ConceptMatch, ConceptTerms } from './concept-types.ts';

export type { Concept, ConceptKind, ConceptMatch, ConceptTerms } from './concept-types.ts';
export { BUILTIN_CONCEPTS, NEUTRAL_TERMS } from './concept-table.ts';
export { STOP_WORDS } from './stop-words.ts';

/** Concepts compiled for matching: every term in the form normalized text has. */
export interface ConceptTable {
  readonly concepts: readonly Concept[];
  /** Chinese terms (Simplified, lower case) -> their concepts; [] for neutral terms. */
  readonly zh: ReadonlyMap<string, readonly Concept[]>;
  /** English terms and their inflections, words joined by one space -> their concepts. */
  readonly en: ReadonlyMap<string, readonly Concept[]>;
  readonly maxEnglishWords: number;
}

/** Extra vocabulary from the configuration. */
export interface ConceptExtension {
  /** More terms for existing concepts, by concept id; Chinese (either form) or English. */
  terms?: Readonly<Record<string, readonly string[]>>;
  /** New concepts; their ids must not be in use. */
  concepts?: readonly Concept[];
}

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[\p{Script=Latin}0-9]+/gu;
/** What may separate the words of a multi-word English term: "hang around", "break-in". */
const WORD_GAP = /^[\s\-_]+$/u;

function clean(term: string): string {
  return term.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function englishWords(term: string): string[] {
  return clean(term).match(LATIN_WORD) ?? [];
}

function plurals(word: string): string[] {
  if (/(s|x|z|ch|sh)$/.test(word)) return [`${word}es`];
  if (/[^aeiou]y$/.test(word)) return [`${word.slice(0, -1)}ies`];
  return [`${word}s`];
}

/** Regular verb forms; irregular ones (saw, hung, broke, men) are listed in the table. */
function verbForms(word: string): string[] {
  const forms = [...plurals(word)];
  if (/[^aeiou]y$/.test(word)) forms.push(`${word.slice(0, -1)}ied`, `${word}ing`);
  else if (/ee$/.test(word)) forms.push(`${word}d`, `${word}ing`);
  else if (/e$/.test(word)) forms.push(`${word}d`, `${word.slice(0, -1)}ing`);
  else if (/^[^aeiou]*[aeiou][^aeiouwxy]$/.test(word)) {
    const last = word.slice(-1);
    forms.push(`${word}${last}ed`, `${word}${last}ing`);
  } else forms.push(`${word}ed`, `${word}ing`);
  return forms;
}

/**
 * The word sequences an English term matches: itself, plus plurals for things (labels, colours)
 * or verb forms of the first word and plurals of the last for happenings and directions.
 */
export function englishVariants(term: string, kind: ConceptKind | 'neutral'): string[][] {
  const words = englishWords(term);
  const first = words[0];
  const last = words[words.length - 1];
  if (first === undefined || last === undefined) return [];
  const variants = [words];
  const withLast = (w: string) => [...words.slice(0, -1), w];
  const withFirst = (w: string) => [w, ...words.slice(1)];
  if (kind === 'label' || kind === 'attribute') variants.push(...plurals(last).map(withLast));
  if (kind === 'event_type' || kind === 'direction') {
    variants.push(...verbForms(first).map(withFirst));
    // Happenings are nouns too: "crossings", "line crossings", "break-ins".
    variants.push(...plurals(last).map(withLast));
  }
  const unique = new Map(variants.map((v) => [v.join(' '), v]));
  return [...unique.values()];
}

function addTo(map: Map<string, Concept[]>, key: string, concept: Concept | undefined): void {
  if (key === '') return;
  const list = map.get(key) ?? [];
  if (concept !== undefined && !list.includes(concept)) list.push(concept);
  map.set(key, list);
}

/** Compiles concepts (and the neutral words that block them) for `findConcepts`. */
export function createConceptTable(
  concepts: readonly Concept[] = BUILTIN_CONCEPTS,
  neutral: ConceptTerms = NEUTRAL_TERMS,
): ConceptTable {
  const zh = new Map<string, Concept[]>();
  const en = new Map<string, Concept[]>();
  const add = (terms: ConceptTerms, kind: ConceptKind | 'neutral', concept?: Concept) => {
    // A term is Chinese when it has any Han character, whichever list it came in.
    for (const term of [...terms.en, ...terms.zh]) {
      if (HAN.test(term)) addTo(zh, clean(term), concept);
      else for (const words of englishVariants(term, kind)) addTo(en, words.join(' '), concept);
    }
  };
  add(neutral, 'neutral');
  for (const concept of concepts) add(concept.terms, concept.kind, concept);
  const maxEnglishWords = Math.max(1, ...[...en.keys()].map((k) => k.split(' ').length));
  return { concepts, zh, en, maxEnglishWords };
}

export const DEFAULT_CONCEPT_TABLE: ConceptTable = createConceptTable();

interface Candidate {
  start: number;
  end: number;
  concepts: readonly Concept[];
}

function chineseCandidates(text: string, table: ConceptTable): Candidate[] {
  const found: Candidate[] = [];
  for (const [term, concepts] of table.zh) {
    for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + 1)) {
      found.push({ start: at, end: at + term.length, concepts });
    }
  }
  return found;
}

function englishCandidates(text: string, table: ConceptTable): Candidate[] {
  const words = [...text.matchAll(LATIN_WORD)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
  const found: Candidate[] = [];
  for (let i = 0; i < words.length; i++) {
    const first = words[i];
    if (first === undefined) continue;
    let key = first.word;
    for (let j = i; j < words.length && j - i < table.maxEnglishWords; j++) {
      const current = words[j];
      if (current === undefined) break;
      if (j > i) {
        const previous = words[j - 1];
        if (previous === undefined || !WORD_GAP.test(text.slice(previous.end, current.start))) break;
        key = `${key} ${current.word}`;
      }
      const concepts = table.en.get(key);
      if (concepts !== undefined) found.push({ start: first.start, end: current.end, concepts });
    }
  }
  return found;
}

/**
 * The concepts a normalized query (`TextAnalysis.normalize`) mentions, one match per term found.
 * Longest match first: a stretch of text is claimed by the longest term found there (禁入區 over
 * 入區, 面包车 over 包, 停车场 over 车), so overlapping terms are never counted twice. Chinese terms
 * match anywhere; English terms match whole words in the normalized text, so `term` is always the
 * text to cut out of the query. `tokens` (the query's tokens) is accepted for the call shape but
 * not needed: matching reads the normalized text.
 */
export function findConcepts(
  normalizedQuery: string,
  _tokens: readonly string[] = [],
  table: ConceptTable = DEFAULT_CONCEPT_TABLE,
): ConceptMatch[] {
  const candidates = [...chineseCandidates(normalizedQuery, table), ...englishCandidates(normalizedQuery, table)];
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Array<boolean>(normalizedQuery.length).fill(false);
  const matches: ConceptMatch[] = [];
  for (const candidate of candidates) {
    if (taken.slice(candidate.start, candidate.end).some(Boolean)) continue;
    taken.fill(true, candidate.start, candidate.end);
    const term = normalizedQuery.slice(candidate.start, candidate.end);
    for (const concept of candidate.concepts) matches.push({ concept, term, start: candidate.start, end: candidate.end });
  }
  return matches;
}

/**
 * Every term of the given concepts in every language and form (English base forms, Traditional
 * and Simplified Chinese), without duplicates: words to widen a text query with.
 */
export function expandTerms(concepts: readonly (Concept | ConceptMatch)[]): string[] {
  const terms = new Set<string>();
  const seen = new Set<string>();
  for (const item of concepts) {
    const concept = 'concept' in item ? item.concept : item;
    if (seen.has(concept.id)) continue;
    seen.add(concept.id);
    for (const term of [...concept.terms.en, ...concept.terms.zh]) terms.add(clean(term));
  }
  return [...terms].filter((t) => t !== '');
}

function withTerms(terms: ConceptTerms, extra: readonly string[], normalize: ((text: string) => string) | undefined): ConceptTerms {
  const en = [...terms.en];
  const zh = [...terms.zh];
  for (const term of extra) {
    const cleaned = clean(term);
    if (cleaned === '') continue;
    if (!HAN.test(cleaned)) {
      if (!en.includes(cleaned)) en.push(cleaned);
      continue;
    }
    for (const form of normalize ? [cleaned, normalize(cleaned)] : [cleaned]) if (!zh.includes(form)) zh.push(form);
  }
  return { en, zh };
}

/**
 * The base concepts with the configuration's extra terms and concepts. Pass the analyzer's
 * `normalize` so a Chinese term written in Traditional also gets the Simplified form that
 * matching needs. Unknown or duplicate ids are configuration errors.
 */
export function mergeConcepts(
  base: readonly Concept[],
  extension: ConceptExtension,
  normalize?: (text: string) => string,
): Concept[] {
  const ids = new Set(base.map((c) => c.id));
  const unknown = Object.keys(extension.terms ?? {}).filter((id) => !ids.has(id));
  if (unknown.length > 0) {
    throw new VigilError('config_invalid', `Unknown search concept${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, {
      details: [`Known concepts: ${[...ids].join(', ')}.`],
    });
  }
  const merged = base.map((concept) => {
    const extra = Object.hasOwn(extension.terms ?? {}, concept.id) ? extension.terms?.[concept.id] : undefined;
    return extra === undefined ? concept : { ...concept, terms: withTerms(concept.terms, extra, normalize) };
  });
  for (const concept of extension.concepts ?? []) {
    if (ids.has(concept.id)) {
      throw new VigilError('config_invalid', `Search concept "${concept.id}" is defined twice; add terms to it instead.`);
    }
    ids.add(concept.id);
    merged.push({ ...concept, terms: withTerms({ en: [], zh: [] }, [...concept.terms.en, ...concept.terms.zh], normalize) });
  }
  return merged;
}
