import type { Command } from 'commander';
import { createVigil } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { loadCliConfig } from '../open-vigil.ts';

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('analyse live cameras and work background jobs beside `vigil serve`, sharing its PostgreSQL storage (storage.database); any number, on any machines')
    .option('--metrics-port <n>', 'serve this worker\'s /metrics and /api/health on this port (default: none)')
    .option('--host <address>', 'address for --metrics-port (default: 127.0.0.1); beyond localhost the API token is required')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { metricsPort?: string; host?: string; config?: string }) => {
      const loaded = await loadCliConfig(ctx, options.config);
      const port = options.metricsPort === undefined ? undefined : Number(options.metricsPort);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new VigilError('invalid_argument', `--metrics-port expects a port number 0-65535, got "${options.metricsPort}"`);
      }
      if (!loaded.config.storage.database) {
        ctx.stderr.write('vigil worker: storage.database is not set, so this worker shares the SQLite file with processes of this machine only\n');
      }
      const vigil = createVigil(loaded, { role: 'worker' });
      let worker;
      try {
        worker = await vigil.work(port === undefined ? undefined : { host: options.host ?? '127.0.0.1', port });
      } catch (error) {
        await vigil.close();
        throw error;
      }
      ctx.stdout.write(`Vigil worker running${worker.url ? ` (metrics: ${worker.url}/metrics)` : ''}; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        const stop = ctx.onInterrupt(() => {
          stop();
          resolve();
        });
      });
      await worker.close();
    });
}
