import type { EventType } from '../../../src/domain/events/event-types.ts';
import type { AnalysisStore, StoredEvent } from '../../../src/ports/analysis-store.ts';
import type { CrossingFilter, SearchQuery } from '../../../src/ports/search-store.ts';
import { storedEvent } from '../../factories/stored-events.ts';

/**
 * The events the search tests (the contract on every backend, and SQLite's own) search through,
 * and what each search should find, computed from the seeds rather than from any store.
 */

export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-03-01T00:00:00Z');
// Ids that are not plain words: a space, CJK, punctuation. Filters must keep each whole.
export const CAMERAS = ['back door', '後門', 'gate-1', 'front'];
const TYPES: EventType[] = ['line_crossing', 'intrusion', 'loitering', 'object_seen'];
const LABEL_SETS = [['person'], ['car'], ['person', 'dog'], ['traffic light'], ['truck', 'person']];
const COLOURS = ['red', 'white', 'blue'];
const THINGS = ['van', 'jacket', 'bag', 'umbrella', 'bicycle'];

export interface Seeded {
  stored: StoredEvent;
  words: string[];
}

/** 240 events with every combination of camera, type, labels and words, an hour or so apart, and two long ones. */
export function seedEvents(): Seeded[] {
  const out: Seeded[] = [];
  for (let i = 0; i < 240; i++) {
    const words = [COLOURS[i % 3] as string, THINGS[(i * 7) % 5] as string];
    const stored = storedEvent({
      id: `e${i}`,
      cameraId: CAMERAS[i % 4] as string,
      type: TYPES[Math.floor(i / 4) % 4] as EventType,
      labels: LABEL_SETS[i % 5] as string[],
      startMs: T0 + i * HOUR + (i % 7) * 60_000,
      durationMs: ((i % 5) + 1) * 60_000,
      en: `a ${words.join(' ')} was seen`,
      zhHant: '有人經過',
      // Crossings of rule 'door' (storedEvent's default rule), alternating ways; every third
      // tripwire does not say which way is in.
      // Own stays for most events (each actor its own), none for every seventh: the span stands in.
      ...(i % 7 === 0 ? {} : { stays: (LABEL_SETS[i % 5] as string[]).map((_, k) => ((i * 13 + k * 29) % 240) + 0.5) }),
      ...(TYPES[Math.floor(i / 4) % 4] === 'line_crossing'
        ? { details: { direction: i % 2 === 0 ? ('a_to_b' as const) : ('b_to_a' as const), ...(i % 3 === 0 ? {} : { inbound: i % 2 === 0 }) } }
        : {}),
    });
    out.push({ stored, words });
  }
  // Events across days: two days, and longer than SQLite's index lists days for.
  for (const [i, durationMs] of [
    [240, 30 * HOUR],
    [241, 90 * 24 * HOUR],
  ] as const) {
    const words = ['red', 'umbrella'];
    const stored = storedEvent({ id: `e${i}`, cameraId: 'front', type: 'loitering', labels: ['person'], startMs: T0 + 40 * HOUR + i, durationMs, en: `a ${words.join(' ')} stayed`, zhHant: '停留' });
    out.push({ stored, words });
  }
  return out;
}

/**
 * Stores the seeds in id order (so the most recently stored are the highest ids), one run per
 * camera, one commit per event as a live camera commits them. Returns the run of each camera.
 */
export async function storeSeeds(analyses: AnalysisStore, seeded: readonly Seeded[]): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  for (const { stored } of seeded) {
    const cameraId = stored.event.cameraId;
    let runId = runs.get(cameraId);
    if (runId === undefined) {
      const sourceId = await analyses.upsertSource({ uri: `${cameraId}.mp4`, kind: 'file', fingerprint: cameraId, codec: 'h264', width: 64, height: 48, fps: 5 }, cameraId);
      runId = (await analyses.createRun({ sourceId, cameraId, settingsKey: 'k', settings: {}, startTimeMs: T0, startTimeSource: 'config', startedAt: 0 })).id;
      runs.set(cameraId, runId);
    }
    await analyses.commitFrames(runId, [], { events: [{ ...stored, runId }] });
  }
  return runs;
}

export type Filter = Omit<SearchQuery, 'text' | 'limit' | 'order' | 'timelineLimit'>;

/** What should match, computed directly from the seeds. */
export function expected(seeded: readonly Seeded[], words: readonly string[], f: Filter): Seeded[] {
  return seeded.filter(({ stored: { event: e }, words: w }) => {
    if (!words.every((word) => w.includes(word))) return false;
    if (f.cameraIds && !f.cameraIds.includes(e.cameraId)) return false;
    if (f.types && !f.types.includes(e.type)) return false;
    if (f.labels && !e.labels.some((l) => f.labels?.includes(l))) return false;
    if (f.stay) {
      const { op, seconds } = f.stay;
      const passes = (v: number) => (op === 'gt' ? v > seconds : op === 'gte' ? v >= seconds : op === 'lt' ? v < seconds : v <= seconds);
      // Only the stays of the actors asked about, when the filter names labels.
      const asked = e.actors.filter((a) => !f.labels || f.labels.includes(a.label));
      if (e.type === 'line_crossing' || !asked.some((a) => passes(a.staySeconds ?? (e.endMs - e.startMs) / 1000))) return false;
    }
    if (f.minActors !== undefined && e.actors.length < f.minActors) return false;
    if (f.directions) {
      const went = (d: CrossingFilter) =>
        'inbound' in d ? e.details.inbound === d.inbound : e.cameraId === d.cameraId && e.rule === d.rule && e.details.direction === d.direction;
      if (e.type !== 'line_crossing' || !f.directions.some(went)) return false;
    }
    if (f.fromMs !== undefined && e.endMs < f.fromMs) return false;
    if (f.toMs !== undefined && e.startMs >= f.toMs) return false;
    return true;
  });
}

export const WORDS: string[][] = [[], ['red'], ['white', 'van'], ['blue', 'umbrella'], ['umbrella']];
export const FILTERS: Filter[] = [
  {},
  { cameraIds: ['back door'] },
  { cameraIds: ['後門', 'gate-1'] },
  { types: ['loitering'] },
  { labels: ['person'] },
  { labels: ['traffic light'] },
  { cameraIds: ['後門'], labels: ['dog'], types: ['line_crossing', 'intrusion'] },
  { fromMs: T0 + 20 * HOUR, toMs: T0 + 60 * HOUR },
  { fromMs: T0 + 100 * HOUR + 2 * 60_000, toMs: T0 + 101 * HOUR },
  { cameraIds: ['front'], labels: ['person', 'car'], fromMs: T0, toMs: T0 + 200 * HOUR },
  { stay: { op: 'gt', seconds: 120.5 } },
  { minActors: 2 },
  { minActors: 2, stay: { op: 'lt', seconds: 100 }, cameraIds: ['gate-1', 'front'] },
  { stay: { op: 'lte', seconds: 60 }, cameraIds: ['front'] },
  { stay: { op: 'gte', seconds: 180 }, labels: ['person'], types: ['loitering', 'line_crossing'] },
  // The truck's stay and the person's beside it differ: only the truck's counts.
  { stay: { op: 'gt', seconds: 100 }, labels: ['truck'] },
  { stay: { op: 'lt', seconds: 60 }, labels: ['dog'] },
  { directions: [{ inbound: true }] },
  { directions: [{ inbound: false }], cameraIds: ['後門'] },
  { directions: [{ cameraId: 'front', rule: 'door', direction: 'a_to_b' }] },
  { directions: [{ cameraId: 'front', rule: 'door', direction: 'b_to_a' }, { inbound: true }], labels: ['person'] },
  // After the day the long events start; wider than SQLite's index lists days for; open-ended.
  { fromMs: T0 + 60 * HOUR, toMs: T0 + 66 * HOUR },
  { fromMs: T0 + 50 * HOUR, toMs: T0 + 60 * 24 * HOUR },
  { fromMs: T0 + 230 * HOUR },
  { toMs: T0 + 3 * HOUR },
];
