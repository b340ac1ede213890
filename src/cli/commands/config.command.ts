import type { Command } from 'commander';
import { renderConfig } from '../../config/index.ts';
import type { CliContext } from '../cli-context.ts';
import { loadCliConfig } from '../open-vigil.ts';

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration and print it resolved, with secrets masked')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { config?: string }) => {
      // Errors (missing file, invalid fields, missing variables) reach the CLI's error renderer.
      const loaded = await loadCliConfig(ctx, options.config);
      ctx.stdout.write(renderConfig(loaded));
    });
}
