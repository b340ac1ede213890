import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorld, type AskedWorld } from '../../bench/accuracy/ask-world.ts';
import { QUESTIONS } from '../../bench/accuracy/questions.ts';
import { scoreAnswer } from '../../bench/accuracy/score.ts';

/**
 * bench:accuracy's world and questions as a regression test: the scripted footage through the
 * real tracker and rules, stored, and every question of the main set answered exactly (the
 * benchmark reports the held-out set and other seeds).
 */
let dir: string;
let asked: AskedWorld;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-accuracy-world-'));
  asked = await openWorld(dir, 1);
});
afterAll(async () => {
  await asked?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the accuracy world', () => {
  it('stores one event per incident the script made (a pair is one event), and none for passers-by', () => {
    const { world } = asked;
    const pairs = world.visits.filter((v) => v.kind === 'pair_in' || v.kind === 'pair_loiter').length;
    expect(world.events).toHaveLength(world.truth.length - pairs);
  });

  it('answers every question of the main set exactly, in all three languages', async () => {
    const wrong: string[] = [];
    for (const question of QUESTIONS) {
      const { answer } = await asked.ask(question.q);
      const score = scoreAnswer(question, asked.world.truth, answer);
      if (!score.exact) wrong.push(`${question.q}: returned ${score.returned} (${score.belonging} belong), expected ${score.expected} (${score.covered} found)`);
    }
    expect(wrong).toEqual([]);
    expect(QUESTIONS.length).toBeGreaterThanOrEqual(60);
  });
});
