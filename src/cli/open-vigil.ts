import { createVigil, type Vigil, type VigilOptions } from '../app.ts';
import { loadConfig, type LoadedConfig } from '../config/index.ts';
import type { CliContext } from './cli-context.ts';

export interface CliConfigOptions {
  /**
   * For commands that only read the database (search, events): a genai provider whose secret is
   * not in the environment is turned off, with a warning line, instead of stopping the command.
   * `serve`, `describe` and the rest still fail with the variable's name.
   */
  readOnly?: boolean;
}

/** The configuration a command names with `--config` (else ./vigil.yml, else the built-in defaults). */
export async function loadCliConfig(ctx: CliContext, file: string | undefined, options: CliConfigOptions = {}): Promise<LoadedConfig> {
  const loaded = await loadConfig({
    ...(file ? { file } : {}),
    explicit: Boolean(file),
    env: ctx.env,
    cwd: ctx.cwd,
    ...(options.readOnly ? { unsetGenaiSecrets: 'turn_off' as const } : {}),
  });
  for (const warning of loaded.warnings ?? []) ctx.stderr.write(`warning: ${warning}\n`);
  return loaded;
}

/**
 * Vigil built from the command's configuration; `use` gets it and it is closed afterwards, whatever
 * happens. Only the parts the command touches are built.
 */
export async function withVigil<T>(
  ctx: CliContext,
  file: string | undefined,
  use: (vigil: Vigil, loaded: LoadedConfig) => Promise<T> | T,
  options: (loaded: LoadedConfig) => VigilOptions = () => ({}),
  configOptions: CliConfigOptions = {},
): Promise<T> {
  const loaded = await loadCliConfig(ctx, file, configOptions);
  const vigil = createVigil(loaded, options(loaded));
  try {
    return await use(vigil, loaded);
  } finally {
    await vigil.close();
  }
}
