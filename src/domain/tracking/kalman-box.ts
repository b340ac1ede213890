import type { Box } from '../geometry.ts';

/**
 * Constant-velocity Kalman filter on one box, as ByteTrack's `KalmanFilter` (after SORT/DeepSORT):
 * state [cx, cy, a, h, vcx, vcy, va, vh] with a = width / height, measurement [cx, cy, a, h].
 * Process and measurement noise scale with the box height, so a large (near) box may move more
 * pixels per step than a small (far) one. Time is counted in tracker updates, not milliseconds:
 * the detector runs irregularly (idle frames are skipped) and the filter only sees its results.
 *
 * The 8x8 / 4x4 algebra is written out by hand: the domain layer imports no packages, and the
 * structure (H = [I 0], F = [I I; 0 I]) lets every product skip the zero blocks.
 */

const STD_WEIGHT_POSITION = 1 / 20;
/**
 * The velocity's noise weight: 1/120, against ByteTrack's 1/160. ByteTrack's weights are for 30
 * fps video; Vigil samples 5 frames a second, so a person's speed changes far more between two
 * updates (turning back, stopping), and with 1/160 the filter keeps walking a person who turned:
 * the predicted box falls below match_iou and the person gets a new id. Measured on the bundled
 * street clip against 26 footpath crossings labelled by hand (bench:accuracy): 1/160 finds 22,
 * 1/120 23, 1/100 and 1/80 all 26; but from 1/100 on, a standing person at the entrance loses
 * their track to a passer-by and two people loitering together become one. 1/120 keeps them apart.
 */
export const DEFAULT_VELOCITY_WEIGHT = 1 / 120;
/** ByteTrack's own velocity weight, for 30 fps video (the tracker before Vigil changed it). */
export const BYTETRACK_VELOCITY_WEIGHT = 1 / 160;
/**
 * Noise is proportional to the height; a degenerate (zero-height) box would make the innovation
 * covariance singular, so the height used for noise never drops below one pixel.
 */
const MIN_NOISE_HEIGHT = 1;

const N = 8;

export interface BoxMeasurement {
  cx: number;
  cy: number;
  a: number;
  h: number;
}

export function boxToMeasurement(box: Box): BoxMeasurement {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return { cx: (box.x1 + box.x2) / 2, cy: (box.y1 + box.y2) / 2, a: h > 0 ? w / h : 0, h };
}

export function measurementToBox(m: BoxMeasurement): Box {
  const w = m.a * m.h;
  return { x1: m.cx - w / 2, y1: m.cy - m.h / 2, x2: m.cx + w / 2, y2: m.cy + m.h / 2 };
}

/** A KalmanBox's state at one moment. */
export interface KalmanSnapshot {
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
}

const noiseHeight = (h: number): number => Math.max(h, MIN_NOISE_HEIGHT);

/** One box's filter state. Mutable for speed; every operation is deterministic. */
export class KalmanBox {
  /** [cx, cy, a, h, vcx, vcy, va, vh]. */
  readonly mean = new Float64Array(N);
  /** Row-major 8x8 covariance. */
  readonly covariance = new Float64Array(N * N);
  /**
   * Work space reused by every update: allocating typed arrays per call made an update six
   * times slower (Node 20), and a tracker runs about fifty of them per frame.
   */
  private readonly scratch = {
    S: new Float64Array(16),
    L: new Float64Array(16),
    K: new Float64Array(N * 4),
    next: new Float64Array(N * N),
  };

  /** `velocityWeight`: the velocity's noise as a share of the box height (DEFAULT_VELOCITY_WEIGHT). */
  constructor(
    box: Box,
    private readonly velocityWeight = DEFAULT_VELOCITY_WEIGHT,
  ) {
    const m = boxToMeasurement(box);
    this.mean.set([m.cx, m.cy, m.a, m.h, 0, 0, 0, 0]);
    const h = noiseHeight(m.h);
    const p = 2 * STD_WEIGHT_POSITION * h;
    const v = 10 * this.velocityWeight * h;
    const std = [p, p, 1e-2, p, v, v, 1e-5, v];
    for (let i = 0; i < N; i++) this.covariance[i * N + i] = (std[i] as number) ** 2;
  }

  /**
   * A copy of the state (mean and covariance), to come back to with `restore`; written into
   * `into` when given, so that a tracker saving it on every update allocates nothing.
   */
  snapshot(into: KalmanSnapshot = { mean: new Float64Array(N), covariance: new Float64Array(N * N) }): KalmanSnapshot {
    into.mean.set(this.mean);
    into.covariance.set(this.covariance);
    return into;
  }

  /** Go back to a state taken by `snapshot` (of any KalmanBox). */
  restore(snapshot: KalmanSnapshot): void {
    this.mean.set(snapshot.mean);
    this.covariance.set(snapshot.covariance);
  }

  /** The filter's current estimate as a box. */
  box(): Box {
    const s = this.mean;
    return measurementToBox({ cx: s[0] as number, cy: s[1] as number, a: s[2] as number, h: s[3] as number });
  }

  /**
   * Advance one tracker update. `freezeHeightVelocity` zeroes vh first, as ByteTrack does for
   * tracks that are not currently matched: a lost box should drift, not grow or shrink without end.
   */
  predict(freezeHeightVelocity = false): void {
    const x = this.mean;
    if (freezeHeightVelocity) x[7] = 0;
    const h = noiseHeight(x[3] as number);
    // x = F x
    for (let i = 0; i < 4; i++) x[i] = (x[i] as number) + (x[i + 4] as number);
    // P = F P F^T + Q, with F = [I I; 0 I]: (F P)[i] = P[i] + P[i+4] for i < 4, then the same on columns.
    const P = this.covariance;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < N; j++) P[i * N + j] = (P[i * N + j] as number) + (P[(i + 4) * N + j] as number);
    }
    for (let j = 0; j < 4; j++) {
      for (let i = 0; i < N; i++) P[i * N + j] = (P[i * N + j] as number) + (P[i * N + j + 4] as number);
    }
    const p = STD_WEIGHT_POSITION * h;
    const v = this.velocityWeight * h;
    const q = [p * p, p * p, 1e-4, p * p, v * v, v * v, 1e-10, v * v];
    for (let i = 0; i < N; i++) P[i * N + i] = (P[i * N + i] as number) + (q[i] as number);
  }

  /**
   * OC-SORT's observation-centric re-update, for a box seen again at `to` after `missed` updates
   * without it: back to `observed` (the state right after the update with `from`), then one
   * predict and update per missed update with boxes on the straight line from `from` to `to`, and
   * the real update with `to` last. The velocity then comes from where the object was seen, not
   * from the filter's guesses while it was not.
   */
  reUpdate(observed: KalmanSnapshot, from: Box, to: Box, missed: number): void {
    this.restore(observed);
    for (let i = 1; i <= missed; i++) {
      const f = i / (missed + 1);
      this.predict();
      this.update({ x1: from.x1 + (to.x1 - from.x1) * f, y1: from.y1 + (to.y1 - from.y1) * f, x2: from.x2 + (to.x2 - from.x2) * f, y2: from.y2 + (to.y2 - from.y2) * f });
    }
    this.predict();
    this.update(to);
  }

  /** Correct the state with a measured box. */
  update(box: Box): void {
    const z = boxToMeasurement(box);
    const x = this.mean;
    const P = this.covariance;
    const p = STD_WEIGHT_POSITION * noiseHeight(x[3] as number);
    const r = [p * p, p * p, 1e-2, p * p];

    // S = H P H^T + R: the top-left 4x4 block of P plus measurement noise; factor S = L L^T.
    const { S, L, K, next } = this.scratch;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) S[i * 4 + j] = P[i * N + j] as number;
      S[i * 4 + i] = (S[i * 4 + i] as number) + (r[i] as number);
    }
    cholesky4(S, L);

    // K = P H^T S^-1, one row at a time: S k_i = (P H^T)_i, P H^T being P's first four columns.
    for (let i = 0; i < N; i++) solveCholesky4(L, P, i * N, K, i * 4);

    const innovation = [z.cx - (x[0] as number), z.cy - (x[1] as number), z.a - (x[2] as number), z.h - (x[3] as number)];
    for (let i = 0; i < N; i++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += (K[i * 4 + k] as number) * (innovation[k] as number);
      x[i] = (x[i] as number) + sum;
    }

    // P = P - K S K^T = P - K (H P), where H P is P's first four rows. The result is symmetric;
    // computing the upper triangle and mirroring it keeps rounding from making it otherwise.
    for (let i = 0; i < N; i++) {
      for (let j = i; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += (K[i * 4 + k] as number) * (P[k * N + j] as number);
        next[i * N + j] = (P[i * N + j] as number) - sum;
      }
    }
    for (let i = 0; i < N; i++) {
      for (let j = i; j < N; j++) {
        const v = next[i * N + j] as number;
        P[i * N + j] = v;
        P[j * N + i] = v;
      }
    }
  }
}

/** Lower-triangular L with L L^T = S, for a symmetric positive-definite 4x4 S (row-major); writes L's lower triangle. */
function cholesky4(S: Float64Array, L: Float64Array): void {
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = S[i * 4 + j] as number;
      for (let k = 0; k < j; k++) sum -= (L[i * 4 + k] as number) * (L[j * 4 + k] as number);
      L[i * 4 + j] = i === j ? Math.sqrt(sum) : sum / (L[j * 4 + j] as number);
    }
  }
}

/** Solve L L^T y = b, b being the four values of `source` from `from`; y goes to `target` at `to`. */
function solveCholesky4(L: Float64Array, source: Float64Array, from: number, target: Float64Array, to: number): void {
  for (let i = 0; i < 4; i++) {
    let sum = source[from + i] as number;
    for (let k = 0; k < i; k++) sum -= (L[i * 4 + k] as number) * (target[to + k] as number);
    target[to + i] = sum / (L[i * 4 + i] as number);
  }
  for (let i = 3; i >= 0; i--) {
    let sum = target[to + i] as number;
    for (let k = i + 1; k < 4; k++) sum -= (L[k * 4 + i] as number) * (target[to + k] as number);
    target[to + i] = sum / (L[i * 4 + i] as number);
  }
}
