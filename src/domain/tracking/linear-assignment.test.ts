import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/factories/seeded-random.ts';
import { isVigilError } from '../errors.ts';
import { costMatrix, linearAssignment, type AssignmentResult, type CostMatrix } from './linear-assignment.ts';

const matrix = (rows: number[][], cols = rows[0]?.length ?? 0): CostMatrix => ({ rows: rows.length, cols, values: rows.flat() });
const cost = (m: CostMatrix, r: number, c: number) => m.values[r * m.cols + c] as number;

/** The documented objective: matched costs plus maxCost / 2 per unmatched row and column. */
function objective(m: CostMatrix, maxCost: number, matches: ReadonlyArray<readonly [number, number]>): number {
  const unmatched = m.rows + m.cols - 2 * matches.length;
  return matches.reduce((sum, [r, c]) => sum + cost(m, r, c), 0) + (unmatched * maxCost) / 2;
}

/** Every partial one-to-one matching over allowed pairs; the best objective. */
function bruteForce(m: CostMatrix, maxCost: number): number {
  const usedCols = new Array<boolean>(m.cols).fill(false);
  const pairs: Array<[number, number]> = [];
  let best = Number.POSITIVE_INFINITY;
  const visit = (r: number) => {
    if (r === m.rows) {
      best = Math.min(best, objective(m, maxCost, pairs));
      return;
    }
    visit(r + 1);
    for (let c = 0; c < m.cols; c++) {
      if (usedCols[c] || !(cost(m, r, c) <= maxCost)) continue;
      usedCols[c] = true;
      pairs.push([r, c]);
      visit(r + 1);
      pairs.pop();
      usedCols[c] = false;
    }
  };
  visit(0);
  return best;
}

function expectWellFormed(m: CostMatrix, maxCost: number, result: AssignmentResult): void {
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (const [r, c] of result.matches) {
    expect(cost(m, r, c)).toBeLessThanOrEqual(maxCost);
    expect(rows.has(r) || cols.has(c)).toBe(false);
    rows.add(r);
    cols.add(c);
  }
  expect(result.matches.map(([r]) => r)).toEqual([...rows].sort((a, b) => a - b));
  expect(result.unmatchedRows).toEqual(Array.from({ length: m.rows }, (_, r) => r).filter((r) => !rows.has(r)));
  expect(result.unmatchedCols).toEqual(Array.from({ length: m.cols }, (_, c) => c).filter((c) => !cols.has(c)));
}

describe('linearAssignment', () => {
  it('agrees with brute force on 2,000 random matrices up to 6x6 (continuous costs and ties)', () => {
    const random = seededRandom(42);
    for (let trial = 0; trial < 2000; trial++) {
      const rows = random.int(0, 6);
      const cols = random.int(0, 6);
      const discrete = trial % 2 === 1;
      const m = costMatrix(rows, cols, () => (discrete ? random.int(0, 4) / 4 : random.uniform(0, 1)));
      const maxCost = discrete ? random.pick([0.25, 0.5, 0.75, 1]) : random.uniform(0.1, 1.2);
      const result = linearAssignment(m, maxCost);
      expectWellFormed(m, maxCost, result);
      expect(objective(m, maxCost, result.matches)).toBeCloseTo(bruteForce(m, maxCost), 9);
    }
  });

  it('agrees with brute force on sparse matrices (many forbidden pairs, several components)', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 500; trial++) {
      const rows = random.int(1, 6);
      const cols = random.int(1, 6);
      const m = costMatrix(rows, cols, () => (random.chance(0.35) ? random.uniform(0, 0.8) : Number.POSITIVE_INFINITY));
      const result = linearAssignment(m, 0.8);
      expectWellFormed(m, 0.8, result);
      expect(objective(m, 0.8, result.matches)).toBeCloseTo(bruteForce(m, 0.8), 9);
    }
  });

  it('handles negative costs (maximising a benefit)', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 300; trial++) {
      const m = costMatrix(random.int(1, 5), random.int(1, 5), () => -random.int(0, 9));
      const result = linearAssignment(m, 0);
      expect(objective(m, 0, result.matches)).toBeCloseTo(bruteForce(m, 0), 9);
    }
  });

  it('handles empty matrices', () => {
    expect(linearAssignment({ rows: 0, cols: 0, values: [] }, 1)).toEqual({ matches: [], unmatchedRows: [], unmatchedCols: [] });
    expect(linearAssignment({ rows: 0, cols: 3, values: [] }, 1)).toEqual({ matches: [], unmatchedRows: [], unmatchedCols: [0, 1, 2] });
    expect(linearAssignment({ rows: 2, cols: 0, values: [] }, 1)).toEqual({ matches: [], unmatchedRows: [0, 1], unmatchedCols: [] });
  });

  it('picks the cheapest column for one row and the cheapest row for one column', () => {
    expect(linearAssignment(matrix([[0.5, 0.2, 0.9]]), 0.8)).toEqual({ matches: [[0, 1]], unmatchedRows: [], unmatchedCols: [0, 2] });
    expect(linearAssignment(matrix([[0.5], [0.2], [0.9]]), 0.8)).toEqual({ matches: [[1, 0]], unmatchedRows: [0, 2], unmatchedCols: [] });
  });

  it('never matches pairs above the threshold, nor NaN', () => {
    expect(linearAssignment(matrix([[0.9, 0.95], [1, 0.81]]), 0.8)).toEqual({ matches: [], unmatchedRows: [0, 1], unmatchedCols: [0, 1] });
    expect(linearAssignment(matrix([[Number.NaN]]), 0.8).matches).toEqual([]);
  });

  it('prefers the global optimum over the greedy choice', () => {
    // Greedy takes (0,0) at 0.1 and then must pair (1,1) at 0.7: 0.8. Optimal: 0.2 + 0.3 = 0.5.
    expect(linearAssignment(matrix([[0.1, 0.2], [0.3, 0.7]]), 0.8).matches).toEqual([[0, 1], [1, 0]]);
  });

  it('leaves a pair unmatched when matching it costs more than leaving both free', () => {
    // Matching both: 0.1 + 0.75 = 0.85 against 0.1 + 0.8 (two free at 0.4 each) = 0.9: match both.
    expect(linearAssignment(matrix([[0.1, 0.5], [0.5, 0.75]]), 0.8).matches).toEqual([[0, 0], [1, 1]]);
    // (0,1) + (1,0) = 1.0 against (0,0) alone = 0.1 + 0.8.
    expect(linearAssignment(matrix([[0.1, 0.5], [0.5, 2]]), 0.8).matches).toEqual([[0, 0]]);
  });

  it('is deterministic on ties', () => {
    const tied = matrix([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    const first = linearAssignment(tied, 0.8);
    expect(first.matches).toHaveLength(3);
    for (let i = 0; i < 5; i++) expect(linearAssignment(tied, 0.8)).toEqual(first);
  });

  it('rejects a non-finite maxCost and a wrong number of costs', () => {
    const invalid = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isVigilError(error) && error.code === 'invalid_argument';
      }
      return false;
    };
    expect(invalid(() => linearAssignment(matrix([[1]]), Number.POSITIVE_INFINITY))).toBe(true);
    expect(invalid(() => linearAssignment({ rows: 2, cols: 2, values: [1, 2, 3] }, 1))).toBe(true);
  });

  it('solves a 60x60 tracking-like problem quickly and well-formed', () => {
    const random = seededRandom(11);
    const m = costMatrix(60, 60, (r, c) => (r === c ? random.uniform(0, 0.3) : random.chance(0.05) ? random.uniform(0.3, 0.8) : 1));
    const result = linearAssignment(m, 0.8);
    expectWellFormed(m, 0.8, result);
    expect(result.matches).toHaveLength(60);
  });
});
