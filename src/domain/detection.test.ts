import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LABELS,
  filterDetections,
  filterFor,
  nonMaxSuppressionPerLabel,
  type Detection,
  type DetectionFilterOptions,
} from './detection.ts';
import { intersectionOverUnion, type Box } from './geometry.ts';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
const det = (label: string, score: number, b: Box): Detection => ({ label, score, box: b });

/** A 10x10 box (area 100) at the origin, handy where only the label and score matter. */
const unit = box(0, 0, 10, 10);

describe('DEFAULT_LABELS', () => {
  it('includes the everyday classes a camera cares about', () => {
    expect(DEFAULT_LABELS).toEqual(expect.arrayContaining(['person', 'car', 'bicycle', 'dog', 'cat']));
    expect(new Set(DEFAULT_LABELS).size).toBe(DEFAULT_LABELS.length);
  });
});

describe('filterFor', () => {
  const options: DetectionFilterOptions = {
    defaults: { minScore: 0.5, minArea: 100 },
    perLabel: { car: { minScore: 0.7 }, person: { minArea: 400 }, dog: { minScore: 0.3, minArea: 10 } },
  };

  it('uses the defaults for a label with no override', () => {
    expect(filterFor('truck', options)).toEqual({ minScore: 0.5, minArea: 100 });
  });

  it('overrides only the fields a label sets', () => {
    expect(filterFor('car', options)).toEqual({ minScore: 0.7, minArea: 100 });
    expect(filterFor('person', options)).toEqual({ minScore: 0.5, minArea: 400 });
    expect(filterFor('dog', options)).toEqual({ minScore: 0.3, minArea: 10 });
  });

  it('keeps an explicit 0 override instead of falling back to the default', () => {
    const zero: DetectionFilterOptions = { defaults: { minScore: 0.5, minArea: 100 }, perLabel: { cat: { minScore: 0, minArea: 0 } } };
    expect(filterFor('cat', zero)).toEqual({ minScore: 0, minArea: 0 });
  });
});

describe('filterDetections', () => {
  const base: DetectionFilterOptions = { defaults: { minScore: 0.5, minArea: 0 }, perLabel: {} };

  it('keeps only labels in the allow-list, in input order', () => {
    const input = [det('person', 0.9, unit), det('kite', 0.9, unit), det('car', 0.8, unit), det('person', 0.6, unit)];
    const out = filterDetections(input, { ...base, labels: ['person', 'car'] });
    expect(out).toEqual([input[0], input[2], input[3]]);
  });

  it('keeps every label when no allow-list is given', () => {
    const input = [det('kite', 0.9, unit), det('zebra', 0.9, unit)];
    expect(filterDetections(input, base)).toEqual(input);
  });

  it('drops everything with an empty allow-list', () => {
    expect(filterDetections([det('person', 0.99, unit)], { ...base, labels: [] })).toEqual([]);
  });

  it('applies the default minimum score, keeping a score exactly at the minimum', () => {
    const input = [det('car', 0.49, unit), det('car', 0.5, unit), det('car', 0.51, unit)];
    expect(filterDetections(input, base).map((d) => d.score)).toEqual([0.5, 0.51]);
  });

  it('lets a per-label minimum score override the default both ways', () => {
    const options: DetectionFilterOptions = {
      defaults: { minScore: 0.5, minArea: 0 },
      perLabel: { car: { minScore: 0.8 }, person: { minScore: 0.3 } },
    };
    const input = [
      det('car', 0.7, unit), // above the default, below its own 0.8: dropped
      det('car', 0.85, unit),
      det('person', 0.35, unit), // below the default, above its own 0.3: kept
      det('person', 0.25, unit),
      det('dog', 0.45, unit), // default applies: dropped
      det('dog', 0.55, unit),
    ];
    expect(filterDetections(input, options)).toEqual([input[1], input[2], input[5]]);
  });

  it('drops boxes smaller than the minimum area, keeping one exactly at it', () => {
    const options: DetectionFilterOptions = { defaults: { minScore: 0, minArea: 100 }, perLabel: {} };
    const input = [
      det('car', 0.9, box(0, 0, 9, 11)), // 99
      det('car', 0.9, box(0, 0, 10, 10)), // 100
      det('car', 0.9, box(0, 0, 20, 20)), // 400
      det('car', 0.9, box(10, 10, 0, 0)), // inverted: 0
    ];
    expect(filterDetections(input, options)).toEqual([input[1], input[2]]);
  });

  it('applies a per-label minimum area', () => {
    const options: DetectionFilterOptions = {
      defaults: { minScore: 0, minArea: 100 },
      perLabel: { person: { minArea: 1000 }, cat: { minArea: 4 } },
    };
    const input = [
      det('person', 0.9, box(0, 0, 20, 20)), // 400 < 1000
      det('person', 0.9, box(0, 0, 40, 40)), // 1600
      det('cat', 0.9, box(0, 0, 2, 2)), // 4 >= 4
      det('car', 0.9, box(0, 0, 2, 2)), // 4 < 100
    ];
    expect(filterDetections(input, options)).toEqual([input[1], input[2]]);
  });

  it('requires both the score and the area to pass', () => {
    const options: DetectionFilterOptions = { defaults: { minScore: 0.5, minArea: 100 }, perLabel: {} };
    const input = [det('car', 0.9, box(0, 0, 5, 5)), det('car', 0.4, box(0, 0, 50, 50)), det('car', 0.6, box(0, 0, 50, 50))];
    expect(filterDetections(input, options)).toEqual([input[2]]);
  });

  it('does not mutate its input', () => {
    const input = [det('car', 0.1, unit), det('car', 0.9, unit)];
    const copy = structuredClone(input);
    filterDetections(input, base);
    expect(input).toEqual(copy);
  });
});

describe('nonMaxSuppressionPerLabel', () => {
  it('returns an empty list for no detections', () => {
    expect(nonMaxSuppressionPerLabel([], 0.5)).toEqual([]);
  });

  it('suppresses a same-label box overlapping above the threshold, keeping the higher score', () => {
    const low = det('person', 0.6, box(0, 0, 100, 100));
    const high = det('person', 0.9, box(5, 5, 105, 105));
    expect(intersectionOverUnion(low.box, high.box)).toBeGreaterThan(0.8);
    expect(nonMaxSuppressionPerLabel([low, high], 0.5)).toEqual([high]);
    expect(nonMaxSuppressionPerLabel([high, low], 0.5)).toEqual([high]);
  });

  it('keeps same-label boxes that overlap below the threshold', () => {
    const a = det('person', 0.9, box(0, 0, 10, 10));
    const b = det('person', 0.8, box(5, 0, 15, 10)); // IoU 1/3
    expect(nonMaxSuppressionPerLabel([a, b], 0.5)).toEqual([a, b]);
    expect(nonMaxSuppressionPerLabel([a, b], 0.3)).toEqual([a]);
  });

  it('keeps overlapping boxes of different labels', () => {
    const person = det('person', 0.7, box(0, 0, 100, 100));
    const car = det('car', 0.9, box(0, 0, 100, 100));
    expect(nonMaxSuppressionPerLabel([person, car], 0.5)).toEqual([car, person]);
  });

  it('keeps a box whose IoU equals the threshold exactly', () => {
    const a = det('car', 0.9, box(0, 0, 10, 10));
    const b = det('car', 0.8, box(0, 0, 10, 5)); // 50 / 100 = 0.5 exactly
    expect(intersectionOverUnion(a.box, b.box)).toBe(0.5);
    expect(nonMaxSuppressionPerLabel([a, b], 0.5)).toEqual([a, b]);
    expect(nonMaxSuppressionPerLabel([a, b], 0.49)).toEqual([a]);
  });

  it('orders the output by descending score', () => {
    const input = [
      det('dog', 0.3, box(0, 0, 10, 10)),
      det('car', 0.9, box(100, 0, 110, 10)),
      det('person', 0.6, box(200, 0, 210, 10)),
    ];
    expect(nonMaxSuppressionPerLabel(input, 0.5).map((d) => d.score)).toEqual([0.9, 0.6, 0.3]);
  });

  it('keeps input order for equal scores, and the first of two equal-score overlaps wins', () => {
    const first = det('car', 0.8, box(0, 0, 10, 10));
    const second = det('car', 0.8, box(1, 0, 11, 10));
    const other = det('person', 0.8, box(50, 50, 60, 60));
    expect(nonMaxSuppressionPerLabel([first, other, second], 0.5)).toEqual([first, other]);
    expect(nonMaxSuppressionPerLabel([second, other, first], 0.5)).toEqual([second, other]);
  });

  it('gives the same result on repeated runs', () => {
    const input = Array.from({ length: 30 }, (_, i) =>
      det(i % 3 === 0 ? 'car' : 'person', [0.5, 0.7, 0.9][i % 3]!, box(i * 3, 0, i * 3 + 20, 20)),
    );
    const once = nonMaxSuppressionPerLabel(input, 0.45);
    expect(nonMaxSuppressionPerLabel(input, 0.45)).toEqual(once);
    expect(nonMaxSuppressionPerLabel([...input], 0.45)).toEqual(once);
  });

  it('does not let a suppressed box suppress others (greedy against kept boxes only)', () => {
    // b overlaps a and c; a and c do not overlap each other. b is suppressed by a, so c survives.
    const a = det('car', 0.9, box(0, 0, 10, 10));
    const b = det('car', 0.8, box(2, 0, 12, 10)); // IoU(a, b) = 80/120
    const c = det('car', 0.7, box(4, 0, 14, 10)); // IoU(a, c) = 60/140, IoU(b, c) = 80/120
    expect(nonMaxSuppressionPerLabel([c, b, a], 0.5)).toEqual([a, c]);
  });

  it('does not mutate its input', () => {
    const input = [det('car', 0.1, unit), det('car', 0.9, unit)];
    const copy = structuredClone(input);
    nonMaxSuppressionPerLabel(input, 0.5);
    expect(input).toEqual(copy);
  });
});
