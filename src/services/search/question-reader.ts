/**
 * Reading a question: what it asks, as filters and words, before anything is searched. Time
 * phrases (and time words it cannot read), how long someone stayed, counting words, the earliest
 * or latest, "together", a tripwire's named sides, cameras by name, and concepts (event types,
 * labels, directions) become filters; what is left is ranked as words. Deterministic: the same
 * question at the same moment reads the same.
 */
import type { EventType } from '../../domain/events/event-types.ts';
import { findConcepts, type ConceptMatch } from '../../domain/search/concepts.ts';
import { readCountQuestion, type CountKind } from '../../domain/search/count-question.ts';
import { readCrossingSides, type TripwireSides } from '../../domain/search/crossing-sides.ts';
import { readExtreme, type Extreme } from '../../domain/search/extreme-question.ts';
import { preferLongerWords } from '../../domain/search/query-words.ts';
import { readStayDuration } from '../../domain/search/stay-duration.ts';
import { textQuery, type TextQuery } from '../../domain/search/text-query.ts';
import { readTogether } from '../../domain/search/together.ts';
import { parseTimeRange, type TimeRangeMatch } from '../../domain/time/parse-time-range.ts';
import { unreadTimeWords } from '../../domain/time/unread-time-words.ts';
import type { CrossingFilter, SearchQuery, StayFilter } from '../../ports/search-store.ts';
import type { AnswerLanguage } from './answer.ts';
import type { CameraInfo, SearchRequest, SearchServiceDeps } from './search.service.ts';

/** Question words in (normalized, Simplified) Chinese that are not what is being asked about. */
const QUESTION_PHRASES = /有没有|是不是|是否|吗|呢/g;

export type QuestionFilters = Omit<SearchQuery, 'text' | 'limit' | 'order' | 'timelineLimit'>;

export interface QuestionPlan {
  language: AnswerLanguage;
  time: TimeRangeMatch | undefined;
  unreadTime: string[];
  countKind: CountKind | undefined;
  extreme: Extreme | undefined;
  fromMs: number | undefined;
  toMs: number | undefined;
  cameraIds: string[];
  types: EventType[];
  labels: string[];
  directions: CrossingFilter[];
  stay: StayFilter | undefined;
  concepts: ConceptMatch[];
  groups: string[][];
  match: TextQuery | undefined;
  anyMatch: TextQuery | undefined;
  filters: QuestionFilters;
  /** The question minus what became filters of time and place, to compare by meaning. */
  embedText: string;
  /** The words left to search for, as normalized text. */
  wordsText: string;
}

export class QuestionReader {
  /** Camera names and aliases, normalized once (longest first), to find them in questions. */
  private readonly aliases: ReadonlyArray<{ camera: CameraInfo; alias: string; foundIn: (text: string) => boolean }>;
  /** Every camera, zone, tripwire and side name, normalized: the places questions may name. */
  private readonly knownPlaceNames: readonly string[];
  /** Tripwires whose sides have names, those names normalized. */
  private readonly tripwireSides: readonly TripwireSides[];
  /** Zone names, normalized, each with a whole-word test. */
  private readonly zoneNames: ReadonlyArray<(text: string) => boolean>;

  constructor(private readonly deps: Pick<SearchServiceDeps, 'text' | 'cameras' | 'concepts' | 'clock' | 'timeZone'>) {
    this.knownPlaceNames = deps.cameras
      .flatMap((c) => [c.id, c.name, ...c.aliases, ...(c.placeNames ?? [])])
      .map((n) => deps.text.normalize(n))
      .filter((n) => n !== '');
    this.tripwireSides = deps.cameras.flatMap((camera) =>
      (camera.tripwireSides ?? []).map((w) => ({ cameraId: camera.id, rule: w.rule, a: w.a.map((n) => deps.text.normalize(n)), b: w.b.map((n) => deps.text.normalize(n)) })),
    );
    this.zoneNames = deps.cameras
      .flatMap((c) => c.zoneNames ?? [])
      .map((n) => deps.text.normalize(n))
      .filter((n) => n !== '')
      .map(wordMatcher);
    this.aliases = deps.cameras
      .flatMap((camera) => [camera.id, camera.name, ...camera.aliases].map((a) => ({ camera, alias: deps.text.normalize(a) })))
      .map((a) => ({ ...a, foundIn: wordMatcher(a.alias) }))
      .sort((a, b) => b.alias.length - a.alias.length);
  }

  /** A query for every one of `words` (place names), to search by them alone. */
  wordsQuery(words: readonly string[]): TextQuery | undefined {
    return textQuery(preferLongerWords(this.deps.text.queryTokens(words.join(' '))), 'all');
  }

  /** Whether a camera, zone, tripwire or tripwire side is called so (a normalized place word). */
  isKnownPlace(place: string): boolean {
    return this.knownPlaceNames.some((name) => name.includes(place) || place.includes(name));
  }

  /** What the question asks: time, cameras, concepts as filters, the rest as words. */
  read(request: SearchRequest): QuestionPlan {
    const { text } = this.deps;
    const language = request.language ?? text.detectLanguage(request.q);
    let rest = request.q;

    const time = parseTimeRange(rest, { nowMs: this.deps.clock.now(), timeZone: this.deps.timeZone });
    // The preposition a time phrase starts with may end a verb ("came in yesterday"): it stays.
    if (time) rest = rest.replace(time.text, ` ${/^(?:in|on|at)(?=\s)/i.exec(time.text)?.[0] ?? ''} `);
    // A range given with the request replaces any in the words; time words the names of places
    // hold ("June Street") are names.
    const unreadTime = request.fromMs !== undefined || request.toMs !== undefined ? [] : unreadTimeWords(rest).filter((w) => !this.isKnownPlace(text.normalize(w)));
    const fromMs = request.fromMs ?? time?.fromMs;
    const toMs = request.toMs ?? time?.toMs;

    const normalized = text.normalize(rest);
    // Places on either side of a tripwire, with a word of direction ("from the parking lot"), are
    // read before camera names: 大廳 after 走進 is where a crossing went, even if a camera is called so.
    const sides = readCrossingSides(normalized, this.tripwireSides);
    let unplaced = normalized;
    for (const words of sides.read) unplaced = withoutWords(unplaced, words);
    const mentioned = this.mentionedCameras(unplaced);
    const cameraIds = request.camera ? [request.camera] : mentioned.map((m) => m.camera.id);
    let remaining = unplaced;
    for (const m of mentioned) remaining = withoutWords(remaining, m.alias);

    // How long, how many, which end, together: read once the names are gone ("First Avenue").
    const countRead = readCountQuestion(remaining);
    const togetherRead = readTogether(remaining);
    const extremeRead = readExtreme(remaining);
    const stayRead = readStayDuration(remaining);
    const stay = stayRead ? { op: stayRead.op, seconds: stayRead.seconds } : undefined;
    for (const read of [stayRead?.text, countRead?.text, extremeRead?.text, ...(togetherRead?.read ?? [])]) if (read) remaining = withoutWords(remaining, read);
    // Chinese question phrases hold characters of concept words (有沒有人 contains 有人): drop them first.
    remaining = remaining.replace(QUESTION_PHRASES, ' ');
    // Meaning is compared on the question minus what became filters of time and place.
    const embedText = remaining.replace(/\s+/g, ' ').trim();

    const concepts = findConcepts(remaining, [], this.deps.concepts);
    // Concepts that name an event type or a label become SQL filters and leave the text query;
    // attributes (colours) and directions stay in it, since only summaries and descriptions say them.
    // "Seen" is too weak to exclude crossings or intrusions of the same object, so it filters nothing.
    const filtering = concepts.filter((c) => (c.concept.eventTypes ?? []).some((t) => t !== 'object_seen') || c.concept.labels?.length);
    let types = request.type ? [request.type] : unique(filtering.flatMap((c) => (c.concept.eventTypes ?? []).filter((t) => t !== 'object_seen')));
    const labels = request.label ? [request.label] : unique(filtering.flatMap((c) => c.concept.labels ?? []));
    for (const c of filtering) remaining = remaining.split(c.term).join(' ');

    const inScope = cameraIds.length ? this.deps.cameras.filter((c) => cameraIds.includes(c.id)) : this.deps.cameras;
    // "Entered the storeroom": a named zone is where the entering happened, not a tripwire's way in.
    const namesZone = this.zoneNames.some((foundIn) => foundIn(remaining));
    const directions = crossingDirections(sides.directions, concepts, types, !namesZone && inScope.some((c) => c.saysInbound === true));
    if (directions.length > 0) types = ['line_crossing'];
    // Read as a way across a line, or as going into the zone named: either way not a word to find
    // (the lawn's intrusion says 闖入, not the 進入 of the question).
    if (directions.length > 0 || namesZone) {
      for (const c of concepts.filter((m) => m.concept.kind === 'direction')) remaining = remaining.split(c.term).join(' ');
    }

    const groups = preferLongerWords(text.queryTokens(remaining));
    // Every word first: ranking the events that contain all of them is cheap and precise; only when
    // none does, any word (a single common character can match most events).
    const match = textQuery(groups, 'all');
    const anyMatch = groups.length > 1 ? textQuery(groups, 'any') : undefined;
    const filters = {
      ...(cameraIds.length ? { cameraIds } : {}),
      ...(types.length ? { types } : {}),
      ...(labels.length ? { labels } : {}),
      ...(directions.length ? { directions } : {}),
      ...(stay ? { stay } : {}),
      ...(togetherRead ? { minActors: togetherRead.minActors } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
    };
    return { language, time, unreadTime, countKind: countRead?.kind, extreme: extremeRead?.extreme, fromMs, toMs, cameraIds, types, labels, directions, stay, concepts, groups, match, anyMatch, filters, embedText, wordsText: remaining };
  }

  /** Camera ids, names and aliases written in the question (longest first, each camera once). */
  private mentionedCameras(normalized: string): Array<{ camera: CameraInfo; alias: string }> {
    const candidates = this.aliases;
    const found: Array<{ camera: CameraInfo; alias: string }> = [];
    let text = normalized;
    for (const c of candidates) {
      if (c.alias.length < 2 || found.some((f) => f.camera.id === c.camera.id)) continue;
      if (c.foundIn(text)) {
        found.push(c);
        text = text.split(c.alias).join(' ');
      }
    }
    return found;
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function wordMatcher(alias: string): (text: string) => boolean {
  if (/[\u3400-\u9fff]/.test(alias)) return (text) => text.includes(alias);
  const escaped = alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`);
  return (text) => pattern.test(text);
}

/**
 * The crossing directions a question asks about: a tripwire's named sides when it names them,
 * else "inbound" or "outbound" (not both). None when the question is about another kind of event
 * ("entered the restricted zone" is an intrusion, not a crossing).
 */
function crossingDirections(sides: readonly CrossingFilter[], concepts: readonly ConceptMatch[], types: readonly EventType[], saysInbound: boolean): CrossingFilter[] {
  if (types.length > 0 && !types.includes('line_crossing')) return [];
  if (sides.length > 0) return [...sides];
  // Without a tripwire that says which way is in, "entering" is about zones, and stays a word.
  if (!saysInbound && !types.includes('line_crossing')) return [];
  const inbound = unique(concepts.flatMap((c) => (c.concept.kind === 'direction' && c.concept.inbound !== undefined ? [c.concept.inbound] : [])));
  return inbound.length === 1 ? [{ inbound: inbound[0] as boolean }] : [];
}


/**
 * `text` without the first occurrence of `words` that stands as whole words (for Latin letters
 * and digits; Chinese anywhere): "last" leaves "plastic" alone, and a number read once is not
 * taken from a camera's name ("camera 2") elsewhere in the question.
 */
export function withoutWords(text: string, words: string): string {
  if (words === '') return text;
  const isWordChar = (ch: string) => /[\p{L}\p{N}]/u.test(ch) && !/\p{Script=Han}/u.test(ch);
  for (let at = text.indexOf(words); at !== -1; at = text.indexOf(words, at + 1)) {
    const before = text.charAt(at - 1);
    const after = text.charAt(at + words.length);
    const startsWord = !isWordChar(words.charAt(0)) || !isWordChar(before);
    const endsWord = !isWordChar(words.charAt(words.length - 1)) || !isWordChar(after);
    if (startsWord && endsWord) return `${text.slice(0, at)} ${text.slice(at + words.length)}`;
  }
  return text;
}
