import { describe, expect, it } from 'vitest';
import type { Box } from '../geometry.ts';
import { boxToMeasurement, KalmanBox, measurementToBox } from './kalman-box.ts';

type Matrix = number[][];

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
const zeros = (r: number, c: number): Matrix => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const identity = (n: number): Matrix => zeros(n, n).map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
const at = (m: Matrix, i: number, j: number): number => m[i]?.[j] as number;
const mul = (a: Matrix, b: Matrix): Matrix =>
  a.map((_, i) => (b[0] ?? []).map((_, j) => a[0]!.reduce((sum, _, k) => sum + at(a, i, k) * at(b, k, j), 0)));
const transpose = (a: Matrix): Matrix => (a[0] ?? []).map((_, j) => a.map((row) => row[j] as number));
const add = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v + at(b, i, j)));
const sub = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v - at(b, i, j)));
const diag = (values: number[]): Matrix => identity(values.length).map((row, i) => row.map((v) => v * (values[i] as number)));
const fromFlat = (flat: Float64Array, n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from(flat.slice(i * n, i * n + n)));
const column = (v: ArrayLike<number>): Matrix => Array.from(v, (x) => [x]);

/** The textbook Kalman equations on full matrices, as ByteTrack's numpy code writes them (with Vigil's velocity weight, 1/120). */
class ReferenceFilter {
  mean: Matrix;
  cov: Matrix;
  private readonly F = add(identity(8), zeros(8, 8).map((row, i) => row.map((_, j) => (j === i + 4 ? 1 : 0))));
  private readonly H = identity(8).slice(0, 4);

  constructor(b: Box) {
    const m = boxToMeasurement(b);
    this.mean = column([m.cx, m.cy, m.a, m.h, 0, 0, 0, 0]);
    const p = 2 * (1 / 20) * m.h;
    const v = 10 * (1 / 120) * m.h;
    this.cov = diag([p, p, 1e-2, p, v, v, 1e-5, v].map((s) => s * s));
  }

  predict(): void {
    const h = at(this.mean, 3, 0);
    const p = h / 20;
    const v = h / 120;
    const Q = diag([p, p, 1e-2, p, v, v, 1e-5, v].map((s) => s * s));
    this.mean = mul(this.F, this.mean);
    this.cov = add(mul(mul(this.F, this.cov), transpose(this.F)), Q);
  }

  update(b: Box): void {
    const m = boxToMeasurement(b);
    const h = at(this.mean, 3, 0);
    const R = diag([h / 20, h / 20, 1e-1, h / 20].map((s) => s * s));
    const S = add(mul(mul(this.H, this.cov), transpose(this.H)), R);
    const Sinv = invertGeneric(S);
    const K = mul(mul(this.cov, transpose(this.H)), Sinv);
    const innovation = sub(column([m.cx, m.cy, m.a, m.h]), mul(this.H, this.mean));
    this.mean = add(this.mean, mul(K, innovation));
    this.cov = sub(this.cov, mul(mul(K, S), transpose(K)));
  }
}

function invertGeneric(m: Matrix): Matrix {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...identity(n)[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(at(a, r, c)) > Math.abs(at(a, p, c))) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = at(a, c, c);
    a[c] = a[c]!.map((v) => v / d);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = at(a, r, c);
      a[r] = a[r]!.map((v, j) => v - f * at(a, c, j));
    }
  }
  return a.map((row) => row.slice(n));
}

function expectClose(actual: Matrix, expected: Matrix): void {
  expected.forEach((row, i) =>
    row.forEach((v, j) => expect(Math.abs(at(actual, i, j) - v)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)))),
  );
}

describe('KalmanBox', () => {
  it('starts at the box with zero velocity and ByteTrack initial covariance', () => {
    const k = new KalmanBox(box(100, 200, 140, 300));
    expect(Array.from(k.mean)).toEqual([120, 250, 0.4, 100, 0, 0, 0, 0]);
    // std position 2 * h / 20 = 10, std velocity 10 * h / 120 = 8.33
    const variances = Array.from({ length: 8 }, (_, i) => k.covariance[i * 8 + i]);
    expect(variances[0]).toBeCloseTo(100, 12);
    expect(variances[3]).toBeCloseTo(100, 12);
    expect(variances[2]).toBeCloseTo(1e-4, 15);
    expect(variances[4]).toBeCloseTo((1000 / 120) ** 2, 10);
    expect(variances[6]).toBeCloseTo(1e-10, 20);
    expect(k.box()).toEqual(box(100, 200, 140, 300));
  });

  it('matches the full-matrix Kalman equations over predict/update cycles', () => {
    const boxes: Box[] = Array.from({ length: 12 }, (_, t) =>
      box(50 + 5 * t + (t % 3), 100 + 1.5 * t, 90 + 5 * t - (t % 2), 200 + 2 * t + (t % 4)),
    );
    const fast = new KalmanBox(boxes[0]!);
    const reference = new ReferenceFilter(boxes[0]!);
    for (const b of boxes.slice(1)) {
      fast.predict();
      reference.predict();
      expectClose(column(fast.mean), reference.mean);
      expectClose(fromFlat(fast.covariance, 8), reference.cov);
      fast.update(b);
      reference.update(b);
      expectClose(column(fast.mean), reference.mean);
      expectClose(fromFlat(fast.covariance, 8), reference.cov);
    }
  });

  it('learns a constant velocity and extrapolates it', () => {
    const k = new KalmanBox(box(0, 0, 40, 100));
    for (let t = 1; t <= 60; t++) {
      k.predict();
      k.update(box(6 * t, 2 * t, 40 + 6 * t, 100 + 2 * t));
    }
    expect(k.mean[4]).toBeCloseTo(6, 1);
    expect(k.mean[5]).toBeCloseTo(2, 1);
    for (let t = 61; t <= 65; t++) k.predict();
    const predicted = k.box();
    expect(predicted.x1).toBeCloseTo(6 * 65, 0);
    expect(predicted.y2).toBeCloseTo(100 + 2 * 65, 0);
  });

  it('stops the height from drifting while frozen (lost tracks)', () => {
    const k = new KalmanBox(box(0, 0, 40, 100));
    for (let t = 1; t <= 10; t++) {
      k.predict();
      k.update(box(0, 0, 40 + 0.4 * 5 * t, 100 + 5 * t));
    }
    const h = k.mean[3] as number;
    k.predict(true);
    k.predict(true);
    expect(k.mean[3]).toBeCloseTo(h, 9);
  });

  it('re-updated after a gap, ends as if it had seen the box move in a straight line through it', () => {
    // 10 px a step for 30 steps (last seen at x = 300), then unseen for 8 steps while stopping,
    // seen again at x = 318.
    const walk = () => {
      const k = new KalmanBox(box(0, 0, 40, 100));
      for (let t = 1; t <= 30; t++) {
        k.predict();
        k.update(box(10 * t, 0, 10 * t + 40, 100));
      }
      return k;
    };
    const [plain, reUpdated, sawItAll] = [walk(), walk(), walk()];
    const observed = reUpdated.snapshot();
    const seenAgain = box(318, 0, 358, 100);
    for (let i = 0; i < 9; i++) {
      plain.predict(true);
      reUpdated.predict(true);
    }
    plain.update(seenAgain);
    reUpdated.reUpdate(observed, box(300, 0, 340, 100), seenAgain, 8);
    for (let i = 1; i <= 9; i++) {
      sawItAll.predict();
      sawItAll.update(box(300 + 2 * i, 0, 340 + 2 * i, 100));
    }
    for (let i = 0; i < 8; i++) expect(reUpdated.mean[i]).toBeCloseTo(sawItAll.mean[i] as number, 9);
    expect(Array.from(reUpdated.covariance)).toEqual(Array.from(sawItAll.covariance));
    // The plain update differs: it starts from the filter's guesses while the box was unseen.
    expect(Math.abs((plain.mean[4] as number) - (reUpdated.mean[4] as number))).toBeGreaterThan(0.01);
  });

  it('survives a zero-height box without producing NaN', () => {
    const k = new KalmanBox(box(10, 10, 20, 10));
    k.predict();
    k.update(box(10, 10, 20, 10));
    expect(Array.from(k.mean).every(Number.isFinite)).toBe(true);
  });
});

describe('box <-> measurement', () => {
  it('round-trips', () => {
    const b = box(12.5, 7, 52.5, 107);
    expect(measurementToBox(boxToMeasurement(b))).toEqual(b);
  });
});
