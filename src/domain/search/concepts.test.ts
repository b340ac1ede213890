import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import {
  BUILTIN_CONCEPTS,
  createConceptTable,
  englishVariants,
  expandTerms,
  findConcepts,
  mergeConcepts,
  STOP_WORDS,
  type Concept,
} from './concepts.ts';

/** Queries here are already in the analyzer's normal form: lower case, Simplified Chinese. */
const ids = (query: string) => findConcepts(query, []).map((m) => m.concept.id);

describe('findConcepts', () => {
  it('finds who and what in a Chinese question', () => {
    const matches = findConcepts('有没有人徘徊', []);
    expect(matches.map((m) => [m.concept.id, m.term])).toEqual([
      ['person', '有人'],
      ['loitering', '徘徊'],
    ]);
    expect(matches[1]?.concept.eventTypes).toEqual(['loitering']);
    expect(matches[0]?.concept.labels).toEqual(['person']);
  });

  it('maps a van to both COCO labels a detector calls it, and a colour to nothing', () => {
    const matches = findConcepts('white van at the gate', ['white', 'van', 'gate']);
    const van = matches.find((m) => m.concept.id === 'van');
    const white = matches.find((m) => m.concept.id === 'white');
    expect(van?.concept.labels).toEqual(['car', 'truck']);
    expect(white?.concept.kind).toBe('attribute');
    expect(white?.concept.labels).toBeUndefined();
    expect(white?.concept.eventTypes).toBeUndefined();
    expect(ids('white van at the gate')).toHaveLength(2);
  });

  it('finds person, crossing and direction in an English question', () => {
    const found = ids('did anyone cross the line inbound');
    expect(new Set(found)).toEqual(new Set(['person', 'crossing', 'inbound']));
    const inbound = findConcepts('did anyone cross the line inbound', []).find((m) => m.concept.id === 'inbound');
    expect(inbound?.concept.inbound).toBe(true);
    expect(findConcepts('who is leaving', []).map((m) => [m.concept.id, m.concept.inbound]).sort()).toEqual([['outbound', false], ['person', undefined]]);
  });

  it('lets the longest term claim overlapping Chinese text', () => {
    expect(ids('禁入区有人吗')).toEqual(['intrusion', 'person']);
    expect(findConcepts('禁入区', [])).toEqual([expect.objectContaining({ term: '禁入区', start: 0, end: 3 })]);
    expect(ids('车辆入区')).toEqual(['vehicle', 'inbound']);
    expect(ids('白色面包车')).toEqual(['van', 'white']);
    expect(ids('男人')).toEqual(['person']);
  });

  it('does not read a concept into words that only contain its term', () => {
    expect(ids('停车场有人吗')).toEqual(['person']);
    expect(ids('白天')).toEqual([]);
    expect(ids('红外线')).toEqual([]);
    expect(ids('people at the bus stop')).toEqual(['person']);
  });

  it('matches English terms as whole words only', () => {
    expect(ids('a woman')).toEqual(['person']);
    expect(ids('online business scar cabinet')).toEqual([]);
    expect(ids('motorbike')).toEqual(['motorcycle']);
  });

  it('matches English inflections and irregular forms', () => {
    for (const [query, id] of [
      ['loitered', 'loitering'],
      ['loitering', 'loitering'],
      ['crossed', 'crossing'],
      ['crossing', 'crossing'],
      ['vans', 'van'],
      ['buses', 'bus'],
      ['men', 'person'],
      ['entering', 'inbound'],
      ['leaving', 'outbound'],
      ['spotted', 'object_seen'],
      ['saw', 'object_seen'],
      ['hanging around', 'loitering'],
      ['break-in', 'intrusion'],
    ] as const) {
      expect(ids(query), query).toEqual([id]);
    }
  });

  it('reports every occurrence with the exact text and its place', () => {
    const query = 'car or cars?';
    const matches = findConcepts(query, []);
    expect(matches.map((m) => [m.term, query.slice(m.start, m.end)])).toEqual([
      ['cars', 'cars'],
      ['car', 'car'],
    ]);
  });

  it('finds nothing in an empty or unrelated query', () => {
    expect(ids('')).toEqual([]);
    expect(ids('gate 3 at noon')).toEqual([]);
  });
});

describe('the built-in table', () => {
  it('has unique ids and gives every concept a term in both languages', () => {
    const all = BUILTIN_CONCEPTS.map((c) => c.id);
    expect(new Set(all).size).toBe(all.length);
    for (const concept of BUILTIN_CONCEPTS) {
      expect(concept.terms.en.length, concept.id).toBeGreaterThan(0);
      expect(concept.terms.zh.length, concept.id).toBeGreaterThan(0);
    }
  });

  it('never gives one term to two concepts', () => {
    const table = createConceptTable();
    for (const [term, concepts] of [...table.zh, ...table.en]) expect(concepts.length, term).toBeLessThanOrEqual(1);
  });

  it('keeps person words out of the stop-words', () => {
    for (const word of ['anyone', 'someone', 'somebody', '有人']) expect(STOP_WORDS).not.toContain(word);
  });
});

describe('englishVariants', () => {
  it('inflects things as nouns and happenings as verbs', () => {
    expect(englishVariants('bus', 'label')).toEqual([['bus'], ['buses']]);
    expect(englishVariants('lorry', 'label')).toEqual([['lorry'], ['lorries']]);
    expect(englishVariants('leave', 'direction').map((w) => w.join(' '))).toEqual(['leave', 'leaves', 'leaved', 'leaving']);
    expect(englishVariants('hang around', 'event_type').map((w) => w.join(' '))).toContain('hanging around');
    expect(englishVariants('car park', 'neutral')).toEqual([['car', 'park']]);
    expect(englishVariants('  ', 'label')).toEqual([]);
  });
});

describe('expandTerms', () => {
  it('lists every term of the concepts in every language and form, once', () => {
    const van = BUILTIN_CONCEPTS.find((c) => c.id === 'van') as Concept;
    const terms = expandTerms([van, van]);
    expect(terms).toEqual(expect.arrayContaining(['van', 'minivan', '廂型車', '厢型车', '麵包車', '面包车']));
    expect(new Set(terms).size).toBe(terms.length);
  });

  it('takes matches as they come from findConcepts', () => {
    const terms = expandTerms(findConcepts('有没有人徘徊', []));
    expect(terms).toEqual(expect.arrayContaining(['person', 'people', '人物', '行人', 'loiter', '徘徊', '逗留', '踩點', '踩点']));
  });
});

describe('mergeConcepts', () => {
  const simplify = (text: string) => text.replaceAll('後', '后');

  it('adds terms to existing concepts, with the Simplified form from normalize', () => {
    const merged = mergeConcepts(BUILTIN_CONCEPTS, { terms: { loitering: ['Skulk', '後巷逗留'] } }, simplify);
    const table = createConceptTable(merged);
    expect(findConcepts('someone skulking', [], table).map((m) => m.concept.id)).toEqual(['loitering', 'person']);
    expect(findConcepts('后巷逗留', [], table).map((m) => m.term)).toEqual(['后巷逗留']);
    expect(merged.find((c) => c.id === 'loitering')?.terms.zh).toEqual(expect.arrayContaining(['後巷逗留', '后巷逗留']));
  });

  it('adds new concepts and leaves the base untouched', () => {
    const forklift: Concept = { id: 'forklift', kind: 'label', labels: ['truck'], terms: { en: ['forklift'], zh: ['堆高機'] } };
    const merged = mergeConcepts(BUILTIN_CONCEPTS, { concepts: [forklift] });
    expect(merged).toHaveLength(BUILTIN_CONCEPTS.length + 1);
    expect(BUILTIN_CONCEPTS.find((c) => c.id === 'forklift')).toBeUndefined();
    const table = createConceptTable(merged);
    expect(findConcepts('two forklifts', [], table).map((m) => m.concept.id)).toEqual(['forklift']);
    expect(findConcepts('堆高機', [], table).map((m) => m.concept.id)).toEqual(['forklift']);
  });

  it('rejects unknown and duplicate ids', () => {
    expect(() => mergeConcepts(BUILTIN_CONCEPTS, { terms: { lurking: ['x'] } })).toThrow(VigilError);
    expect(() => mergeConcepts(BUILTIN_CONCEPTS, { terms: { lurking: ['x'] } })).toThrow(/lurking/);
    const dog = BUILTIN_CONCEPTS.find((c) => c.id === 'dog') as Concept;
    expect(() => mergeConcepts(BUILTIN_CONCEPTS, { concepts: [dog] })).toThrow(/defined twice/);
  });
});
