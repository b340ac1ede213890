import type { Command } from 'commander';
import { loadConfig, renderConfig } from '../../config/index.ts';
import type { CliContext } from '../cli-context.ts';

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration and print it resolved, with secrets masked')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { config?: string }) => {
      // Errors (missing file, invalid fields, missing variables) reach the CLI's error renderer.
      const loaded = await loadConfig({ ...(options.config ? { file: options.config } : {}), explicit: Boolean(options.config), env: ctx.env, cwd: ctx.cwd });
      ctx.stdout.write(renderConfig(loaded));
    });
}
