import type { LocalizedText } from './event-types.ts';

interface LabelName extends LocalizedText {
  /** English plural, for "2 people (p3, p4)". */
  enPlural: string;
}

/** Names of the COCO labels a camera keeps by default; any other label is shown as it is. */
const LABEL_NAMES: Readonly<Record<string, LabelName>> = {
  person: { en: 'person', enPlural: 'people', zhHant: '人物' },
  bicycle: { en: 'bicycle', enPlural: 'bicycles', zhHant: '腳踏車' },
  car: { en: 'car', enPlural: 'cars', zhHant: '汽車' },
  motorcycle: { en: 'motorcycle', enPlural: 'motorcycles', zhHant: '機車' },
  bus: { en: 'bus', enPlural: 'buses', zhHant: '公車' },
  truck: { en: 'truck', enPlural: 'trucks', zhHant: '貨車' },
  dog: { en: 'dog', enPlural: 'dogs', zhHant: '狗' },
  cat: { en: 'cat', enPlural: 'cats', zhHant: '貓' },
  backpack: { en: 'backpack', enPlural: 'backpacks', zhHant: '背包' },
  handbag: { en: 'handbag', enPlural: 'handbags', zhHant: '手提包' },
  suitcase: { en: 'suitcase', enPlural: 'suitcases', zhHant: '行李箱' },
};

export function labelName(label: string): LabelName {
  return Object.hasOwn(LABEL_NAMES, label)
    ? (LABEL_NAMES[label] as LabelName)
    : { en: label, enPlural: label, zhHant: label };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
