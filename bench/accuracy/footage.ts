/**
 * The accuracy benchmark on real footage: the bundled street clip analysed as `npm run demo`
 * analyses it (the real decoder, the bundled detector, tracker and rules), its footpath crossings
 * compared one by one with crossings labelled by hand from the pixels (street-crossings.json,
 * labelled by someone who did not see Vigil's output).
 *
 * A labelled crossing and a detected one correspond when they went the same way within
 * MATCH_SECONDS of each other (each used once, closest first). Direction accuracy: how many of
 * the crossings that can be paired in time can also be paired going the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { main } from '../../src/cli/main.ts';
import { eventsPageSchema, searchResponseSchema } from '../../src/contract/api.schemas.ts';
import { createLogger, createVigil } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { answerOf, type Answer } from './score.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const CLIP = join(REPO, 'samples/vtest-street.mp4');
const DEMO_CONFIG = join(REPO, 'samples/vigil.demo.yml');
const LABELS = new URL('./street-crossings.json', import.meta.url).pathname;
const ZONE_LABELS = new URL('./street-zones.json', import.meta.url).pathname;
/** The demo pins the clip's start at this instant. */
const CLIP_START_MS = Date.parse('2026-11-20T22:00:00+01:00');
const MATCH_SECONDS = 1.5;

export type Way = 'left_to_right' | 'right_to_left';
export interface Crossing {
  t: number;
  way: Way;
}

const labelsSchema = z.object({
  crossings: z.array(z.object({ t: z.number(), way: z.enum(['left_to_right', 'right_to_left']), confidence: z.enum(['high', 'medium', 'low']), note: z.string().optional() })),
});

export function streetLabels(): z.output<typeof labelsSchema>['crossings'] {
  return labelsSchema.parse(JSON.parse(readFileSync(LABELS, 'utf8'))).crossings;
}

const visitSchema = z.object({ enter: z.number(), exit: z.number(), confidence: z.enum(['high', 'medium', 'low']), lingered: z.boolean().optional(), note: z.string() });
const zoneLabelsSchema = z.object({ zones: z.object({ entrance: z.array(visitSchema), lawn: z.array(visitSchema) }) });
export type ZoneVisit = z.output<typeof visitSchema>;

/** Each person's visits to the demo's two zones, labelled by hand from the pixels (street-zones.json). */
export function streetZoneLabels(): z.output<typeof zoneLabelsSchema>['zones'] {
  return zoneLabelsSchema.parse(JSON.parse(readFileSync(ZONE_LABELS, 'utf8'))).zones;
}

/** When the footage questions are asked: the morning after the clip (Saturday 09:00, Paris). */
export const FOOTAGE_NOW = Date.parse('2026-11-21T09:00:00+01:00');
export { CLIP_START_MS };

export interface StreetFootage {
  /** Every person's crossing of the footpath line, in seconds from the clip's start. */
  crossings(): Promise<Crossing[]>;
  /** A question asked through the HTTP API the morning after, as scoring reads the answer. */
  ask(question: string): Promise<{ answer: Answer; text: string }>;
  close(): Promise<void>;
}

/**
 * The street clip analysed as the demo analyses it, with its data in `dir`, and Vigil opened on
 * the result with the clock at FOOTAGE_NOW and questions read in the camera's time zone.
 */
export async function analyseStreetClip(dir: string): Promise<StreetFootage> {
  // The demo's configuration, with its data in `dir`, the clip by its full path, and questions
  // read in Paris time, where the clip was pinned.
  const config = join(dir, 'vigil.yml');
  const demo = readFileSync(DEMO_CONFIG, 'utf8').replace('data_dir: ../vigil-data', `data_dir: ${join(dir, 'data')}`).replace('input: vtest-street.mp4', `input: ${CLIP}`);
  writeFileSync(config, `${demo}\nsearch:\n  timezone: Europe/Paris\n`);
  let stderr = '';
  const code = await main(['analyze', CLIP, '--camera', 'street', '--config', config], {
    cwd: dir,
    env: {},
    stdout: { write: () => true },
    stderr: { isTTY: false, write: (t: string) => ((stderr += t), true) },
    onInterrupt: () => () => undefined,
  });
  if (code !== 0) throw new Error(`the analysis of ${CLIP} failed: ${stderr}`);
  const loaded = await loadConfig({ explicit: true, file: config, env: {}, cwd: dir });
  const vigil = createVigil(loaded, { clock: { now: () => FOOTAGE_NOW }, logger: createLogger('silent') });
  return {
    async crossings() {
      const response = await vigil.httpApp().request('/api/events?type=line_crossing&limit=500');
      const page = eventsPageSchema.parse(await response.json());
      // The wire runs from A (300, 170) down to B (300, 330): side A is on the screen's right
      // (configuration reference, tripwires), so a_to_b walks right to left.
      return page.events
        .filter((e) => e.rule === 'path')
        .flatMap((e) =>
          e.evidence
            .filter((x) => x.kind === 'crossing')
            .map((x): Crossing => ({ t: (Date.parse(x.time) - CLIP_START_MS) / 1000, way: e.details.direction === 'a_to_b' ? 'right_to_left' : 'left_to_right' })),
        )
        .sort((a, b) => a.t - b.t);
    },
    async ask(question) {
      const response = await vigil.httpApp().request(`/api/search?limit=200&q=${encodeURIComponent(question)}`);
      const body = searchResponseSchema.parse(await response.json());
      return { answer: answerOf(body), text: body.answer.text };
    },
    close: () => vigil.close(),
  };
}

export interface CrossingScore {
  labelled: number;
  detected: number;
  matched: number;
  precision: number;
  recall: number;
  /** Crossings paired going the same way, over crossings paired within MATCH_SECONDS whatever their way. */
  directionAccuracy: number;
  byWay: Record<Way, { labelled: number; detected: number }>;
}

/** One-to-one pairs of crossings within MATCH_SECONDS (closest first), optionally of the same way. */
function pairs(labelled: readonly Crossing[], detected: readonly Crossing[], sameWay: boolean): Array<[Crossing, Crossing]> {
  const candidates: Array<{ l: number; d: number; dt: number }> = [];
  labelled.forEach((l, i) =>
    detected.forEach((d, j) => {
      const dt = Math.abs(l.t - d.t);
      if (dt <= MATCH_SECONDS && (!sameWay || l.way === d.way)) candidates.push({ l: i, d: j, dt });
    }),
  );
  candidates.sort((a, b) => a.dt - b.dt || a.l - b.l || a.d - b.d);
  const usedL = new Set<number>();
  const usedD = new Set<number>();
  const out: Array<[Crossing, Crossing]> = [];
  for (const c of candidates) {
    if (usedL.has(c.l) || usedD.has(c.d)) continue;
    usedL.add(c.l);
    usedD.add(c.d);
    out.push([labelled[c.l] as Crossing, detected[c.d] as Crossing]);
  }
  return out;
}

export function scoreCrossings(labelled: readonly Crossing[], detected: readonly Crossing[]): CrossingScore {
  const matched = pairs(labelled, detected, true).length;
  const inTime = pairs(labelled, detected, false);
  const count = (list: readonly Crossing[], way: Way) => list.filter((c) => c.way === way).length;
  return {
    labelled: labelled.length,
    detected: detected.length,
    matched,
    precision: detected.length === 0 ? 1 : matched / detected.length,
    recall: labelled.length === 0 ? 1 : matched / labelled.length,
    // Pairing by time alone pairs crowded crossings across directions by chance: compare the
    // best same-way pairing with the best pairing by time, rather than judging each time pair.
    directionAccuracy: inTime.length === 0 ? 1 : Math.min(1, matched / inTime.length),
    byWay: {
      left_to_right: { labelled: count(labelled, 'left_to_right'), detected: count(detected, 'left_to_right') },
      right_to_left: { labelled: count(labelled, 'right_to_left'), detected: count(detected, 'right_to_left') },
    },
  };
}
