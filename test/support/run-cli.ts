// Runs the CLI from source (used by tests that need a real, killable process).
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
