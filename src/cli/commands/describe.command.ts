import type { Command } from 'commander';
import { createAnalyzeImageApp, createDescriptionService } from '../../app-genai.ts';
import { createLogger, createSearchApp, searchTimeZone, systemClock } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';

export function registerDescribeCommand(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description("describe a stored event with the descriptions model now (works even when the camera's genai is off)")
    .argument('<event-id>', 'the event, as `vigil events` lists it')
    .option('--json', 'print the description state as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (eventId: string, options: { json?: boolean; config?: string }) => {
      const loaded = await loadConfig({ ...(options.config ? { file: options.config } : {}), explicit: Boolean(options.config), env: ctx.env, cwd: ctx.cwd });
      const logger = createLogger('warn');
      const search = createSearchApp(loaded);
      try {
        const genai = createAnalyzeImageApp(loaded.config.genai, { db: search.db, logger, clock: systemClock });
        const descriptions = createDescriptionService(loaded.config, {
          db: search.db,
          store: search.descriptionStore,
          providers: genai.providers,
          logger,
          clock: systemClock,
          timeZone: searchTimeZone(loaded),
        });
        if (!descriptions) throw new VigilError('invalid_argument', 'no model provider is configured (set genai.provider and genai.model, or genai.providers)');
        const view = await descriptions.describe(eventId, { manual: true });
        if (options.json) {
          ctx.stdout.write(`${JSON.stringify(view)}\n`);
          return;
        }
        const d = view.description;
        const text = d?.json ? [d.json.scene, ...Object.values(d.json.summaries)].join('\n') : (d?.rawText ?? '(no description)');
        ctx.stdout.write(`${text}\n${d?.flagged ? '(the model did not return valid JSON; its raw text is shown)\n' : ''}`);
      } finally {
        search.close();
      }
    });
}
