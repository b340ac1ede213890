import type { SearchHit } from '../../../../ports/search-store.ts';
import type { SearchInterpretation } from '../../../search/search.service.ts';
import { storedEvent } from '../../../../../test/factories/stored-events.ts';

/** 2024-05-01 22:00:00 in Asia/Taipei (UTC+8). */
export const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
export const TZ = 'Asia/Taipei';

export function hit(id: string, offsetMs: number, en: string, zhHant: string, extra: { cameraId?: string; labels?: string[] } = {}): SearchHit {
  return {
    stored: storedEvent({ id, startMs: T0 + offsetMs, durationMs: 12_000, en, zhHant, rule: 'gate', ...extra }),
    score: 1,
  };
}

/** Two crossings at the back gate and a loitering by the front door, most relevant first. */
export const HITS: SearchHit[] = [
  hit('back-gate-p1', 4_000, 'Person p1 crossed the Gate line inbound at 22:00:04', '人物 p1 於 22:00:04 由外向內穿越大門警戒線'),
  hit('back-gate-p2', 1_800_000, 'Person p2 crossed the Gate line outbound at 22:30:00', '人物 p2 於 22:30:00 由內向外穿越大門警戒線'),
  hit('front-door-p1', 600_000, 'Person p1 loitered by the door for 95 s', '人物 p1 在門口徘徊 95 秒', { cameraId: 'front' }),
];

export const INTERPRETATION: SearchInterpretation = {
  fromMs: T0,
  toMs: T0 + 3_600_000,
  timeText: '昨天晚上10點到11點',
  timeNotes: [],
  unreadTime: [],
  unknownPlaces: [],
  cameras: ['back'],
  types: ['line_crossing'],
  labels: ['person'],
  directions: [],
  concepts: ['crossing', 'person'],
  terms: [],
  language: 'zh-Hant',
};
