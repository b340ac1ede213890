/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranking gives an item
 * weight / (k + rank), rank 1-based, and the sums are sorted. Only ranks are used, never the
 * rankers' scores, so BM25 (unbounded, higher is better) and cosine distance (lower is better)
 * can be fused without calibrating one against the other.
 */
export interface FuseOptions {
  /** Damps the advantage of the very top ranks; 60 is the value of the paper. Must be > 0. */
  k?: number;
  /** One weight per list (default 1 each); a list with weight 0 only decides ties of order. */
  weights?: readonly number[];
}

export interface FusedItem {
  id: string;
  score: number;
}

export const RRF_DEFAULT_K = 60;

/**
 * Fuses rankings of ids (best first) into one. An id repeated within a list counts at its best
 * rank only. Equal scores keep the order in which ids first appear, reading the lists in the
 * order given, each from its best item down, so the result is the same for the same input.
 */
export function fuseRankings(lists: ReadonlyArray<readonly string[]>, options: FuseOptions = {}): FusedItem[] {
  const k = options.k ?? RRF_DEFAULT_K;
  if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`fuseRankings: k must be a positive number, got ${k}`);
  const weights = options.weights;
  if (weights !== undefined && weights.length !== lists.length) {
    throw new RangeError(`fuseRankings: ${weights.length} weights for ${lists.length} lists`);
  }
  if (weights?.some((w) => !(w >= 0) || !Number.isFinite(w))) throw new RangeError('fuseRankings: weights must be finite and >= 0');

  const scores = new Map<string, { score: number; first: number }>();
  lists.forEach((list, li) => {
    const weight = weights?.[li] ?? 1;
    const seen = new Set<string>();
    list.forEach((id, index) => {
      if (seen.has(id)) return;
      seen.add(id);
      const entry = scores.get(id) ?? { score: 0, first: scores.size };
      entry.score += weight / (k + index + 1);
      scores.set(id, entry);
    });
  });
  return [...scores.entries()]
    .sort(([, a], [, b]) => b.score - a.score || a.first - b.first)
    .map(([id, { score }]) => ({ id, score }));
}
