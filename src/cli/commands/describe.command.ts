import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { withVigil } from '../open-vigil.ts';

export function registerDescribeCommand(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description("describe a stored event with the descriptions model now (works even when the camera's genai is off)")
    .argument('<event-id>', 'the event, as `vigil events` lists it')
    .option('--json', 'print the description state as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (eventId: string, options: { json?: boolean; config?: string }) => {
      const view = await withVigil(
        ctx,
        options.config,
        (vigil) => {
          if (!vigil.descriptions) throw new VigilError('invalid_argument', 'no model provider is configured (set genai.provider and genai.model, or genai.providers)');
          return vigil.descriptions.describe(eventId, { manual: true });
        },
        () => ({ logger: createLogger('warn') }),
      );
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify(view)}\n`);
        return;
      }
      const d = view.description;
      const text = d?.json ? [d.json.scene, ...Object.values(d.json.summaries)].join('\n') : (d?.rawText ?? '(no description)');
      ctx.stdout.write(`${text}\n${d?.flagged ? '(the model did not return valid JSON; its raw text is shown)\n' : ''}`);
    });
}
