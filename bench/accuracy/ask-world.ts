/**
 * The accuracy world stored and served: its events seeded into a real SQLite store, Vigil opened
 * on it with the clock at the questions' "now", and each question asked through the HTTP API as a
 * user asks it. Used by bench:accuracy and by its regression test.
 */
import { createLogger, createVigil } from '../../src/app.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { searchResponseSchema } from '../../src/contract/api.schemas.ts';
import { seedDatabase } from '../../test/support/seed-database.ts';
import { answerOf, type Answer } from './score.ts';
import { buildWorld, NOW, type World } from './world.ts';

export interface AskedWorld {
  world: World;
  /** The answer as scoring reads it, and the answer's text. */
  ask(question: string): Promise<{ answer: Answer; text: string }>;
  close(): Promise<void>;
}

export async function openWorld(dir: string, seed: number): Promise<AskedWorld> {
  const world = await buildWorld(dir, seed);
  await seedDatabase(world.loaded.config.storage.data_dir, world.events, cameraDirectory(world.loaded.config));
  const vigil = createVigil(world.loaded, { clock: { now: () => NOW }, logger: createLogger('silent') });
  return {
    world,
    async ask(question) {
      const response = await vigil.httpApp().request(`/api/search?limit=200&q=${encodeURIComponent(question)}`);
      const body = searchResponseSchema.parse(await response.json());
      return { answer: answerOf(body), text: body.answer.text };
    },
    close: () => vigil.close(),
  };
}
