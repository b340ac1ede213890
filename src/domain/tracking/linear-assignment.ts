import { VigilError } from '../errors.ts';

/**
 * Optimal rectangular assignment with a cost limit, the problem ByteTrack hands to
 * `lap.lapjv(cost, extend_cost=True, cost_limit=thresh)`:
 *
 *   minimise  sum of cost[r][c] over matched pairs + maxCost / 2 for every unmatched row and column
 *
 * i.e. a pair is worth matching only while its cost stays under maxCost; pairs costing more than
 * maxCost (and NaN) never match; a pair costing exactly maxCost gains nothing either way.
 * Passing a maxCost far above every cost turns this into "most matches first, then least total
 * cost", the CLEAR-MOT matching.
 *
 * Solved exactly by the shortest augmenting path method (Jonker-Volgenant / Crouse 2016, as in
 * scipy's linear_sum_assignment), O(n^3), on the matrix extended with dummy rows and columns.
 * The bipartite graph of allowed pairs is first split into connected components: the objective
 * is a sum over components, and in tracking they are tiny (a track overlaps one or two
 * detections), so 50 tracks cost 50 one-by-one problems instead of one 100x100 one.
 * Deterministic: the same matrix always gives the same answer.
 */

export interface CostMatrix {
  rows: number;
  cols: number;
  /** Row-major, `rows * cols` entries. */
  values: ArrayLike<number>;
}

export interface AssignmentResult {
  /** [row, col] pairs, ordered by row. */
  matches: Array<[number, number]>;
  unmatchedRows: number[];
  unmatchedCols: number[];
}

export function costMatrix(rows: number, cols: number, cost: (row: number, col: number) => number): CostMatrix {
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = cost(r, c);
  }
  return { rows, cols, values };
}

export function linearAssignment(matrix: CostMatrix, maxCost: number): AssignmentResult {
  const { rows, cols, values } = matrix;
  if (!Number.isFinite(maxCost)) {
    throw new VigilError('invalid_argument', `linearAssignment: maxCost must be finite, got ${maxCost}`);
  }
  if (values.length !== rows * cols) {
    throw new VigilError('invalid_argument', `linearAssignment: expected ${rows * cols} costs, got ${values.length}`);
  }
  const allowed = (r: number, c: number): boolean => (values[r * cols + c] as number) <= maxCost;

  // Union-find over rows (0..rows-1) and columns (rows..rows+cols-1).
  const parent = Array.from({ length: rows + cols }, (_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[i] !== root) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!allowed(r, c)) continue;
      const a = find(r);
      const b = find(rows + c);
      // Lower index as root keeps component discovery order independent of edge order.
      if (a < b) parent[b] = a;
      else if (b < a) parent[a] = b;
    }
  }

  const componentRows = new Map<number, number[]>();
  const componentCols = new Map<number, number[]>();
  for (let r = 0; r < rows; r++) push(componentRows, find(r), r);
  for (let c = 0; c < cols; c++) push(componentCols, find(rows + c), c);

  const matches: Array<[number, number]> = [];
  const rowMatched = new Uint8Array(rows);
  const colMatched = new Uint8Array(cols);
  // Map iteration follows insertion order, which is ascending row index: deterministic.
  for (const [root, compRows] of componentRows) {
    const compCols = componentCols.get(root);
    if (!compCols) continue;
    if (compRows.length === 1 && compCols.length === 1) {
      const r = compRows[0] as number;
      const c = compCols[0] as number;
      matches.push([r, c]);
      rowMatched[r] = 1;
      colMatched[c] = 1;
      continue;
    }
    for (const [r, c] of solveComponent(values, cols, compRows, compCols, maxCost)) {
      matches.push([r, c]);
      rowMatched[r] = 1;
      colMatched[c] = 1;
    }
  }
  matches.sort((a, b) => a[0] - b[0]);
  const unmatchedRows: number[] = [];
  for (let r = 0; r < rows; r++) if (!rowMatched[r]) unmatchedRows.push(r);
  const unmatchedCols: number[] = [];
  for (let c = 0; c < cols; c++) if (!colMatched[c]) unmatchedCols.push(c);
  return { matches, unmatchedRows, unmatchedCols };
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * One component as a square problem of size nr + nc: real block, dummy columns for rows left
 * unmatched (maxCost / 2 each), dummy rows for columns left unmatched (maxCost / 2), and a zero
 * block pairing dummies with dummies. Costs are shifted to be non-negative, which changes every
 * perfect matching by the same amount and so not the optimum.
 */
function solveComponent(
  values: ArrayLike<number>,
  cols: number,
  compRows: readonly number[],
  compCols: readonly number[],
  maxCost: number,
): Array<[number, number]> {
  const nr = compRows.length;
  const nc = compCols.length;
  const n = nr + nc;
  const half = maxCost / 2;
  const cost = new Float64Array(n * n);
  let min = Math.min(half, 0);
  for (let i = 0; i < nr; i++) {
    const r = compRows[i] as number;
    for (let j = 0; j < nc; j++) {
      const v = values[r * cols + (compCols[j] as number)] as number;
      const c = v <= maxCost ? v : Number.POSITIVE_INFINITY;
      cost[i * n + j] = c;
      if (c < min) min = c;
    }
    for (let j = nc; j < n; j++) cost[i * n + j] = half;
  }
  for (let i = nr; i < n; i++) {
    for (let j = 0; j < nc; j++) cost[i * n + j] = half;
    for (let j = nc; j < n; j++) cost[i * n + j] = 0;
  }
  if (min < 0) for (let k = 0; k < cost.length; k++) cost[k] = (cost[k] as number) - min;

  const col4row = solveSquare(cost, n);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < nr; i++) {
    const j = col4row[i] as number;
    if (j < nc) pairs.push([compRows[i] as number, compCols[j] as number]);
  }
  return pairs;
}

/**
 * Shortest augmenting path assignment on a square matrix with non-negative entries (Infinity
 * marks a forbidden pair; the dummy blocks guarantee a finite perfect matching exists).
 * Returns the column of every row.
 */
function solveSquare(cost: Float64Array, n: number): Int32Array {
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  const shortest = new Float64Array(n);
  const path = new Int32Array(n).fill(-1);
  const col4row = new Int32Array(n).fill(-1);
  const row4col = new Int32Array(n).fill(-1);
  const visitedRow = new Uint8Array(n);
  const visitedCol = new Uint8Array(n);
  const remaining = new Int32Array(n);

  for (let curRow = 0; curRow < n; curRow++) {
    // Dijkstra over reduced costs from curRow to the nearest free column.
    let minVal = 0;
    let numRemaining = n;
    for (let it = 0; it < n; it++) remaining[it] = n - it - 1;
    visitedRow.fill(0);
    visitedCol.fill(0);
    shortest.fill(Number.POSITIVE_INFINITY);
    let sink = -1;
    let i = curRow;
    while (sink === -1) {
      let index = -1;
      let lowest = Number.POSITIVE_INFINITY;
      visitedRow[i] = 1;
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it] as number;
        const reduced = minVal + (cost[i * n + j] as number) - (u[i] as number) - (v[j] as number);
        if (reduced < (shortest[j] as number)) {
          path[j] = i;
          shortest[j] = reduced;
        }
        const s = shortest[j] as number;
        if (s < lowest || (s === lowest && row4col[j] === -1)) {
          lowest = s;
          index = it;
        }
      }
      minVal = lowest;
      if (index === -1 || minVal === Number.POSITIVE_INFINITY) {
        throw new VigilError('invalid_argument', 'linearAssignment: no feasible assignment');
      }
      const j = remaining[index] as number;
      if (row4col[j] === -1) sink = j;
      else i = row4col[j] as number;
      visitedCol[j] = 1;
      numRemaining--;
      remaining[index] = remaining[numRemaining] as number;
    }

    // Update the dual variables.
    u[curRow] = (u[curRow] as number) + minVal;
    for (let r = 0; r < n; r++) {
      if (visitedRow[r] && r !== curRow) {
        u[r] = (u[r] as number) + minVal - (shortest[col4row[r] as number] as number);
      }
    }
    for (let c = 0; c < n; c++) {
      if (visitedCol[c]) v[c] = (v[c] as number) - minVal + (shortest[c] as number);
    }

    // Augment along the path back to curRow.
    let j = sink;
    for (;;) {
      const r = path[j] as number;
      row4col[j] = r;
      const previous = col4row[r] as number;
      col4row[r] = j;
      j = previous;
      if (r === curRow) break;
    }
  }
  return col4row;
}
