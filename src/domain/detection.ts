import { boxArea, intersectionOverUnion, type Box } from './geometry.ts';

/** One object found in one frame, in frame pixels. */
export interface Detection {
  label: string;
  score: number;
  box: Box;
}

/** Labels a camera keeps when its config does not say otherwise. */
export const DEFAULT_LABELS: readonly string[] = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'bus',
  'truck',
  'dog',
  'cat',
  'backpack',
  'handbag',
  'suitcase',
];

export interface LabelFilter {
  /** Detections scoring below this are dropped. */
  minScore: number;
  /** Detections whose box covers fewer pixels than this are dropped. */
  minArea: number;
}

export interface DetectionFilterOptions {
  defaults: LabelFilter;
  perLabel: Readonly<Record<string, Partial<LabelFilter>>>;
  /** Only these labels are kept; undefined keeps every label. */
  labels?: readonly string[];
}

export function filterFor(label: string, options: DetectionFilterOptions): LabelFilter {
  const own = options.perLabel[label];
  return {
    minScore: own?.minScore ?? options.defaults.minScore,
    minArea: own?.minArea ?? options.defaults.minArea,
  };
}

/** Drop detections of unwanted labels, below their label's score, or smaller than its area. */
export function filterDetections(detections: readonly Detection[], options: DetectionFilterOptions): Detection[] {
  const wanted = options.labels ? new Set(options.labels) : undefined;
  return detections.filter((d) => {
    if (wanted && !wanted.has(d.label)) return false;
    const f = filterFor(d.label, options);
    return d.score >= f.minScore && boxArea(d.box) >= f.minArea;
  });
}

/**
 * Greedy non-maximum suppression done separately per label, so a person standing in front of a
 * car never suppresses the car. Output is ordered by descending score (ties keep input order),
 * which keeps results deterministic.
 */
export function nonMaxSuppressionPerLabel(detections: readonly Detection[], iouThreshold: number): Detection[] {
  const order = detections
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map((x) => x.d);
  const kept: Detection[] = [];
  for (const candidate of order) {
    const overlaps = kept.some(
      (k) => k.label === candidate.label && intersectionOverUnion(k.box, candidate.box) > iouThreshold,
    );
    if (!overlaps) kept.push(candidate);
  }
  return kept;
}
