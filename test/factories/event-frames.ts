import type { CameraRules } from '../../src/domain/rules/rule-types.ts';
import type { ClassFamily, FinishedTrack, TrackedObject, TrackerOutput } from '../../src/domain/tracking/tracking-types.ts';
import { EventEngine } from '../../src/domain/events/event-engine.ts';
import type { EventChange, VigilEvent } from '../../src/domain/events/event-types.ts';

/*
 * Builders for the event tests: hand-written tracker output for one camera. (Test support; it
 * belongs in test/factories once the event code has settled.)
 */

/** 22:05:13 in Asia/Taipei (UTC+8). Frames are 1 s apart. */
export const T0 = Date.UTC(2026, 10, 20, 14, 5, 13);
export const at = (frame: number) => T0 + frame * 1000;

export const rules: CameraRules = {
  cameraId: 'back',
  cameraName: 'Back yard',
  timeZone: 'Asia/Taipei',
  frameWidth: 640,
  frameHeight: 480,
  zones: [
    {
      name: 'yard',
      displayName: { en: 'Yard', zhHant: '院子' },
      polygon: [
        [0, 300],
        [200, 300],
        [200, 480],
        [0, 480],
      ],
      debounceFrames: 3,
      restricted: true,
    },
  ],
  tripwires: [
    {
      name: 'door',
      displayName: { en: 'back-door', zhHant: '後門' },
      a: [300, 200],
      b: [600, 200],
      direction: 'any',
      inbound: 'a_to_b',
      minTrackAgeFrames: 2,
      hysteresisPx: 5,
    },
  ],
  objectSeenLabels: ['car'],
  cooldownSeconds: 30,
  mergeSeconds: 5,
};

const FAMILY: Record<string, ClassFamily> = { person: 'person', car: 'vehicle' };

/** A track whose foot point is (x, y); its box is 20 x `height` px. */
export function track(
  trackId: string,
  x: number,
  y: number,
  opts: { label?: string; score?: number; height?: number; firstFrame?: number } = {},
) {
  const label = opts.label ?? 'person';
  const height = opts.height ?? 40;
  const object: TrackedObject = {
    trackId,
    label,
    family: FAMILY[label] ?? 'other',
    box: { x1: x - 10, y1: y - height, x2: x + 10, y2: y },
    score: opts.score ?? 0.5,
    detectionIndex: 0,
    hits: 10,
    firstSeenMs: at(opts.firstFrame ?? 0),
    firstFrameIndex: opts.firstFrame ?? 0,
  };
  return object;
}

export function finished(trackId: string, frame: number, x: number, y: number, label = 'person'): FinishedTrack {
  return {
    trackId,
    label,
    family: FAMILY[label] ?? 'other',
    lastSeenMs: at(frame),
    lastFrameIndex: frame,
    lastBox: { x1: x - 10, y1: y - 40, x2: x + 10, y2: y },
  };
}

export type Script = Record<number, { tracked?: TrackedObject[]; finished?: FinishedTrack[] }>;

/** Runs frames 0..lastFrame (frames not in the script are empty) and then `finish`. */
export function play(script: Script, lastFrame: number, engineRules: CameraRules = rules, idPrefix = 'back') {
  const engine = new EventEngine(engineRules, { idPrefix });
  const changes: { frame: number; change: EventChange }[] = [];
  for (let frame = 0; frame <= lastFrame; frame++) {
    const output: TrackerOutput = {
      frameIndex: frame,
      timestampMs: at(frame),
      tracked: script[frame]?.tracked ?? [],
      lost: [],
      finished: script[frame]?.finished ?? [],
    };
    for (const change of engine.process(output)) changes.push({ frame, change });
  }
  for (const change of engine.finish(at(lastFrame + 1), lastFrame + 1)) changes.push({ frame: lastFrame + 1, change });
  return changes;
}

export const brief = (changes: ReturnType<typeof play>) =>
  changes.map(({ frame, change }) => `${frame} ${change.change} ${change.event.id} ${change.event.status}`);

export const lastOf = (changes: ReturnType<typeof play>, id: string): VigilEvent =>
  changes.filter((c) => c.change.event.id === id).at(-1)!.change.event;

/** One track walking a list of foot points, one per frame from `from`. */
export function walk(trackId: string, from: number, feet: readonly (readonly [number, number])[], script: Script = {}) {
  feet.forEach(([x, y], i) => {
    const entry = (script[from + i] ??= {});
    (entry.tracked ??= []).push(track(trackId, x, y));
  });
  return script;
}
