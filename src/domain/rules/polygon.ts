import type { Box } from '../geometry.ts';

/** A point in frame pixels: [x, y], y growing downward. */
export type Point = readonly [number, number];

/** Tolerance for "on the edge" tests, in pixels. */
const EPSILON = 1e-9;

/** z of (b - a) x (p - a): < 0 and > 0 are the two sides of the directed line a -> b, 0 is on it. */
export function crossSide(a: Point, b: Point, p: Point): number {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

/** `crossSide` divided by the length of a -> b: the signed distance of p from the line in pixels. */
export function signedDistanceToLine(a: Point, b: Point, p: Point): number {
  const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
  return length === 0 ? 0 : crossSide(a, b, p) / length;
}

export function distance(p: Point, q: Point): number {
  return Math.hypot(q[0] - p[0], q[1] - p[1]);
}

function onSegment(p: Point, a: Point, b: Point): boolean {
  if (Math.abs(crossSide(a, b, p)) > EPSILON * Math.max(1, distance(a, b))) return false;
  return (
    p[0] >= Math.min(a[0], b[0]) - EPSILON &&
    p[0] <= Math.max(a[0], b[0]) + EPSILON &&
    p[1] >= Math.min(a[1], b[1]) - EPSILON &&
    p[1] <= Math.max(a[1], b[1]) + EPSILON
  );
}

/** Even-odd test; points on an edge or a corner count as inside. */
export function pointInPolygon(p: Point, polygon: readonly Point[]): boolean {
  const n = polygon.length;
  if (n < 3) return false;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = polygon[i] as Point;
    const b = polygon[j] as Point;
    if (onSegment(p, a, b)) return true;
    if (a[1] > p[1] !== b[1] > p[1]) {
      const x = a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (p[0] < x) inside = !inside;
    }
  }
  return inside;
}

/**
 * Where segment p1-p2 meets segment q1-q2 (end points included), or undefined when they do not
 * meet. Parallel segments, even overlapping ones, give undefined: a path running along a line
 * never goes from one side of it to the other.
 */
export function segmentIntersection(p1: Point, p2: Point, q1: Point, q2: Point): Point | undefined {
  const rx = p2[0] - p1[0];
  const ry = p2[1] - p1[1];
  const sx = q2[0] - q1[0];
  const sy = q2[1] - q1[1];
  const denom = rx * sy - ry * sx;
  if (Math.abs(denom) < EPSILON) return undefined;
  const qpx = q1[0] - p1[0];
  const qpy = q1[1] - p1[1];
  const t = (qpx * sy - qpy * sx) / denom;
  const u = (qpx * ry - qpy * rx) / denom;
  if (t < -EPSILON || t > 1 + EPSILON || u < -EPSILON || u > 1 + EPSILON) return undefined;
  return [p1[0] + t * rx, p1[1] + t * ry];
}

/** Area-weighted centroid; the mean of the corners when the polygon has no area. */
export function polygonCentroid(polygon: readonly Point[]): Point {
  let area2 = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[j] as Point;
    const b = polygon[i] as Point;
    const cross = a[0] * b[1] - b[0] * a[1];
    area2 += cross;
    cx += (a[0] + b[0]) * cross;
    cy += (a[1] + b[1]) * cross;
  }
  if (Math.abs(area2) < EPSILON) {
    const n = Math.max(1, polygon.length);
    const sx = polygon.reduce((s, p) => s + p[0], 0);
    const sy = polygon.reduce((s, p) => s + p[1], 0);
    return [sx / n, sy / n];
  }
  return [cx / (3 * area2), cy / (3 * area2)];
}

export function polygonBounds(polygon: readonly Point[]): Box {
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}

/** Bottom-centre of a box: where a standing person or a vehicle touches the ground. */
export function footPoint(box: Box): Point {
  return [(box.x1 + box.x2) / 2, box.y2];
}
