import { Command, CommanderError } from 'commander';
import { packageVersion } from '../app.ts';
import type { CliContext } from './cli-context.ts';
import { registerAnalyzeCommand } from './commands/analyze.command.ts';
import { registerAnalyzeImageCommand } from './commands/analyze-image.command.ts';
import { registerConfigCommand } from './commands/config.command.ts';
import { registerDescribeCommand } from './commands/describe.command.ts';
import { registerGenaiStatsCommand } from './commands/genai-stats.command.ts';
import { registerJobsCommand } from './commands/jobs.command.ts';
import { registerKeysCommand } from './commands/keys.command.ts';
import { registerMigrateCommand } from './commands/migrate.command.ts';
import { registerPruneCommand } from './commands/prune.command.ts';
import { registerEventsCommand } from './commands/events.command.ts';
import { registerSearchCommand } from './commands/search.command.ts';
import { registerServeCommand } from './commands/serve.command.ts';
import { registerWorkerCommand } from './commands/worker.command.ts';
import { EXIT, renderError } from './render-error.ts';

function processContext(): CliContext {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(handler) {
      let count = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        count++;
        // A second Ctrl-C means "now": committed work is safe in the database either way.
        if (count > 1) process.exit(EXIT.interrupted);
        process.stderr.write(`\nvigil: ${signal} received, stopping (again to force)...\n`);
        handler();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
    },
  };
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
    .name('vigil')
    .description('Vigil: a local-first video detective')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError();
  registerAnalyzeCommand(program, ctx);
  registerAnalyzeImageCommand(program, ctx);
  registerEventsCommand(program, ctx);
  registerSearchCommand(program, ctx);
  registerDescribeCommand(program, ctx);
  registerGenaiStatsCommand(program, ctx);
  registerJobsCommand(program, ctx);
  registerKeysCommand(program, ctx);
  registerServeCommand(program, ctx);
  registerWorkerCommand(program, ctx);
  registerPruneCommand(program, ctx);
  registerConfigCommand(program, ctx);
  registerMigrateCommand(program, ctx);
  return program;
}

/** Runs the CLI and returns its exit code; never throws. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return renderError(error, (text) => ctx.stderr.write(text), Boolean(ctx.env.VIGIL_DEBUG));
  }
}
