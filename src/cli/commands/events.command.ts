import type { Command } from 'commander';
import { cameraTimeZone, searchTimeZone } from '../../config/settings/index.ts';
import type { EventType } from '../../domain/events/event-types.ts';
import { VigilError } from '../../domain/errors.ts';
import { EVENT_TYPES } from '../../domain/events/event-types.ts';
import type { CliContext } from '../cli-context.ts';
import { withVigil } from '../open-vigil.ts';
import { eventJson, formatEventLines, type SummaryLanguage } from '../format-events.ts';

interface EventsOptions {
  camera?: string;
  from?: string;
  to?: string;
  type?: string;
  limit?: string;
  lang?: string;
  json?: boolean;
  config?: string;
}

/** ISO 8601 date or date-time; without an offset it is read as local time (a bare date as local midnight). */
export function parseTimeOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new VigilError('invalid_argument', `${flag} expects an ISO 8601 date or date-time (e.g. 2026-11-20 or 2026-11-20T22:00), got "${value}"`);
  }
  return ms;
}

function parseType(value: string | undefined): EventType | undefined {
  if (value === undefined) return undefined;
  const type = EVENT_TYPES.find((t) => t === value);
  if (!type) throw new VigilError('invalid_argument', `--type expects one of ${EVENT_TYPES.join(', ')}, got "${value}"`);
  return type;
}

export function registerEventsCommand(program: Command, ctx: CliContext): void {
  program
    .command('events')
    .description('list stored events')
    .option('--camera <id>', 'only this camera')
    .option('--from <time>', 'events ending at or after this time (ISO 8601)')
    .option('--to <time>', 'events starting before this time (ISO 8601)')
    .option('--type <type>', `only this type: ${EVENT_TYPES.join(', ')}`)
    .option('--limit <n>', 'at most this many events', '100')
    .option('--lang <lang>', 'summary language: en or zh-Hant', 'en')
    .option('--json', 'print the events as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: EventsOptions) => {
      const fromMs = parseTimeOption(options.from, '--from');
      const toMs = parseTimeOption(options.to, '--to');
      const type = parseType(options.type);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new VigilError('invalid_argument', `--limit expects a whole number greater than 0, got "${options.limit}"`);
      if (options.lang !== 'en' && options.lang !== 'zh-Hant') throw new VigilError('invalid_argument', `--lang expects en or zh-Hant, got "${options.lang}"`);
      const language: SummaryLanguage = options.lang;
      // Events never call a model: an unset genai secret only turns genai off, with a warning line.
      await withVigil(ctx, options.config, async (vigil) => {
        const page = await vigil.events.list({
          ...(options.camera !== undefined ? { cameraId: options.camera } : {}),
          ...(type ? { type } : {}),
          ...(fromMs !== undefined ? { fromMs } : {}),
          ...(toMs !== undefined ? { toMs } : {}),
          limit,
        });
        if (options.json) {
          ctx.stdout.write(`${JSON.stringify({ total: page.total, events: page.events.map(eventJson) })}\n`);
          return;
        }
        const timeZone = options.camera ? cameraTimeZone(vigil.config, options.camera) : searchTimeZone(vigil.config);
        const lines = formatEventLines(page.events, { language, timeZone });
        const shown = page.events.length < page.total ? ` (showing ${page.events.length}; use --limit for more)` : '';
        ctx.stdout.write(`${page.total} event${page.total === 1 ? '' : 's'}${shown}\n${lines.map((l) => `${l}\n`).join('')}`);
      }, undefined, { readOnly: true });
    });
}
