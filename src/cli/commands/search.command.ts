import type { Command } from 'commander';
import { createSearchApp, searchTimeZone } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { eventJson, formatEventLines } from '../format-events.ts';

export function registerSearchCommand(program: Command, ctx: CliContext): void {
  program
    .command('search')
    .description('ask about stored events, in Chinese or English')
    .argument('<question>', 'e.g. "昨天晚上10點到11點後門有沒有人徘徊？" or "who crossed the gate line this morning"')
    .option('--limit <n>', 'at most this many events', '10')
    .option('--json', 'print the whole result as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (question: string, options: { limit: string; json?: boolean; config?: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new VigilError('invalid_argument', `--limit expects a whole number from 1 to 200, got "${options.limit}"`);
      const loaded = await loadConfig({ ...(options.config ? { file: options.config } : {}), explicit: Boolean(options.config), env: ctx.env, cwd: ctx.cwd });
      const app = createSearchApp(loaded);
      try {
        const result = app.search.search({ q: question, limit });
        if (options.json) {
          ctx.stdout.write(`${JSON.stringify({ ...result, hits: result.hits.map((h) => ({ score: h.score, event: eventJson(h.stored) })) })}\n`);
          return;
        }
        const language = result.interpretation.language === 'en' ? 'en' : 'zh-Hant';
        const lines = formatEventLines(result.hits.map((h) => h.stored), { language, timeZone: searchTimeZone(loaded) });
        ctx.stdout.write(`${result.answer.text}\n${lines.map((l) => `  ${l}\n`).join('')}`);
      } finally {
        app.close();
      }
    });
}
