import { VigilError } from '../errors.ts';
import { intersectionOverUnion, type Box } from '../geometry.ts';
import { costMatrix, linearAssignment } from './linear-assignment.ts';

/**
 * Multi-object tracking metrics, following py-motmetrics (the MOTChallenge reference).
 *
 * CLEAR-MOT (Bernardin & Stiefelhagen, 2008), frame by frame; a truth object o and a hypothesis
 * h may correspond when IoU(o, h) >= iouThreshold (0.5):
 *  1. every o keeps the hypothesis it was last matched to (in any earlier frame), if that
 *     hypothesis is present, still free and still overlaps enough;
 *  2. the remaining objects and hypotheses are matched optimally: most pairs, then least total
 *     1 - IoU (linear assignment);
 *  3. a new match (o, h) where o was last matched to another hypothesis is an identity switch
 *     (IDSW); unmatched objects are misses (FN), unmatched hypotheses false positives (FP).
 *  MOTA = 1 - (FN + FP + IDSW) / GT, GT the number of truth boxes over all frames.
 *  A fragmentation (FRAG) is a run of missed frames of an object between two frames where it
 *  is matched (misses before its first or after its last match do not count).
 *
 * Identity metrics (Ristani et al., 2016): truth and hypothesis trajectories are paired one to
 * one, globally, so as to maximise IDTP, the number of frames in which paired trajectories
 * overlap (IoU >= threshold). IDFN = truth boxes - IDTP, IDFP = hypothesis boxes - IDTP, and
 * IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN): the share of boxes given the right identity.
 */

export interface MotObject {
  /** Unique within its frame. Truth and hypothesis ids live in separate name spaces. */
  id: string;
  box: Box;
}

export interface MotFrame {
  truth: readonly MotObject[];
  hypotheses: readonly MotObject[];
}

export interface MotOptions {
  /** Minimum IoU for a truth box and a hypothesis box to correspond. */
  iouThreshold: number;
}

/** Raw counts: add them up to combine sequences, then derive the ratios with `summarizeMot`. */
export interface MotCounts {
  frames: number;
  /** Truth boxes over all frames (GT). */
  truth: number;
  hypotheses: number;
  matches: number;
  misses: number;
  falsePositives: number;
  idSwitches: number;
  fragmentations: number;
  /** Sum of IoU over CLEAR matches. */
  iouSum: number;
  idtp: number;
  idfp: number;
  idfn: number;
}

export interface MotSummary extends MotCounts {
  /** 1 - (FN + FP + IDSW) / GT; 1 for an empty sequence with nothing reported, -Infinity if it reported something. */
  mota: number;
  idf1: number;
  /** Mean IoU of CLEAR matches (higher is better; MOTChallenge reports the distance 1 - this). */
  meanMatchIou: number;
  precision: number;
  recall: number;
}

const DEFAULT_OPTIONS: MotOptions = { iouThreshold: 0.5 };
/** Far above any sum of (1 - IoU): every extra pair outweighs any cost difference. */
const MATCH_EVERY_PAIR = 1e6;

export function evaluateMot(frames: readonly MotFrame[], options: MotOptions = DEFAULT_OPTIONS): MotSummary {
  return summarizeMot(countMot(frames, options));
}

export function countMot(frames: readonly MotFrame[], options: MotOptions = DEFAULT_OPTIONS): MotCounts {
  const threshold = options.iouThreshold;
  const counts: MotCounts = {
    frames: frames.length,
    truth: 0,
    hypotheses: 0,
    matches: 0,
    misses: 0,
    falsePositives: 0,
    idSwitches: 0,
    fragmentations: 0,
    iouSum: 0,
    idtp: 0,
    idfp: 0,
    idfn: 0,
  };
  const lastMatch = new Map<string, string>();
  /** Truth ids missed since their latest match: a fragmentation if they are matched again. */
  const gapSinceMatch = new Set<string>();
  // Identity bookkeeping: boxes per trajectory and overlapping frames per (truth, hypothesis).
  const truthBoxes = new Map<string, number>();
  const hypothesisBoxes = new Map<string, number>();
  const overlaps = new Map<string, Map<string, number>>();

  for (const frame of frames) {
    const { truth, hypotheses } = frame;
    assertUniqueIds(truth, 'truth');
    assertUniqueIds(hypotheses, 'hypothesis');
    counts.truth += truth.length;
    counts.hypotheses += hypotheses.length;

    const iou = new Float64Array(truth.length * hypotheses.length);
    truth.forEach((o, i) => {
      truthBoxes.set(o.id, (truthBoxes.get(o.id) ?? 0) + 1);
      hypotheses.forEach((h, j) => {
        const v = intersectionOverUnion(o.box, h.box);
        iou[i * hypotheses.length + j] = v;
        if (v >= threshold) {
          let row = overlaps.get(o.id);
          if (!row) overlaps.set(o.id, (row = new Map()));
          row.set(h.id, (row.get(h.id) ?? 0) + 1);
        }
      });
    });
    for (const h of hypotheses) hypothesisBoxes.set(h.id, (hypothesisBoxes.get(h.id) ?? 0) + 1);
    const iouAt = (i: number, j: number) => iou[i * hypotheses.length + j] as number;

    const truthMatched = new Int32Array(truth.length).fill(-1);
    const hypothesisTaken = new Uint8Array(hypotheses.length);
    const record = (i: number, j: number) => {
      truthMatched[i] = j;
      hypothesisTaken[j] = 1;
      counts.matches++;
      counts.iouSum += iouAt(i, j);
    };

    // 1. Keep still-valid correspondences.
    truth.forEach((o, i) => {
      const previous = lastMatch.get(o.id);
      if (previous === undefined) return;
      const j = hypotheses.findIndex((h) => h.id === previous);
      if (j >= 0 && !hypothesisTaken[j] && iouAt(i, j) >= threshold) record(i, j);
    });

    // 2. Optimal matching of the rest; 3. identity switches.
    const freeTruth = truth.map((_, i) => i).filter((i) => truthMatched[i] === -1);
    const freeHypotheses = hypotheses.map((_, j) => j).filter((j) => !hypothesisTaken[j]);
    const { matches } = linearAssignment(
      costMatrix(freeTruth.length, freeHypotheses.length, (r, c) => {
        const v = iouAt(freeTruth[r] as number, freeHypotheses[c] as number);
        return v >= threshold ? 1 - v : Number.POSITIVE_INFINITY;
      }),
      MATCH_EVERY_PAIR,
    );
    for (const [r, c] of matches) {
      const i = freeTruth[r] as number;
      const j = freeHypotheses[c] as number;
      const o = truth[i] as MotObject;
      const h = hypotheses[j] as MotObject;
      const previous = lastMatch.get(o.id);
      if (previous !== undefined && previous !== h.id) counts.idSwitches++;
      lastMatch.set(o.id, h.id);
      record(i, j);
    }

    truth.forEach((o, i) => {
      if (truthMatched[i] === -1) {
        counts.misses++;
        if (lastMatch.has(o.id)) gapSinceMatch.add(o.id);
      } else if (gapSinceMatch.delete(o.id)) {
        counts.fragmentations++;
      }
    });
    counts.falsePositives += hypothesisTaken.reduce((n, taken) => n + (taken ? 0 : 1), 0);
  }

  counts.idtp = bestIdentityOverlap([...truthBoxes.keys()], [...hypothesisBoxes.keys()], overlaps);
  counts.idfn = counts.truth - counts.idtp;
  counts.idfp = counts.hypotheses - counts.idtp;
  return counts;
}

/** Global one-to-one pairing of trajectories maximising the frames they share. */
function bestIdentityOverlap(truthIds: string[], hypothesisIds: string[], overlaps: Map<string, Map<string, number>>): number {
  const { matches } = linearAssignment(
    costMatrix(truthIds.length, hypothesisIds.length, (r, c) => {
      const n = overlaps.get(truthIds[r] as string)?.get(hypothesisIds[c] as string) ?? 0;
      return n > 0 ? -n : Number.POSITIVE_INFINITY;
    }),
    0,
  );
  let idtp = 0;
  for (const [r, c] of matches) idtp += overlaps.get(truthIds[r] as string)?.get(hypothesisIds[c] as string) ?? 0;
  return idtp;
}

/** Derive the ratios; also how sequences are combined (sum their counts first). */
export function summarizeMot(counts: MotCounts): MotSummary {
  const errors = counts.misses + counts.falsePositives + counts.idSwitches;
  const mota = counts.truth > 0 ? 1 - errors / counts.truth : errors === 0 ? 1 : Number.NEGATIVE_INFINITY;
  const idDenominator = 2 * counts.idtp + counts.idfp + counts.idfn;
  return {
    ...counts,
    mota,
    idf1: idDenominator > 0 ? (2 * counts.idtp) / idDenominator : 1,
    meanMatchIou: counts.matches > 0 ? counts.iouSum / counts.matches : 0,
    precision: counts.hypotheses > 0 ? counts.matches / counts.hypotheses : 1,
    recall: counts.truth > 0 ? counts.matches / counts.truth : 1,
  };
}

export function addMotCounts(a: MotCounts, b: MotCounts): MotCounts {
  const sum = { ...a };
  for (const key of Object.keys(sum) as Array<keyof MotCounts>) sum[key] = a[key] + b[key];
  return sum;
}

function assertUniqueIds(objects: readonly MotObject[], what: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    if (seen.has(o.id)) throw new VigilError('invalid_argument', `evaluateMot: ${what} id ${o.id} appears twice in one frame`);
    seen.add(o.id);
  }
}
