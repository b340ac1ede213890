/**
 * Questions that ask for a number: "how many times" and 「幾次」 count what happened (each
 * crossing, each entry into a zone, each sighting), "how many people" and 「幾個人」 count who
 * (each person or object once). Read from normalized text (lower case, Simplified Chinese); the
 * words read are returned to take out of the words searched for.
 */
export type CountKind = 'times' | 'actors';

export interface CountQuestion {
  kind: CountKind;
  /** The counting words ("how many times", 几次, "how many" before "people"): not searched for. */
  text: string;
}

// Group 1 is what to take out: for "how many people" only "how many", since "people" is a filter.
const PATTERNS: ReadonlyArray<[RegExp, CountKind]> = [
  [/\b(how (?:many times|often))\b/, 'times'],
  [/\b((?:number|count) of times)\b/, 'times'],
  [/\b(how many(?: different| distinct| separate)?) (?:people|persons|person|visitors|men|women|kids|children|cars|vehicles|trucks|vans|bikes|bicycles|motorcycles|dogs|cats|animals|objects|ones|of them)\b/, 'actors'],
  [/\b((?:number|count) of) (?:people|persons|visitors|cars|vehicles)\b/, 'actors'],
  [/((?:几|多少)\s*次)/, 'times'],
  // Not 几个小时 (how many hours) or 几个月.
  [/(几|多少)\s*(?:个人|位|个(?!小时|钟头|月|星期|礼拜|礼拜|晚上|早上)|辆|台|只|名|人)/, 'actors'],
];

export function readCountQuestion(text: string): CountQuestion | undefined {
  for (const [re, kind] of PATTERNS) {
    const m = re.exec(text);
    if (m) return { kind, text: m[1] ?? m[0] };
  }
  return undefined;
}
