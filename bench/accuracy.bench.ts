/**
 * Exact answers, measured: Vigil's own accuracy benchmark.
 *
 * A scripted world (bench/accuracy/world.ts: two cameras, three days, people and cars crossing a
 * gate line both ways, loitering alone and together, entering a storeroom, passing by) is run
 * through Vigil's tracker and rules as a detector would see it, stored in a real SQLite store, and
 * asked the questions of bench/accuracy/questions.ts through the HTTP API, as a user asks them.
 * Every answer is scored against the truth taken from the script (bench/accuracy/score.ts).
 *
 *   npm run bench:accuracy            (env ACCURACY_SEED: the world's seed, 1 by default)
 *
 * Then the bundled street clip is analysed as the demo analyses it (real decoder and detector): its
 * footpath crossings are compared with crossings labelled by hand from the pixels, and the questions
 * of accuracy/footage-questions.ts are asked about it and scored against those labels and the
 * zone visits labelled the same way (accuracy/footage.ts, street-crossings.json, street-zones.json).
 *
 * The questions in questions-held-out.ts were written by someone who had not read how Vigil reads
 * questions, after the others had been used to fix Vigil: their score is also reported on its own.
 *
 * Prints one line per question to stderr (✓ exact, ✗ not, with what was returned and expected),
 * the totals per language and per kind, and the BENCH line: exact share, precision, coverage,
 * count accuracy and direction accuracy over all questions, and the exact share per language and
 * per kind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorld } from './accuracy/ask-world.ts';
import { HELD_OUT_QUESTIONS } from './accuracy/questions-held-out.ts';
import { QUESTIONS, type Language, type Question, type QuestionKind } from './accuracy/questions.ts';
import { scoreAnswer, totals, type Answer, type Incident, type QuestionScore, type Totals } from './accuracy/score.ts';
import { analyseStreetClip, scoreCrossings, streetLabels, type Crossing } from './accuracy/footage.ts';
import { FOOTAGE_QUESTIONS, footageTruth } from './accuracy/footage-questions.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
const seed = Number(process.env.ACCURACY_SEED ?? 1);
/** Questions written by someone who had not read how Vigil reads questions, scored apart too. */
const HELD_OUT = new Set<Question>(HELD_OUT_QUESTIONS);

/** Asks each question, scores its answer against `truth`, and logs a line per question. */
async function askAll(
  asker: { ask(question: string): Promise<{ answer: Answer; text: string }> },
  questions: readonly Question[],
  truth: readonly Incident[],
  tag: (question: Question) => string,
): Promise<QuestionScore[]> {
  const scores: QuestionScore[] = [];
  for (const question of questions) {
    const { answer, text } = await asker.ask(question.q);
    const score = scoreAnswer(question, truth, answer);
    scores.push(score);
    const count = question.counts ? `, said ${answer.count ?? 'no number'}` : '';
    log(
      `${score.exact ? '✓' : '✗'} [${question.lang} ${question.kind}${tag(question)}] ${question.q}: returned ${score.returned} (${score.belonging} belong), ` +
        `expected ${score.expected} (${score.covered} found)${count} | ${text.slice(0, 140)}`,
    );
  }
  return scores;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-accuracy-'));
try {
  const asked = await openWorld(dir, seed);
  const { world } = asked;
  log(`world (seed ${seed}): ${world.visits.length} visits, ${world.truth.length} true incidents, ${world.events.length} events stored`);
  let scores: QuestionScore[];
  try {
    scores = await askAll(asked, [...QUESTIONS, ...HELD_OUT_QUESTIONS], world.truth, (question) => (HELD_OUT.has(question) ? ' held-out' : ''));
  } finally {
    await asked.close();
  }

  // Real footage: the street clip's footpath crossings against the ones labelled by hand, and
  // questions about it judged against those labels.
  const labels = streetLabels();
  // A store of its own: the world's events would answer questions about the clip.
  const street = await analyseStreetClip(mkdtempSync(join(dir, 'street-')));
  let detected: Crossing[];
  let footageScores: QuestionScore[];
  try {
    detected = await street.crossings();
    footageScores = await askAll(street, FOOTAGE_QUESTIONS, footageTruth(), () => ' footage');
  } finally {
    await street.close();
  }
  const footage = scoreCrossings(labels, detected);
  const confident = scoreCrossings(labels.filter((l) => l.confidence !== 'low'), detected);
  log(
    `street clip: ${footage.labelled} crossings labelled by hand (${confident.labelled} not low-confidence), ${footage.detected} detected, ${footage.matched} matched: ` +
      `precision ${footage.precision.toFixed(3)}, recall ${footage.recall.toFixed(3)} (${confident.recall.toFixed(3)} of the confident ones), direction ${footage.directionAccuracy.toFixed(3)}; ` +
      `left to right ${footage.byWay.left_to_right.detected} detected / ${footage.byWay.left_to_right.labelled} labelled, right to left ${footage.byWay.right_to_left.detected} / ${footage.byWay.right_to_left.labelled}`,
  );

  const round = (n: number | undefined) => (n === undefined ? null : Math.round(n * 1000) / 1000);
  const show = (name: string, t: Totals) =>
    log(
      `${name.padEnd(10)} ${String(t.questions).padStart(3)} questions: exact ${t.exact.toFixed(3)}, precision ${t.precision.toFixed(3)}, coverage ${t.coverage.toFixed(3)}` +
        (t.countAccuracy !== undefined ? `, counts ${t.countAccuracy.toFixed(3)}` : '') +
        (t.directionAccuracy !== undefined ? `, directions ${t.directionAccuracy.toFixed(3)}` : ''),
    );
  const languages: Language[] = ['en', 'zh-Hant', 'zh-Hans'];
  const kinds = [...new Set(QUESTIONS.map((q) => q.kind))] as QuestionKind[];
  const byLanguage = Object.fromEntries(languages.map((l) => [l, totals(scores.filter((s) => s.question.lang === l))]));
  const byKind = Object.fromEntries(kinds.map((k) => [k, totals(scores.filter((s) => s.question.kind === k))]));
  const overall = totals(scores);
  const heldOut = totals(scores.filter((s) => HELD_OUT.has(s.question)));
  for (const [name, t] of [...Object.entries(byLanguage), ...Object.entries(byKind)]) show(name, t);
  show('held out', heldOut);
  show('all', overall);
  const onFootage = totals(footageScores);
  show('footage', onFootage);
  console.log(
    `BENCH ${JSON.stringify({
      questions: overall.questions,
      exact: round(overall.exact),
      precision: round(overall.precision),
      coverage: round(overall.coverage),
      count_accuracy: round(overall.countAccuracy),
      direction_accuracy: round(overall.directionAccuracy),
      held_out_questions: heldOut.questions,
      held_out_exact: round(heldOut.exact),
      footage_questions: {
        questions: onFootage.questions,
        exact: round(onFootage.exact),
        precision: round(onFootage.precision),
        coverage: round(onFootage.coverage),
        count_accuracy: round(onFootage.countAccuracy),
        direction_accuracy: round(onFootage.directionAccuracy),
      },
      footage_crossings: {
        labelled: footage.labelled,
        detected: footage.detected,
        precision: round(footage.precision),
        recall: round(footage.recall),
        recall_confident: round(confident.recall),
        direction_accuracy: round(footage.directionAccuracy),
      },
      exact_by_language: Object.fromEntries(Object.entries(byLanguage).map(([k, t]) => [k, round(t.exact)])),
      exact_by_kind: Object.fromEntries(Object.entries(byKind).map(([k, t]) => [k, round(t.exact)])),
    })}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
