/** Splits a query into time tokens, connecting words and everything else, then groups adjacent tokens. */
import { CLOCK_MATCHERS, MARKER_MATCHERS, PART_MATCHERS } from './clock-tokens.ts';
import { DAY_MATCHERS, SPAN_MATCHERS } from './day-tokens.ts';
import { ZH_NUMERAL_CHARS } from './lexicon.ts';
import type { MatchContext, Matcher, Token, TokenFields } from './types.ts';

/** Earlier matchers win ties: "this morning" is a day with a part, not a part alone. */
const MATCHERS: readonly Matcher[] = [...DAY_MATCHERS, ...SPAN_MATCHERS, ...CLOCK_MATCHERS, ...PART_MATCHERS, ...MARKER_MATCHERS];

/** Words that may sit between time words ("yesterday at 10pm", 昨天的晚上) without breaking them apart. */
const GLUE = /\s+|的|[,，]|of(?![a-z])/y;
/** Prepositions that belong to the time phrase when they come right before it (on Friday, 在昨天, 從10點). */
const LEAD_GLUE = /自從|在|於|從|自|由|(?:on|at|in|during|from)(?![a-z])/y;
/** Runs skipped whole, so that no token starts inside a word or a number (camera2, 110). */
const RUN = new RegExp(`[a-z0-9]+|[${ZH_NUMERAL_CHARS}]+`, 'y');

/** Words joining the first and the last day of a range (19號到21號, Monday to Wednesday). */
const RANGE = /到|至|~|～|(?:to|until|till|through|thru)(?![a-z])/y;

export type Item =
  | { kind: 'token'; token: Token }
  | { kind: 'glue'; start: number; lead: boolean; space: boolean }
  | { kind: 'range' }
  | { kind: 'other' };

function stickyLength(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0].length : 0;
}

/** A token may not stop inside a word or a number (10 of 10:30, 2026 of 2026.11.20). */
function endsCleanly(text: string, end: number): boolean {
  const last = text.charAt(end - 1);
  const next = text.charAt(end);
  if (/[a-z0-9]/.test(last) && /[a-z0-9]/.test(next)) return false;
  return !(/\d/.test(last) && /^[:.]\d/.test(text.slice(end, end + 2)));
}

/**
 * Counting words repeat (上上週 is two weeks back, 大前天 three days): a token may not start
 * inside such a run, or 上上上週 would be read as 上上週 with a stray 上.
 */
const REPEATED_PREFIX = /[上下大]/;
/** Characters that make a word with a 上 or 下 after them (樓上 upstairs, 路上, 樓下): not a count of weeks. */
const PLACE_BEFORE_UP_DOWN = /[樓楼桌車车路身地門门牆墙床街線线馬马手頭头台臺架]/;
function startsInsideRun(text: string, at: number): boolean {
  const ch = text.charAt(at);
  if (REPEATED_PREFIX.test(ch)) {
    let first = at;
    while (first > 0 && text.charAt(first - 1) === ch) first--;
    let last = at;
    while (text.charAt(last + 1) === ch) last++;
    // 樓上上週 is "upstairs, last week": a run's first 上 or 下 after such a character is its word's.
    if (/[上下]/.test(ch) && last > first && PLACE_BEFORE_UP_DOWN.test(text.charAt(first - 1))) first++;
    if (at !== first) return true;
  }
  return text.charAt(at - 1) === '大' && /^[前後]天/.test(text.slice(at, at + 2));
}

function longestToken(ctx: MatchContext, at: number): Token | undefined {
  if (startsInsideRun(ctx.text, at)) return undefined;
  let best: Token | undefined;
  for (const matcher of MATCHERS) {
    matcher.re.lastIndex = at;
    const m = matcher.re.exec(ctx.text);
    if (!m || m[0].length === 0) continue;
    const end = at + m[0].length;
    if ((best && end <= best.end) || !endsCleanly(ctx.text, end)) continue;
    const fields = matcher.build(m, ctx);
    if (fields) best = { ...fields, start: at, end };
  }
  return best;
}

export function scan(text: string, source: string): Item[] {
  const ctx: MatchContext = { text, source };
  const items: Item[] = [];
  let at = 0;
  while (at < text.length) {
    const token = longestToken(ctx, at);
    if (token) {
      items.push({ kind: 'token', token });
      at = token.end;
      continue;
    }
    const range = stickyLength(RANGE, text, at);
    if (range > 0) {
      items.push({ kind: 'range' });
      at += range;
      continue;
    }
    const lead = stickyLength(LEAD_GLUE, text, at);
    const glue = lead > 0 ? lead : stickyLength(GLUE, text, at);
    if (glue > 0) {
      items.push({ kind: 'glue', start: at, lead: lead > 0, space: /^\s/.test(text.charAt(at)) });
      at += glue;
      continue;
    }
    items.push({ kind: 'other' });
    at += Math.max(1, stickyLength(RUN, text, at));
  }
  return items;
}

export interface Cluster {
  start: number;
  end: number;
  fields: TokenFields;
  /** Tokens that place the reading in time (day, part of day, clock, span). */
  coreCount: number;
  /** At least one core token that does not need company (not 一點, not a bare "at 3"). */
  strong: boolean;
}

const ROLES = ['day', 'part', 'clock', 'span', 'since', 'until', 'approx'] as const;
const placesInTime = (f: TokenFields) => f.day !== undefined || f.part !== undefined || f.clock !== undefined;

function conflicts(a: TokenFields, b: TokenFields): boolean {
  if (ROLES.some((role) => a[role] !== undefined && b[role] !== undefined)) return true;
  return (a.span !== undefined && placesInTime(b)) || (b.span !== undefined && placesInTime(a));
}

function merge(into: TokenFields, token: Token): void {
  if (token.day) into.day = token.day;
  if (token.part) into.part = token.part;
  if (token.clock) into.clock = token.clock;
  if (token.span) into.span = token.span;
  if (token.since) into.since = true;
  if (token.until) into.until = true;
  if (token.approx) into.approx = true;
}

/** A cluster of whole days only: a day and nothing that narrows or counts from it. */
const wholeDay = (f: TokenFields) => f.day !== undefined && f.dayEnd === undefined && f.part === undefined && f.clock === undefined && f.span === undefined && !f.since && !f.until;

/**
 * Runs of tokens joined only by glue; a second day (or clock, ...) starts a new run, except that
 * a day, a range word and a day alone (19號到21號, Monday to Wednesday) make one range of days.
 */
export function clusters(items: readonly Item[]): Cluster[] {
  const out: Cluster[] = [];
  let current: Cluster | undefined;
  let leadStart: number | undefined;
  /** A range word right after a cluster of whole days: the next token may be the range's last day. */
  let rangeOpen = false;
  const close = () => {
    if (current) out.push(current);
    current = undefined;
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Item;
    if (item.kind === 'range') {
      rangeOpen = current !== undefined && wholeDay(current.fields);
      if (!rangeOpen) {
        close();
        leadStart = undefined;
      }
      continue;
    }
    if (rangeOpen && item.kind === 'token') {
      rangeOpen = false;
      const token = item.token;
      const next = items[i + 1];
      // The last day stands alone: 21號 of 21號晚上 is not a whole day.
      const alone = token.day !== undefined && wholeDay(token) && !(next?.kind === 'token' && !conflicts(token, next.token));
      if (current && alone) {
        current.fields.dayEnd = token.day;
        current.end = token.end;
        current.coreCount += 1;
        continue;
      }
      close();
      leadStart = undefined;
    } else if (rangeOpen && item.kind !== 'glue') {
      rangeOpen = false;
    }
    if (item.kind === 'other') {
      close();
      leadStart = undefined;
    } else if (item.kind === 'glue') {
      if (!current) leadStart = item.lead ? (leadStart ?? item.start) : item.space ? leadStart : undefined;
    } else {
      const token = item.token;
      if (current && conflicts(current.fields, token)) close();
      current ??= { start: leadStart ?? token.start, end: token.end, fields: {}, coreCount: 0, strong: false };
      leadStart = undefined;
      merge(current.fields, token);
      current.end = token.end;
      if (placesInTime(token) || token.span) {
        current.coreCount += 1;
        if (!token.weak) current.strong = true;
      }
    }
  }
  close();
  return out;
}
