import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { presentSearch } from '../../http/presenters.ts';
import { formatEventLines } from '../format-events.ts';
import { withVigil } from '../open-vigil.ts';

export function registerSearchCommand(program: Command, ctx: CliContext): void {
  program
    .command('search')
    .description('ask about stored events, in Chinese or English (the same answer as the API and the web UI)')
    .argument('<question>', 'e.g. "昨天晚上10點到11點後門有沒有人徘徊？" or "who crossed the gate line this morning"')
    .option('--limit <n>', 'at most this many events', '10')
    .option('--json', 'print the answer as GET /api/search gives it')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (question: string, options: { limit: string; json?: boolean; config?: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new VigilError('invalid_argument', `--limit expects a whole number from 1 to 200, got "${options.limit}"`);
      const controller = new AbortController();
      const stop = ctx.onInterrupt(() => controller.abort());
      try {
        await withVigil(
          ctx,
          options.config,
          async (vigil) => {
            // The API's path: hybrid search when embeddings are configured, a model's cited answer when answers are.
            const result = await vigil.ask.ask({ q: question, limit }, { signal: controller.signal });
            if (options.json) {
              // Exactly the body of GET /api/search for the same question.
              const present = { cameraName: (id: string) => vigil.cameras.find((c) => c.id === id)?.name ?? id, toSimplified: vigil.toSimplified };
              ctx.stdout.write(`${JSON.stringify(presentSearch(result, present))}\n`);
              return;
            }
            const language = result.interpretation.language === 'en' ? 'en' : 'zh-Hant';
            const lines = formatEventLines(result.hits.map((h) => h.stored), { language, timeZone: vigil.timeZone });
            const note = result.generated && !result.generated.generated && result.generated.fallback_reason ? `(the answers model was not used: ${result.generated.fallback_reason})\n` : '';
            ctx.stdout.write(`${result.answer.text}\n${note}${lines.map((l) => `  ${l}\n`).join('')}`);
          },
          () => ({ logger: createLogger('warn') }),
          // A missing key turns its provider off (a warning line says which); search still answers.
          { readOnly: true },
        );
      } finally {
        stop();
      }
    });
}
