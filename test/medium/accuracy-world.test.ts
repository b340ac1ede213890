import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUESTIONS } from '../../bench/accuracy/questions.ts';
import { answerOf, scoreAnswer } from '../../bench/accuracy/score.ts';
import { buildWorld, NOW, type World } from '../../bench/accuracy/world.ts';
import { createVigil } from '../../src/app.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { searchResponseSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { seedDatabase } from '../support/seed-database.ts';

/**
 * bench:accuracy's world and questions as a regression test: the scripted footage through the
 * real tracker and rules, stored, and every question of the main set answered exactly (the
 * benchmark reports the held-out set and other seeds).
 */
const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
let dir: string;
let world: World;
let vigil: ReturnType<typeof createVigil>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-accuracy-world-'));
  world = await buildWorld(dir, 1);
  await seedDatabase(world.loaded.config.storage.data_dir, world.events, cameraDirectory(world.loaded.config));
  vigil = createVigil(world.loaded, { clock: { now: () => NOW }, logger: silent });
});
afterAll(async () => {
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the accuracy world', () => {
  it('stores one event per incident the script made (a pair is one event), and none for passers-by', () => {
    const pairs = world.visits.filter((v) => v.kind === 'pair_in' || v.kind === 'pair_loiter').length;
    expect(world.events).toHaveLength(world.truth.length - pairs);
  });

  it('answers every question of the main set exactly, in all three languages', async () => {
    const wrong: string[] = [];
    for (const question of QUESTIONS) {
      const body = searchResponseSchema.parse(await (await vigil.httpApp().request(`/api/search?limit=200&q=${encodeURIComponent(question.q)}`)).json());
      const answer = answerOf(body);
      const score = scoreAnswer(question, world.truth, answer);
      if (!score.exact) wrong.push(`${question.q}: returned ${score.returned} (${score.belonging} belong), expected ${score.expected} (${score.covered} found)`);
    }
    expect(wrong).toEqual([]);
    expect(QUESTIONS.length).toBeGreaterThanOrEqual(60);
  });
});
