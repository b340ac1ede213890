import type { VigilEvent } from '../../../../domain/events/event-types.ts';
import type { KeyFrame } from '../key-frames.ts';
import type { PromptCamera } from '../prompt.ts';

/** 2024-05-01 22:00:00 in Asia/Taipei (UTC+8). */
export const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);

/** A person crossing the gate line inbound while a car waits, as the event engine writes it. */
export const EVENT: VigilEvent = {
  id: 'back-r1-line_crossing-gate-12-p3',
  cameraId: 'back',
  type: 'line_crossing',
  rule: 'gate',
  status: 'closed',
  labels: ['person', 'car'],
  actors: [
    { trackId: 'p3', label: 'person', family: 'person' },
    { trackId: 'v1', label: 'car', family: 'vehicle' },
  ],
  startMs: T0,
  endMs: T0 + 12_400,
  startFrameIndex: 100,
  endFrameIndex: 162,
  evidence: [
    { kind: 'first_seen', timestampMs: T0, frameIndex: 100, trackId: 'p3', box: { x1: 10, y1: 20, x2: 60, y2: 180 }, score: 0.7, text: { en: 'Person p3 first seen', zhHant: '人物 p3 首次出現' } },
    { kind: 'best_view', timestampMs: T0 + 3000, frameIndex: 115, trackId: 'p3', box: { x1: 100.4, y1: 200.6, x2: 150.2, y2: 380 }, score: 0.91, text: { en: 'Best view of person p3', zhHant: '人物 p3 最清楚的畫面' } },
    { kind: 'crossing', timestampMs: T0 + 4000, frameIndex: 120, trackId: 'p3', box: { x1: 110, y1: 210, x2: 160, y2: 390 }, score: 0.88, text: { en: 'Person p3 crossed the Front gate line inbound', zhHant: '人物 p3 由外向內穿越Front gate警戒線' } },
    { kind: 'best_view', timestampMs: T0 + 4000, frameIndex: 120, trackId: 'v1', box: { x1: 400, y1: 300, x2: 700, y2: 500 }, score: 0.8, text: { en: 'Best view of car v1', zhHant: '汽車 v1 最清楚的畫面' } },
  ],
  snapshotFrameIndex: 120,
  summary: { en: 'Person p3 crossed the Front gate line inbound at 22:00:04', zhHant: '人物 p3 於 22:00:04 由外向內穿越Front gate警戒線' },
  keywords: ['person', 'crossing'],
  details: { direction: 'a_to_b', inbound: true },
};

export const CAMERA: PromptCamera = { id: 'back', name: 'Back door', timeZone: 'Asia/Taipei', ruleNames: { gate: 'Front gate' } };

export const FRAMES: KeyFrame[] = [
  { kind: 'actor', path: 'runs/run-1/events/e/thumb-p3.jpg', frameIndex: 115, timestampMs: T0 + 3000, trackId: 'p3', boxes: [{ trackId: 'p3', label: 'person', box: { x1: 100.4, y1: 200.6, x2: 150.2, y2: 380 } }] },
  {
    kind: 'snapshot',
    path: 'runs/run-1/events/e/snapshot.jpg',
    frameIndex: 120,
    timestampMs: T0 + 4000,
    boxes: [
      { trackId: 'p3', label: 'person', box: { x1: 110, y1: 210, x2: 160, y2: 390 } },
      { trackId: 'v1', label: 'car', box: { x1: 400, y1: 300, x2: 700, y2: 500 } },
    ],
  },
];
