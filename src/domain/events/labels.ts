import type { EventType, LocalizedText } from './event-types.ts';

/**
 * The one table of names shown to users for detector labels and event types: event summaries and
 * search keywords (here, in Traditional Chinese; Simplified is derived from it on the way out) and
 * the web UI (which imports this file, so it must stay pure: no imports beyond types).
 */
export interface DisplayName extends LocalizedText {
  zhHans: string;
}

export interface LabelName extends DisplayName {
  /** English plural, for "2 people (p3, p4)". */
  enPlural: string;
}

/**
 * Names of the COCO labels a camera keeps by default; any other label is shown as it is.
 * Taiwan usage for zh-Hant: 貨車 (the everyday word for a goods truck; 卡車 reads as a big rig and
 * is rarer), 機車 (motorcycle), 公車 (bus), 腳踏車 (bicycle). 貨車 is also the word the search
 * concepts and the stored keywords already use, so questions keep finding old events.
 */
export const LABEL_NAMES: Readonly<Record<string, LabelName>> = {
  person: { en: 'person', enPlural: 'people', zhHant: '人物', zhHans: '人物' },
  bicycle: { en: 'bicycle', enPlural: 'bicycles', zhHant: '腳踏車', zhHans: '自行车' },
  car: { en: 'car', enPlural: 'cars', zhHant: '汽車', zhHans: '汽车' },
  motorcycle: { en: 'motorcycle', enPlural: 'motorcycles', zhHant: '機車', zhHans: '摩托车' },
  bus: { en: 'bus', enPlural: 'buses', zhHant: '公車', zhHans: '公交车' },
  truck: { en: 'truck', enPlural: 'trucks', zhHant: '貨車', zhHans: '货车' },
  dog: { en: 'dog', enPlural: 'dogs', zhHant: '狗', zhHans: '狗' },
  cat: { en: 'cat', enPlural: 'cats', zhHant: '貓', zhHans: '猫' },
  backpack: { en: 'backpack', enPlural: 'backpacks', zhHant: '背包', zhHans: '背包' },
  handbag: { en: 'handbag', enPlural: 'handbags', zhHant: '手提包', zhHans: '手提包' },
  suitcase: { en: 'suitcase', enPlural: 'suitcases', zhHant: '行李箱', zhHans: '行李箱' },
};

export interface EventTypeName extends DisplayName {
  /** The type as a noun inside an answer's sentence ("no loitering or sighting events", 「沒有找到符合的徘徊事件」). */
  inSentence: { en: string; zhHant: string };
}

/** Names of the event types, as badges and filters show them, and as answers say them. */
export const EVENT_TYPE_NAMES: Readonly<Record<EventType, EventTypeName>> = {
  line_crossing: { en: 'Line crossing', zhHant: '越線', zhHans: '越线', inSentence: { en: 'line crossing', zhHant: '越線' } },
  intrusion: { en: 'Intrusion', zhHant: '闖入', zhHans: '闯入', inSentence: { en: 'intrusion', zhHant: '闖入' } },
  loitering: { en: 'Loitering', zhHant: '徘徊', zhHans: '徘徊', inSentence: { en: 'loitering', zhHant: '徘徊' } },
  object_seen: { en: 'Object seen', zhHant: '出現物件', zhHans: '出现物体', inSentence: { en: 'sighting', zhHant: '出現' } },
};

export function labelName(label: string): LabelName {
  return Object.hasOwn(LABEL_NAMES, label)
    ? (LABEL_NAMES[label] as LabelName)
    : { en: label, enPlural: label, zhHant: label, zhHans: label };
}

/** The type's names, or the type itself with spaces for one this table does not know (a newer server). */
export function eventTypeName(type: string): DisplayName {
  if (Object.hasOwn(EVENT_TYPE_NAMES, type)) return EVENT_TYPE_NAMES[type as EventType];
  const plain = type.replace(/_/g, ' ');
  return { en: plain, zhHant: plain, zhHans: plain };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
