const HAN = /^\p{Script=Han}$/u;

/**
 * A one-character Chinese word (穿, 看, 走) narrows a search only when the question has nothing
 * longer: next to 紅色 and 外套 it adds little meaning, and single characters are among the
 * commonest terms of the index, the costliest to match and weigh (BM25 walks every event that
 * has them). Alone, or with other single characters, they are kept.
 */
export function preferLongerWords(groups: readonly (readonly string[])[]): string[][] {
  const single = (group: readonly string[]) => group.length === 1 && HAN.test(group[0] ?? '');
  const longer = groups.some((g) => !single(g));
  return groups.filter((g) => !longer || !single(g)).map((g) => [...g]);
}
