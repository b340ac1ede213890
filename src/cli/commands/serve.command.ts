import type { Command } from 'commander';
import { startVigilServer } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { loadCliConfig } from '../open-vigil.ts';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the HTTP API and the web UI, run the live cameras, the background jobs and the integrations')
    .option('--port <n>', 'port to listen on (default: server.port, 8080)')
    .option('--host <address>', 'address to listen on (default: server.host, 127.0.0.1); beyond localhost a token is required')
    .option('--no-cameras', 'run no live cameras here: `vigil worker`s sharing the storage run them')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { port?: string; host?: string; config?: string; cameras: boolean }) => {
      const loaded = await loadCliConfig(ctx, options.config);
      const port = options.port === undefined ? loaded.config.server.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new VigilError('invalid_argument', `--port expects a port number 0-65535, got "${options.port}"`);
      const host = options.host ?? loaded.config.server.host;
      const server = await startVigilServer(loaded, { host, port, runsCameras: options.cameras });
      ctx.stdout.write(`Vigil is serving ${server.url}/ (API: ${server.url}/api, Ctrl-C to stop)\n`);
      if (server.generatedToken) {
        ctx.stdout.write(`API token (shown once; kept in ${loaded.config.storage.data_dir}/api-token): ${server.generatedToken}\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = ctx.onInterrupt(() => {
          stop();
          resolve();
        });
      });
      await server.close();
    });
}
