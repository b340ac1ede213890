import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import { KEEP_FOREVER, type VigilConfig } from '../../config/index.ts';
import type { SweepReport } from '../../services/retention/retention.service.ts';
import type { CliContext } from '../cli-context.ts';
import { withVigil } from '../open-vigil.ts';

const UNITS = ['KB', 'MB', 'GB', 'TB'];
const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
const daysText = (days: number | typeof KEEP_FOREVER | undefined) => (days === undefined || days === KEEP_FOREVER ? 'forever' : plural(days, 'day'));

/** 250 B, 2.9 KB, 412.3 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit] ?? ''}`;
}

/** The policy in one line: "keep 30 days (front: 7 days, yard: forever); disk cap 500 MB". */
export function describeRetention(config: VigilConfig): string | undefined {
  const retention = config.storage.retention;
  const cameras = Object.entries(config.cameras).flatMap(([id, c]) => (c.retention ? [{ id, days: c.retention.days }] : []));
  const anyDays = [retention?.days, ...cameras.map((c) => c.days)].some((d) => d !== undefined && d !== KEEP_FOREVER);
  if (!anyDays && retention?.max_disk_mb === undefined) return undefined;
  const perCamera = cameras.map((c) => `${c.id}: ${daysText(c.days)}`).join(', ');
  const days = `keep ${daysText(retention?.days)}${perCamera ? ` (${perCamera})` : ''}`;
  return `${days}${retention?.max_disk_mb !== undefined ? `; disk cap ${retention.max_disk_mb} MB` : ''}`;
}

export function formatPruneReport(report: SweepReport): string {
  const { deleted, orphans, disk } = report;
  const verb = report.dryRun ? 'Would delete' : 'Deleted';
  const rows = [
    plural(deleted.runs, 'whole run'),
    plural(deleted.events, 'event'),
    `${plural(deleted.frames, 'frame')} (${plural(deleted.detections, 'detection')})`,
    plural(deleted.tracks, 'track'),
  ];
  const lines = [
    `${verb} ${rows.join(', ')}; ${plural(deleted.files, 'file')}, ${formatBytes(deleted.bytes)}`,
    `${report.dryRun ? 'Would remove' : 'Removed'} ${plural(orphans.files, 'orphan file')} (files no stored row points to), ${formatBytes(orphans.bytes)}`,
  ];
  if (disk) lines.push(`Media files: ${formatBytes(disk.beforeBytes)} before, ${report.dryRun ? 'about ' : ''}${formatBytes(disk.afterBytes)} after; cap ${formatBytes(disk.capBytes)}`);
  if (report.aborted) lines.push('Stopped before the end; run it again to finish.');
  return `${lines.join('\n')}\n`;
}

export function registerPruneCommand(program: Command, ctx: CliContext): void {
  program
    .command('prune')
    .description('delete what storage.retention says has expired, and files no stored row points to, now')
    .option('--dry-run', 'only print what would be deleted')
    .option('--json', 'print the report as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { dryRun?: boolean; json?: boolean; config?: string }) => {
      const controller = new AbortController();
      const stop = ctx.onInterrupt(() => controller.abort());
      try {
        const { report, config } = await withVigil(
          ctx,
          options.config,
          async (vigil) => ({ report: await vigil.retention.sweep({ dryRun: Boolean(options.dryRun), signal: controller.signal }), config: vigil.config }),
          () => ({ logger: createLogger('warn') }),
        );
        if (options.json) {
          ctx.stdout.write(`${JSON.stringify(report)}\n`);
          return;
        }
        const policy = describeRetention(config);
        const header = policy
          ? `Retention: ${policy}`
          : 'No retention is configured (storage.retention, cameras.<id>.retention): nothing expires; only orphan files are removed.';
        ctx.stdout.write(`${header}\n${report.dryRun ? 'Dry run: nothing was deleted.\n' : ''}${formatPruneReport(report)}`);
      } finally {
        stop();
      }
    });
}
