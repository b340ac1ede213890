import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import type { JobsStatus } from '../../services/jobs/index.ts';
import type { CliContext } from '../cli-context.ts';
import { withVigil } from '../open-vigil.ts';

const age = (ms: number): string => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`);

/** One line per job kind, then its recent failures indented under it. */
export function formatJobsStatus(status: JobsStatus): string {
  const lines: string[] = [];
  for (const k of status.kinds) {
    const waiting = k.oldestDueAgeMs !== undefined ? `, oldest due ${age(k.oldestDueAgeMs)} ago` : '';
    lines.push(`${k.kind.padEnd(26)} queued ${k.queued}, running ${k.running}, failed ${k.failed}, done ${k.done}${waiting}`);
    for (const f of k.recentFailures) {
      const next = f.status === 'queued' ? ' (will try again)' : ' (failed for good)';
      lines.push(`    ${f.key} after ${f.attempts} ${f.attempts === 1 ? 'try' : 'tries'}${next}: ${f.error}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The durable job queue, read from the database: works whether or not `vigil serve` is running. */
export function registerJobsCommand(program: Command, ctx: CliContext): void {
  program
    .command('jobs')
    .description('background jobs (descriptions, embeddings, Frigate) per kind: queued, running, failed, done, and recent failures')
    .option('--json', 'print the state as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { json?: boolean; config?: string }) => {
      const status = await withVigil(ctx, options.config, (vigil) => vigil.jobs.status(), () => ({ logger: createLogger('warn') }));
      ctx.stdout.write(options.json ? `${JSON.stringify(status)}\n` : formatJobsStatus(status));
    });
}
