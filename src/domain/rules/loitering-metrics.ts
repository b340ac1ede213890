import { distance, polygonBounds, polygonCentroid, type Point } from './polygon.ts';

/** Path samples are the mean foot point of each window of about this length. */
export const PATH_SAMPLE_INTERVAL_MS = 1000;

/** Dead band around a zone's mid-line, as a share of the longer side of its bounding box. */
export const MIDLINE_HYSTERESIS_SHARE = 0.05;

/**
 * Length of a foot-point path resampled at about 1 s: each window's points are averaged into one
 * sample, so that per-frame box jitter (which averages out) does not add up to distance walked.
 * The window still filling counts as a provisional last sample.
 */
export class ResampledPath {
  private closedLength = 0;
  private lastSample: Point | undefined;
  private windowStartMs = 0;
  private sumX = 0;
  private sumY = 0;
  private count = 0;

  add(timestampMs: number, p: Point): void {
    if (this.count > 0 && timestampMs - this.windowStartMs >= PATH_SAMPLE_INTERVAL_MS) {
      const mean = this.windowMean();
      if (this.lastSample !== undefined) this.closedLength += distance(this.lastSample, mean);
      this.lastSample = mean;
      this.count = 0;
      this.sumX = 0;
      this.sumY = 0;
    }
    if (this.count === 0) this.windowStartMs = timestampMs;
    this.sumX += p[0];
    this.sumY += p[1];
    this.count += 1;
  }

  get length(): number {
    if (this.lastSample === undefined || this.count === 0) return this.closedLength;
    return this.closedLength + distance(this.lastSample, this.windowMean());
  }

  private windowMean(): Point {
    return [this.sumX / this.count, this.sumY / this.count];
  }
}

export interface Midline {
  axis: 'x' | 'y';
  /** Coordinate of the line on `axis` (x for a vertical line, y for a horizontal one). */
  at: number;
  hysteresisPx: number;
}

/**
 * The line through the zone's centroid perpendicular to the longer side of its bounding box (a
 * vertical line when the box is at least as wide as it is tall): walking to and fro along the
 * zone crosses it.
 */
export function zoneMidline(polygon: readonly Point[]): Midline {
  const bounds = polygonBounds(polygon);
  const width = bounds.x2 - bounds.x1;
  const height = bounds.y2 - bounds.y1;
  const centroid = polygonCentroid(polygon);
  return width >= height
    ? { axis: 'x', at: centroid[0], hysteresisPx: width * MIDLINE_HYSTERESIS_SHARE }
    : { axis: 'y', at: centroid[1], hysteresisPx: height * MIDLINE_HYSTERESIS_SHARE };
}

/** Counts confirmed side changes of a point relative to a mid-line. */
export class MidlineCounter {
  private side: -1 | 1 | undefined;
  crossings = 0;

  constructor(private readonly line: Midline) {}

  add(p: Point): void {
    const d = (this.line.axis === 'x' ? p[0] : p[1]) - this.line.at;
    const side = d < -this.line.hysteresisPx ? -1 : d > this.line.hysteresisPx ? 1 : undefined;
    if (side === undefined) return;
    if (this.side !== undefined && side !== this.side) this.crossings += 1;
    this.side = side;
  }
}
