/** Shared shapes for the time-phrase parser: what each matched token contributes to a reading. */

/** A named span of the day in minutes from local midnight; `endMin` above 1440 runs into the next day. */
export interface PartOfDay {
  /** The words as written, quoted in notes. */
  label: string;
  startMin: number;
  endMin: number;
}

export type DaySpec =
  | { kind: 'offset'; days: number }
  /**
   * `recent`: the latest such weekday that has begun (週五, "on Friday");
   * `beforeToday`: the latest strictly before today ("last Friday");
   * `week`: that weekday in the Monday-based week `weekOffset` weeks from this one (上週五, 這週五).
   */
  | { kind: 'weekday'; weekday: number; rule: 'recent' | 'beforeToday' | 'week'; weekOffset: number; label: string }
  | { kind: 'date'; year?: number; month: number; day: number }
  /** A day of the month without its month (20號, "on the 20th"): the latest such day that has begun. */
  | { kind: 'monthDay'; day: number };

export interface ClockPoint {
  /** 0-24 as written (10 for 10點, 22 for 22:00, 10 for 10pm with meridiem 'pm'). */
  hour: number;
  minute: number;
  /** Seconds, when written (21:40:30, 九點四十分半, 9點40分30秒); the reading then starts on that second. */
  second?: number;
  meridiem?: 'am' | 'pm';
  /** Written on the 24-hour clock (22:30, 09:00, 0點, noon): never moved by 12 hours unless a part of day asks. */
  fixed: boolean;
  /** A part of day written right before this point inside a range (the 凌晨 of 晚上11點到凌晨1點). */
  part?: PartOfDay;
  /** The end of a range said to be on a later day (隔天, 今天早上 after 昨天晚上). */
  nextDay?: boolean;
  /** How the point was written, for notes: "10", "10:30". */
  label: string;
}

export interface ClockSpec {
  start: ClockPoint;
  end?: ClockPoint;
}

export type SpanUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

/** A reading that stands on its own and cannot take a day, a part of day or a clock time. */
export type SpanSpec =
  | { kind: 'rolling'; amount: number; unit: SpanUnit }
  | { kind: 'ago'; amount: number; unit: 'minute' | 'hour' }
  /**
   * The whole calendar week, month or year `offset` from this one. `counted`: said as a distance
   * back ("three weeks ago", 兩個月前, the week before last), which names an instant rather than a
   * calendar unit: the reading says which whole unit it took.
   */
  | { kind: 'calendar'; unit: 'week' | 'month' | 'year'; offset: number; counted?: boolean }
  | { kind: 'weekend'; rule: 'recent' | 'week'; weekOffset: number }
  | { kind: 'justNow' };

export interface TokenFields {
  day?: DaySpec;
  /** The last day of a range of whole days (19號到21號, from Monday to Wednesday): through its end. */
  dayEnd?: DaySpec;
  part?: PartOfDay;
  clock?: ClockSpec;
  span?: SpanSpec;
  /** From the reading's start until now (since 9am, 10點以後, 到現在). */
  since?: boolean;
  /** From the start of the day (or of the part of day) until the time (9點以前, before 9am). */
  until?: boolean;
  /** Around a time (10點左右, around 10pm): a window centred on it. */
  approx?: boolean;
  /**
   * Counts only next to another time word: 一點 alone is "a little", "at 3 cameras" is a count.
   * A cluster made only of weak tokens is not a time expression.
   */
  weak?: boolean;
}

export interface Token extends TokenFields {
  start: number;
  end: number;
}

export interface MatchContext {
  /** The normalized input (same length as the original). */
  text: string;
  /** The original input, for labels quoted back to the user. */
  source: string;
}

export interface Matcher {
  /** Sticky (`y`) pattern tried at one position of the normalized text. */
  re: RegExp;
  build(m: RegExpExecArray, ctx: MatchContext): TokenFields | undefined;
}
