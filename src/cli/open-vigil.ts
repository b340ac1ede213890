import { createVigil, type Vigil, type VigilOptions } from '../app.ts';
import { loadConfig, type LoadedConfig } from '../config/index.ts';
import type { CliContext } from './cli-context.ts';

/** The configuration a command names with `--config` (else ./vigil.yml, else the built-in defaults). */
export function loadCliConfig(ctx: CliContext, file: string | undefined): Promise<LoadedConfig> {
  return loadConfig({ ...(file ? { file } : {}), explicit: Boolean(file), env: ctx.env, cwd: ctx.cwd });
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
): Promise<T> {
  const loaded = await loadCliConfig(ctx, file);
  const vigil = createVigil(loaded, options(loaded));
  try {
    return await use(vigil, loaded);
  } finally {
    await vigil.close();
  }
}
