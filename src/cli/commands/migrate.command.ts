import type { Command } from 'commander';
import { join } from 'node:path';
import { createLogger, DATABASE_FILE, migrateToPostgres, type MigrationProgress, type MigrationReport } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';
import type { CliContext } from '../cli-context.ts';
import { loadCliConfig } from '../open-vigil.ts';

/** Tables smaller than this copy in a moment: no progress lines for them. */
const PROGRESS_FROM_ROWS = 10_000;
const PROGRESS_EVERY_MS = 2_000;
const count = (n: number) => n.toLocaleString('en-US');

/** Only postgres:// and postgresql:// URLs; one that is not even a URL is never echoed (it may hold a password anywhere). */
function checkTargetUrl(to: string): void {
  let protocol: string;
  try {
    protocol = new URL(to).protocol;
  } catch {
    throw new VigilError('invalid_argument', '--to expects a PostgreSQL URL such as postgres://user:password@host:5432/vigil (what was given is not a URL; it is not shown, in case it holds a password).');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new VigilError('invalid_argument', `--to expects a postgres:// or postgresql:// URL, not ${redactUrlCredentials(to)}`);
  }
}

export function formatMigrationReport(report: MigrationReport): string {
  const rows = [['table', 'SQLite', 'PostgreSQL', 'copied now'], ...report.tables.map((t) => [t.table, count(t.source), count(t.target), count(t.copied)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** Progress lines on stderr for large tables, at most one every two seconds per table, and its last. */
function progressPrinter(ctx: CliContext): (progress: MigrationProgress) => void {
  let lastAt = 0;
  let lastTable = '';
  return (p) => {
    const finished = p.total !== undefined && p.done >= p.total;
    if (p.phase === 'copy' && (p.total ?? 0) < PROGRESS_FROM_ROWS) return;
    if (p.phase === 'index' && p.done < PROGRESS_FROM_ROWS) return;
    const now = Date.now();
    if (!finished && p.table === lastTable && now - lastAt < PROGRESS_EVERY_MS) return;
    lastAt = now;
    lastTable = p.table;
    ctx.stderr.write(p.phase === 'copy' ? `  ${p.table}: ${count(p.done)} of ${count(p.total ?? 0)} rows\n` : `  search index: ${count(p.done)} events\n`);
  };
}

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description("copy this configuration's SQLite store (<data_dir>/vigil.db) into a PostgreSQL database; safe to run again")
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user:password@host:5432/vigil')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { to: string; config?: string }) => {
      checkTargetUrl(options.to);
      const controller = new AbortController();
      const stop = ctx.onInterrupt(() => controller.abort());
      try {
        // Read-only secrets: a genai key missing from the environment does not stop a copy.
        const loaded = await loadCliConfig(ctx, options.config, { readOnly: true });
        const file = join(loaded.config.storage.data_dir, DATABASE_FILE);
        ctx.stderr.write(`Copying ${file} into ${redactUrlCredentials(options.to)}\n`);
        const report = await migrateToPostgres(loaded, options.to, { logger: createLogger('warn'), signal: controller.signal, onProgress: progressPrinter(ctx) });
        ctx.stdout.write(formatMigrationReport(report));
        if (report.missing.length > 0) {
          throw new VigilError('storage_failed', `The copy is incomplete: ${report.missing.length} table(s) have fewer rows in PostgreSQL than in SQLite.`, {
            details: [
              ...report.missing.map((t) => `${t.table}: ${count(t.source)} in SQLite, ${count(t.target)} in PostgreSQL`),
              'Run vigil migrate again; if it stays, set VIGIL_DEBUG=1 and report it.',
            ],
          });
        }
        // The copy itself records the cameras' names it indexed with: not worth a word.
        const more = report.tables.filter((t) => t.target > t.source && t.table !== 'indexed_camera_names');
        ctx.stdout.write(
          [
            `Every row is in ${report.target}${more.length ? ` (${more.map((t) => t.table).join(', ')}: more rows there than in SQLite)` : ''}.`,
            report.indexed > 0 ? `Search: ${count(report.indexed)} events indexed.` : 'Search: every event was indexed already.',
            `Media files (kept frames, snapshots, thumbnails) were not copied: they stay in ${loaded.config.storage.data_dir}, where the rows point.`,
            'Every Vigil that uses the database must see that data_dir at the same path.',
            `To use it, set storage.database to ${report.target} (the password best as "{VIGIL_PG_PASSWORD}").`,
            '',
          ].join('\n'),
        );
      } finally {
        stop();
      }
    });
}
