import { intersectionOverUnion } from '../geometry.ts';
import { costMatrix, linearAssignment } from './linear-assignment.ts';
import type { MotFrame } from './mot-metrics.ts';

/**
 * HOTA, Higher Order Tracking Accuracy (Luiten et al., IJCV 2021), as TrackEval computes it.
 *
 * For every localisation threshold alpha in 0.05, 0.10, ..., 0.95:
 *  - each frame's truth and hypothesis boxes are paired one to one maximising the sum of
 *    IoU x (how well the two trajectories align over the whole sequence), then pairs with
 *    IoU >= alpha are true positives (TP), the other truth boxes misses (FN), the other
 *    hypothesis boxes false positives (FP): DetA = TP / (TP + FN + FP);
 *  - each TP pair c of truth o and hypothesis h scores A(c) = TPA / (TPA + FNA + FPA), the frames
 *    where o and h are matched over the frames where either appears without the other matched:
 *    AssA = mean of A(c) over all TPs;
 *  - HOTA(alpha) = sqrt(DetA x AssA).
 * HOTA is the mean over the 19 thresholds, and so are DetA and AssA as reported. Unlike MOTA it
 * weighs detection and association evenly: a tracker that finds every box but swaps ids scores low.
 *
 * Sequences combine by adding their counts (`addHotaCounts`), as TrackEval combines them: TP, FN
 * and FP sum, and AssA is the TP-weighted mean, i.e. the sum of A(c) over all TPs.
 */

export const HOTA_ALPHAS: readonly number[] = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
const EPSILON = 1e-9;

/** Per threshold (same index as HOTA_ALPHAS). */
export interface HotaCounts {
  tp: number[];
  fn: number[];
  fp: number[];
  /** Sum of A(c) over the true positives. */
  associationSum: number[];
  /** Sum of IoU over the true positives (LocA's numerator). */
  iouSum: number[];
}

export interface HotaSummary {
  hota: number;
  detA: number;
  assA: number;
  locA: number;
  /** HOTA at each threshold. */
  perAlpha: number[];
}

export function countHota(frames: readonly MotFrame[]): HotaCounts {
  const counts = emptyHotaCounts();
  // Ids to dense indices: truth and hypotheses live in separate name spaces.
  const truthIndex = new Map<string, number>();
  const hypothesisIndex = new Map<string, number>();
  const indexOf = (map: Map<string, number>, id: string) => {
    let i = map.get(id);
    if (i === undefined) map.set(id, (i = map.size));
    return i;
  };
  const similarities = frames.map((frame) => {
    const t = frame.truth.map((o) => indexOf(truthIndex, o.id));
    const h = frame.hypotheses.map((o) => indexOf(hypothesisIndex, o.id));
    const iou = new Float64Array(t.length * h.length);
    frame.truth.forEach((o, i) => frame.hypotheses.forEach((x, j) => (iou[i * h.length + j] = intersectionOverUnion(o.box, x.box))));
    return { t, h, iou };
  });

  // 1. How well each truth trajectory and hypothesis trajectory align over the sequence.
  const nT = truthIndex.size;
  const nH = hypothesisIndex.size;
  const potential = new Float64Array(nT * nH);
  const truthCount = new Float64Array(nT);
  const hypothesisCount = new Float64Array(nH);
  for (const { t, h, iou } of similarities) {
    const rowSums = t.map((_, i) => h.reduce((s, _h, j) => s + (iou[i * h.length + j] as number), 0));
    const colSums = h.map((_, j) => t.reduce((s, _t, i) => s + (iou[i * h.length + j] as number), 0));
    t.forEach((ti, i) =>
      h.forEach((hj, j) => {
        const v = iou[i * h.length + j] as number;
        const denominator = (rowSums[i] as number) + (colSums[j] as number) - v;
        if (denominator > EPSILON) potential[ti * nH + hj] = (potential[ti * nH + hj] as number) + v / denominator;
      }),
    );
    for (const ti of t) truthCount[ti] = (truthCount[ti] as number) + 1;
    for (const hj of h) hypothesisCount[hj] = (hypothesisCount[hj] as number) + 1;
  }
  const alignment = (ti: number, hj: number) => {
    const p = potential[ti * nH + hj] as number;
    return p / ((truthCount[ti] as number) + (hypothesisCount[hj] as number) - p);
  };

  // 2. Per frame: the best pairing, then each threshold's TP / FN / FP and matched pairs.
  const pairMatches = HOTA_ALPHAS.map(() => new Float64Array(nT * nH));
  for (const { t, h, iou } of similarities) {
    const { matches } = linearAssignment(
      costMatrix(t.length, h.length, (i, j) => {
        const v = iou[i * h.length + j] as number;
        // Pairs that do not overlap can never count: leaving them out keeps the problem small.
        return v > 0 ? -alignment(t[i] as number, h[j] as number) * v : Number.POSITIVE_INFINITY;
      }),
      0,
    );
    HOTA_ALPHAS.forEach((alpha, a) => {
      let tp = 0;
      for (const [i, j] of matches) {
        const v = iou[i * h.length + j] as number;
        if (v < alpha - EPSILON) continue;
        tp++;
        (counts.iouSum[a] as number) += v;
        const key = (t[i] as number) * nH + (h[j] as number);
        (pairMatches[a] as Float64Array)[key] = ((pairMatches[a] as Float64Array)[key] as number) + 1;
      }
      (counts.tp[a] as number) += tp;
      (counts.fn[a] as number) += t.length - tp;
      (counts.fp[a] as number) += h.length - tp;
    });
  }

  // 3. Association: every TP of the pair (o, h) scores TPA / (|o| + |h| - TPA).
  HOTA_ALPHAS.forEach((_, a) => {
    const matched = pairMatches[a] as Float64Array;
    let sum = 0;
    for (let ti = 0; ti < nT; ti++) {
      for (let hj = 0; hj < nH; hj++) {
        const m = matched[ti * nH + hj] as number;
        if (m > 0) sum += (m * m) / Math.max(1, (truthCount[ti] as number) + (hypothesisCount[hj] as number) - m);
      }
    }
    counts.associationSum[a] = sum;
  });
  return counts;
}

export function summarizeHota(counts: HotaCounts): HotaSummary {
  const perAlpha: number[] = [];
  let detSum = 0;
  let assSum = 0;
  let locSum = 0;
  HOTA_ALPHAS.forEach((_, a) => {
    const tp = counts.tp[a] as number;
    const detA = tp / Math.max(1, tp + (counts.fn[a] as number) + (counts.fp[a] as number));
    const assA = (counts.associationSum[a] as number) / Math.max(1, tp);
    perAlpha.push(Math.sqrt(detA * assA));
    detSum += detA;
    assSum += assA;
    locSum += tp > 0 ? (counts.iouSum[a] as number) / tp : 0;
  });
  const n = HOTA_ALPHAS.length;
  return { hota: perAlpha.reduce((s, v) => s + v, 0) / n, detA: detSum / n, assA: assSum / n, locA: locSum / n, perAlpha };
}

export function evaluateHota(frames: readonly MotFrame[]): HotaSummary {
  return summarizeHota(countHota(frames));
}

export function addHotaCounts(a: HotaCounts, b: HotaCounts): HotaCounts {
  const add = (x: number[], y: number[]) => x.map((v, i) => v + (y[i] as number));
  return { tp: add(a.tp, b.tp), fn: add(a.fn, b.fn), fp: add(a.fp, b.fp), associationSum: add(a.associationSum, b.associationSum), iouSum: add(a.iouSum, b.iouSum) };
}

function emptyHotaCounts(): HotaCounts {
  const zeros = () => HOTA_ALPHAS.map(() => 0);
  return { tp: zeros(), fn: zeros(), fp: zeros(), associationSum: zeros(), iouSum: zeros() };
}
