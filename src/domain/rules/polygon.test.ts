import { describe, expect, it } from 'vitest';
import {
  crossSide,
  footPoint,
  pointInPolygon,
  polygonBounds,
  polygonCentroid,
  segmentIntersection,
  signedDistanceToLine,
  type Point,
} from './polygon.ts';

const square: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];
// A "U" open at the top: the notch (4..6, 0..8) is outside.
const u: Point[] = [
  [0, 0],
  [4, 0],
  [4, 8],
  [6, 8],
  [6, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];

describe('pointInPolygon', () => {
  it('tells inside from outside', () => {
    expect(pointInPolygon([5, 5], square)).toBe(true);
    expect(pointInPolygon([11, 5], square)).toBe(false);
    expect(pointInPolygon([-0.001, 5], square)).toBe(false);
  });

  it('counts points on an edge or a corner as inside', () => {
    expect(pointInPolygon([10, 5], square)).toBe(true);
    expect(pointInPolygon([5, 0], square)).toBe(true);
    expect(pointInPolygon([0, 0], square)).toBe(true);
    expect(pointInPolygon([10, 10], square)).toBe(true);
  });

  it('handles concave polygons', () => {
    expect(pointInPolygon([5, 4], u)).toBe(false);
    expect(pointInPolygon([5, 9], u)).toBe(true);
    expect(pointInPolygon([2, 4], u)).toBe(true);
    expect(pointInPolygon([5, 8], u)).toBe(true);
  });

  it('is false for a degenerate polygon', () => {
    expect(
      pointInPolygon(
        [0, 0],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toBe(false);
  });
});

describe('segmentIntersection', () => {
  it('returns the crossing point', () => {
    expect(segmentIntersection([5, -5], [5, 5], [0, 0], [10, 0])).toEqual([5, 0]);
    expect(segmentIntersection([0, 0], [10, 10], [0, 10], [10, 0])).toEqual([5, 5]);
  });

  it('includes end points', () => {
    expect(segmentIntersection([10, -5], [10, 5], [0, 0], [10, 0])).toEqual([10, 0]);
  });

  it('is undefined beside the end of a segment and for parallel segments', () => {
    expect(segmentIntersection([12, -5], [12, 5], [0, 0], [10, 0])).toBeUndefined();
    expect(segmentIntersection([0, 1], [10, 1], [0, 0], [10, 0])).toBeUndefined();
    expect(segmentIntersection([0, 0], [5, 0], [2, 0], [10, 0])).toBeUndefined();
  });
});

describe('sides of a directed line', () => {
  it('is negative above a left-to-right line on screen (y grows downward)', () => {
    expect(crossSide([0, 0], [10, 0], [5, -1])).toBeLessThan(0);
    expect(crossSide([0, 0], [10, 0], [5, 1])).toBeGreaterThan(0);
    expect(crossSide([0, 0], [10, 0], [20, 0])).toBe(0);
  });

  it('gives the signed distance in pixels', () => {
    expect(signedDistanceToLine([0, 0], [10, 0], [3, -4])).toBe(-4);
    expect(signedDistanceToLine([0, 0], [3, 4], [4, -3])).toBe(-5);
  });
});

describe('centroid, bounds and foot point', () => {
  it('computes the area centroid', () => {
    expect(polygonCentroid(square)).toEqual([5, 5]);
    expect(
      polygonCentroid([
        [0, 0],
        [6, 0],
        [0, 6],
      ]),
    ).toEqual([2, 2]);
    // Clockwise order gives the same centroid.
    expect(polygonCentroid([...square].reverse())).toEqual([5, 5]);
  });

  it('falls back to the corner mean without area', () => {
    expect(
      polygonCentroid([
        [0, 0],
        [2, 2],
        [4, 4],
      ]),
    ).toEqual([2, 2]);
  });

  it('computes bounds and the bottom-centre of a box', () => {
    expect(polygonBounds(u)).toEqual({ x1: 0, y1: 0, x2: 10, y2: 10 });
    expect(footPoint({ x1: 10, y1: 20, x2: 30, y2: 80 })).toEqual([20, 80]);
  });
});
