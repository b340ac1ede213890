import type { ClassFamily } from './tracking-types.ts';

/** COCO labels grouped into the families the tracker keeps apart; anything else is `other`. */
const FAMILY_OF_LABEL: ReadonlyMap<string, ClassFamily> = new Map<string, ClassFamily>([
  ['person', 'person'],
  ...(['bicycle', 'car', 'motorcycle', 'bus', 'truck', 'train', 'boat', 'airplane'] as const).map(
    (label) => [label, 'vehicle'] as const,
  ),
  ...(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'] as const).map(
    (label) => [label, 'animal'] as const,
  ),
  ...(['backpack', 'umbrella', 'handbag', 'suitcase'] as const).map((label) => [label, 'bag'] as const),
]);

/** The order families are processed and reported in. */
export const CLASS_FAMILIES: readonly ClassFamily[] = ['person', 'vehicle', 'animal', 'bag', 'other'];

/** First letter of every track id of a family: `p12`, `v3`. */
export const FAMILY_ID_PREFIX: Readonly<Record<ClassFamily, string>> = {
  person: 'p',
  vehicle: 'v',
  animal: 'a',
  bag: 'b',
  other: 'o',
};

export function classFamily(label: string): ClassFamily {
  return FAMILY_OF_LABEL.get(label) ?? 'other';
}
