import type { EventType } from '../events/event-types.ts';

/**
 * What a concept tells a search: `event_type` and `label` concepts become filters on the event's
 * type and COCO labels; `direction` concepts say which way a crossing went (`inbound`);
 * `attribute` concepts (colours) map to nothing and only match words in descriptions.
 */
export type ConceptKind = 'event_type' | 'label' | 'attribute' | 'direction';

export interface ConceptTerms {
  /**
   * English base forms, lower case; single or several words. Inflections are derived when the
   * table is built (cross -> crosses, crossed, crossing; van -> vans), irregular ones are listed.
   */
  en: readonly string[];
  /**
   * Chinese terms. Matching compares them with normalized (Simplified) text, so a table must hold
   * the Simplified form of every term: the built-in table lists both forms; extra terms from the
   * configuration gain theirs in `mergeConcepts` through the analyzer's `normalize`.
   */
  zh: readonly string[];
}

export interface Concept {
  id: string;
  kind: ConceptKind;
  eventTypes?: readonly EventType[];
  labels?: readonly string[];
  /** For `direction` concepts: the value of the event's `details.inbound`. */
  inbound?: boolean;
  terms: ConceptTerms;
}

export interface ConceptMatch {
  concept: Concept;
  /** The matched text exactly as it appears in the normalized query (cut it out with `split(term)`). */
  term: string;
  /** Where `term` sits in the normalized query: [start, end) in UTF-16 units. */
  start: number;
  end: number;
}
