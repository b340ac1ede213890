/** How hard a search store works for a query; the same defaults on every backend, so they give the same answers. */
export interface SearchStoreLimits {
  /** Matches are counted up to this many; beyond it the total is reported as "more than". */
  countCap: number;
  /** A filter whose events are at most this share of all events narrows in the full-text index. */
  selectiveShare: number;
  /**
   * Words that match more events than this are ranked among the most recently stored this many
   * (that pass the filters): BM25 costs per match, and past a few thousand the newest matter most.
   */
  rankWindow: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchStoreLimits = { countCap: 10_000, selectiveShare: 0.1, rankWindow: 2_000 };
