import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three tiers (see README, Development): `npm run test:unit`, `test:medium`, `test:e2e`; plain
 * `vitest run` (in `npm test`) runs all of them.
 */
const MEDIUM = 'test/medium/**/*.test.ts';
/** One test body per storage backend (SQLite and PostgreSQL): real databases, so medium. */
const CONTRACT = 'test/contract/**/*.test.ts';
const E2E = 'test/e2e/**/*.test.ts';
/**
 * Tests of how Vigil keeps up with a burst (thousands of MQTT messages in a fraction of a second)
 * measure Vigil, not the two other test files that would share this machine's 2 cores with it: they
 * run last, alone.
 */
const ALONE = ['test/medium/frigate-burst.test.ts'];

export default defineConfig({
  test: {
    // Medium tests run real ffmpeg, the real detector and real SQLite: give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      // Everything that is not medium or e2e is a unit test, so a new test file never goes unrun.
      // Not isolated: each fork imports the modules once for all its unit files (54 s -> 20 s
      // here, most of it was importing). Unit tests keep no state in modules and mock none
      // (no vi.mock); the suite passes with files shuffled (--sequence.shuffle.files).
      {
        extends: true,
        test: { name: 'unit', isolate: false, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: [...configDefaults.exclude, MEDIUM, CONTRACT, E2E] },
      },
      // Not isolated either, for the same reason (importing took 53 s of the medium tier, 9 s
      // without isolation; CI's whole run was near its 15 minutes): medium tests start their own
      // servers, databases and processes and keep nothing in modules.
      { extends: true, test: { name: 'medium', isolate: false, include: [MEDIUM, CONTRACT], exclude: [...configDefaults.exclude, ...ALONE] } },
      { extends: true, test: { name: 'e2e', include: [E2E] } },
      // Retried: it races three processes (publisher, Mosquitto, Vigil) on 2 cores, and about 1 run
      // in 6 here the broker drops some of the burst even so. A Vigil that cannot keep up (as before
      // the burst handling, thousands dropped in every run) still fails all three tries.
      { extends: true, test: { name: 'medium-alone', include: ALONE, sequence: { groupOrder: 1 }, retry: 2 } },
    ],
  },
});
