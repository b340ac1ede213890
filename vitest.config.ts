import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three tiers (see README, Development): `npm run test:unit`, `test:medium`, `test:e2e`; plain
 * `vitest run` (in `npm test`) runs all of them.
 */
const MEDIUM = 'test/medium/**/*.test.ts';
const E2E = 'test/e2e/**/*.test.ts';

export default defineConfig({
  test: {
    // Medium tests run real ffmpeg, the real detector and real SQLite: give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      // Everything that is not medium or e2e is a unit test, so a new test file never goes unrun.
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: [...configDefaults.exclude, MEDIUM, E2E] } },
      { extends: true, test: { name: 'medium', include: [MEDIUM] } },
      { extends: true, test: { name: 'e2e', include: [E2E] } },
    ],
  },
});
