import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { withVigil } from '../open-vigil.ts';

interface AnalyzeImageOptions {
  name?: string;
  prompt?: string;
  textPrompt?: string;
  instance?: string;
  json?: boolean;
  config?: string;
}

export function registerAnalyzeImageCommand(program: Command, ctx: CliContext): void {
  program
    .command('analyze-image')
    .description('describe an image (URL or file) with the configured vision model, optionally rewritten by a text model')
    .argument('<image>', 'http(s) URL or a local file')
    .option('--name <image_name>', 'name to keep the result under (default: "cli")')
    .option('--prompt <text>', 'prompt for the vision model')
    .option('--text-prompt <text>', 'rewrite the description with the text model; must contain {description}')
    .option('--instance <name>', 'analyze_image instance (default: the first configured)')
    .option('--json', 'print the whole result as JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (image: string, options: AnalyzeImageOptions) => {
      const isUrl = /^https?:\/\//i.test(image);
      let upload: { data: Uint8Array } | undefined;
      if (!isUrl) {
        upload = await readFile(image).then(
          (data) => ({ data: new Uint8Array(data) }),
          (cause: unknown) => {
            throw new VigilError('input_not_found', `${image} cannot be read`, { cause });
          },
        );
      }
      const result = await withVigil(
        ctx,
        options.config,
        (vigil) =>
          vigil.analyzeImage.analyze({
            imageName: options.name ?? 'cli',
            ...(isUrl ? { imageUrl: image } : {}),
            ...(upload ? { image: upload } : {}),
            ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
            ...(options.instance !== undefined ? { instance: options.instance } : {}),
            ...(options.textPrompt !== undefined ? { useTextModel: true, textPrompt: options.textPrompt } : {}),
          }),
        () => ({ logger: createLogger('warn') }),
      );
      ctx.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${result.final_description}\n`);
    });
}
