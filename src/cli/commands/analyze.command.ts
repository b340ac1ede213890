import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import { cameraSettings, detectorSettings, resolveCamera } from '../../config/settings/index.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { formatSummary } from '../format-summary.ts';
import { withVigil } from '../open-vigil.ts';
import { ProgressBar } from '../progress-bar.ts';

interface AnalyzeOptions {
  camera?: string;
  config?: string;
  fps?: string;
  json?: boolean;
  workers?: string;
  verbose?: boolean;
  lang?: string;
}

function positiveNumber(value: string | undefined, flag: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new VigilError('invalid_argument', `${flag} expects a ${integer ? 'whole ' : ''}number greater than 0, got "${value}"`);
  }
  return n;
}

export function registerAnalyzeCommand(program: Command, ctx: CliContext): void {
  program
    .command('analyze')
    .description('detect objects in a video file or stream and store them')
    .argument('<video>', 'video file path or rtsp/http(s) URL')
    .option('--camera <id>', 'camera from the config to analyze as (zones, labels, fps, time zone)')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .option('--fps <n>', 'frames per second to sample (overrides the camera setting)')
    .option('--workers <n>', 'detector worker threads (default: detector.workers or the number of cores)')
    .option('--json', 'print one machine-readable JSON summary on stdout')
    .option('--lang <lang>', 'language of event summaries: en or zh-Hant', 'en')
    .option('-v, --verbose', 'log progress details to stderr')
    .action(async (video: string, options: AnalyzeOptions) => {
      const fps = positiveNumber(options.fps, '--fps');
      if (options.lang !== 'en' && options.lang !== 'zh-Hant') throw new VigilError('invalid_argument', `--lang expects en or zh-Hant, got "${options.lang}"`);
      const language = options.lang;
      const workers = positiveNumber(options.workers, '--workers', true);
      await withVigil(
        ctx,
        options.config,
        async (vigil, loaded) => {
          const { id, camera } = resolveCamera(loaded.config, video, options.camera);
          const input = camera.input && !options.camera ? camera.input : video;
          const bar = new ProgressBar(ctx.stderr);
          const controller = new AbortController();
          const stop = ctx.onInterrupt(() => controller.abort());
          try {
            const summary = await vigil.analysis.analyze({
              input,
              camera: cameraSettings(id, camera, loaded.config, fps !== undefined ? { fps } : {}),
              detectorSettings: detectorSettings(loaded.config.detector),
              signal: controller.signal,
              onProgress: (p) => bar.update(p),
            });
            bar.done();
            ctx.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary, language)}\n`);
            // The summary (and the events kept) are printed; the exit code still says the file was not whole.
            if (summary.incomplete) throw new VigilError('decode_failed', summary.incomplete.message);
          } finally {
            bar.done();
            stop();
          }
        },
        (loaded) => ({
          logger: createLogger(options.verbose ? loaded.config.logging.level : 'warn'),
          ...(workers !== undefined ? { detectorWorkers: workers } : {}),
        }),
      );
    });
}
