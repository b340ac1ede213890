import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CONCEPTS,
  createConceptTable,
  expandTerms,
  findConcepts,
  mergeConcepts,
  NEUTRAL_TERMS,
  STOP_WORDS,
} from '../../domain/search/concepts.ts';
import { createTextAnalyzer } from './text-analyzer.ts';

const text = createTextAnalyzer();

function concepts(query: string): string[] {
  const normalized = text.normalize(query);
  return findConcepts(normalized, text.queryTokens(query).flat()).map((m) => m.concept.id);
}

describe('concepts through the real analyzer', () => {
  it('reads the questions people ask', () => {
    expect(concepts('有沒有人徘徊')).toEqual(['person', 'loitering']);
    expect(concepts('有没有人徘徊')).toEqual(['person', 'loitering']);
    expect(new Set(concepts('White VAN at the gate'))).toEqual(new Set(['van', 'white']));
    expect(new Set(concepts('Did anyone cross the line inbound?'))).toEqual(new Set(['person', 'crossing', 'inbound']));
    expect(concepts('禁入區有人嗎')).toEqual(['intrusion', 'person']);
    expect(concepts('請幫我找一下白色的麵包車')).toEqual(['van', 'white']);
    expect(concepts('ｗｈｉｔｅ　ｖａｎ')).toEqual(['white', 'van']);
  });

  it('gives terms the caller can cut out of the normalized query', () => {
    const normalized = text.normalize('Did anyone cross the line into the 禁區?');
    const matches = findConcepts(normalized, []);
    let rest = normalized;
    for (const m of matches) {
      expect(normalized.slice(m.start, m.end)).toBe(m.term);
      rest = rest.split(m.term).join(' ');
    }
    expect(text.queryTokens(rest)).toEqual([]);
  });

  it('lists the Simplified form of every Traditional term in the built-in table', () => {
    for (const concept of BUILTIN_CONCEPTS) {
      for (const term of concept.terms.zh) expect(concept.terms.zh, `${concept.id}: ${term}`).toContain(text.normalize(term));
    }
    for (const term of NEUTRAL_TERMS.zh) expect(NEUTRAL_TERMS.zh, term).toContain(text.normalize(term));
  });

  it('never drops a concept term as a stop-word', () => {
    const stop = new Set(STOP_WORDS.map((w) => text.normalize(w)));
    for (const concept of BUILTIN_CONCEPTS) {
      for (const term of [...concept.terms.en, ...concept.terms.zh]) expect(stop.has(text.normalize(term)), term).toBe(false);
    }
  });

  it('expands a concept into words a text query can use', () => {
    const [van] = findConcepts(text.normalize('van'), []);
    expect(van?.concept.labels).toEqual(['car', 'truck']);
    const terms = expandTerms(van ? [van] : []);
    expect(terms).toEqual(expect.arrayContaining(['van', 'minivan', '麵包車', '面包车', '廂型車', '厢型车']));
    // Each term is a query of its own (all its words required); any term will do.
    const indexed = new Set(text.indexTokens('一輛白色麵包車停在門口'));
    const found = terms.filter((term) => text.queryTokens(term).every((group) => group.some((t) => indexed.has(t))));
    expect(found).toEqual(['麵包車', '面包车']);
  });

  it('takes extra Traditional terms from the configuration and matches them in either form', () => {
    const merged = mergeConcepts(BUILTIN_CONCEPTS, { terms: { loitering: ['閒逛'], van: ['Camper'] } }, (t) => text.normalize(t));
    const table = createConceptTable(merged);
    expect(findConcepts(text.normalize('門口有人閒逛'), [], table).map((m) => m.concept.id)).toEqual(['person', 'loitering']);
    expect(findConcepts(text.normalize('门口有人闲逛'), [], table).map((m) => m.concept.id)).toEqual(['person', 'loitering']);
    expect(findConcepts(text.normalize('two campers'), [], table).map((m) => m.concept.id)).toEqual(['van']);
  });
});
