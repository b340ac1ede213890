import type { VigilEvent } from './event-types.ts';

/** How far apart (ms) the starts, and the ends, of two versions of one event may be. */
const MAX_SHIFT_MS = 2_000;
/** How much of their time two versions of one event must share (intersection over union). */
const MIN_OVERLAP = 0.5;

function sameKind(a: VigilEvent, b: VigilEvent): boolean {
  if (a.cameraId !== b.cameraId || a.type !== b.type || a.rule !== b.rule) return false;
  if ((a.details.direction ?? null) !== (b.details.direction ?? null)) return false;
  const labels = (e: VigilEvent) => e.actors.map((x) => x.label).sort().join(',');
  return labels(a) === labels(b);
}

function overlap(a: VigilEvent, b: VigilEvent): number {
  const inter = Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs);
  const union = Math.max(a.endMs, b.endMs) - Math.min(a.startMs, b.startMs);
  if (union <= 0) return a.startMs === b.startMs ? 1 : 0;
  return Math.max(0, inter) / union;
}

/**
 * Pairs each event of an earlier analysis with the event of a new analysis (other settings) that
 * is the same happening: same camera, type, rule and direction, actors of the same labels, over
 * nearly the same interval of time. Track ids are not compared: they are numbered anew by each
 * analysis (another fps gives p5 where there was p3). Each event is paired at most once, closest
 * first; the result is deterministic.
 */
export function matchEvents(previous: readonly VigilEvent[], current: readonly VigilEvent[]): Array<{ from: string; to: string }> {
  const candidates: Array<{ from: VigilEvent; to: VigilEvent; shift: number }> = [];
  for (const from of previous) {
    for (const to of current) {
      if (!sameKind(from, to)) continue;
      const startShift = Math.abs(from.startMs - to.startMs);
      const endShift = Math.abs(from.endMs - to.endMs);
      if (startShift > MAX_SHIFT_MS || endShift > MAX_SHIFT_MS || overlap(from, to) < MIN_OVERLAP) continue;
      candidates.push({ from, to, shift: startShift + endShift });
    }
  }
  candidates.sort((a, b) => a.shift - b.shift || a.from.id.localeCompare(b.from.id) || a.to.id.localeCompare(b.to.id));
  const usedFrom = new Set<string>();
  const usedTo = new Set<string>();
  const pairs: Array<{ from: string; to: string }> = [];
  for (const c of candidates) {
    if (usedFrom.has(c.from.id) || usedTo.has(c.to.id)) continue;
    usedFrom.add(c.from.id);
    usedTo.add(c.to.id);
    pairs.push({ from: c.from.id, to: c.to.id });
  }
  return pairs;
}
