/**
 * "Were several people there together", 「兩個人一起進來」, "a group of 3": the question is about
 * events with at least that many people or objects (2 unless it says a number). Read from
 * normalized text (lower case, Simplified Chinese); the words read are returned to take out of
 * the words searched for. A number of people alone ("3 people") is not "together".
 */
export interface TogetherQuestion {
  minActors: number;
  /** The words read, as they appear in the text. */
  read: string[];
}

const EN_NUMBER: Readonly<Record<string, number>> = { two: 2, three: 3, four: 4, five: 5, six: 6, several: 2, multiple: 2 };
const ZH_NUMBER: Readonly<Record<string, number>> = { 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 几: 2, 好几: 2, 多: 2 };

const EN_TOGETHER = /\b(?:together|in a group|as a group|with each other|with someone|accompanied)\b/;
const EN_GROUP = /\b(?:a group of|a crowd of)\s+(\d+|two|three|four|five|six)\b/;
const EN_SEVERAL = /\b(?:(\d+|two|three|four|five|six|several|multiple)\s+(?:or more\s+)?(?:people|persons|of them)|more than one (?:person|people))\b/;
const ZH_TOGETHER = /一起|一同|结伴|成群|一群|同行/;
const ZH_SEVERAL = /(\d+|两|二|三|四|五|六|好几|几|多)\s*(?:个|位)?\s*人(?:以上)?/;

function number(text: string | undefined, table: Readonly<Record<string, number>>): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  return table[text];
}

export function readTogether(text: string): TogetherQuestion | undefined {
  const en = EN_TOGETHER.exec(text);
  const group = EN_GROUP.exec(text);
  const zh = ZH_TOGETHER.exec(text);
  if (!en && !group && !zh) {
    // "more than one person" says it alone.
    const more = /\bmore than one (?:person|people)\b/.exec(text);
    return more ? { minActors: 2, read: [more[0]] } : undefined;
  }
  const read: string[] = [];
  let n: number | undefined;
  if (group) {
    n = number(group[1], EN_NUMBER);
    read.push(group[0]);
  }
  if (en) {
    read.push(en[0]);
    const several = EN_SEVERAL.exec(text);
    if (several) {
      n ??= several[1] === undefined ? 2 : number(several[1], EN_NUMBER);
      // The number goes with "together"; "people" stays, a filter of its own.
      if (several[1] !== undefined) read.push(several[1]);
    }
  }
  if (zh) {
    read.push(zh[0]);
    const several = ZH_SEVERAL.exec(text);
    if (several) n ??= number(several[1], ZH_NUMBER);
  }
  return { minActors: Math.max(2, n ?? 2), read };
}
