import { VigilError } from '../domain/errors.ts';
import { vigilConfigSchema, type VigilConfig } from './config.schema.ts';
import { substituteEnv, unsetLine, withoutUnsetGenaiSecrets, type Env } from './env-substitution.ts';
import { configErrorMap, formatIssues } from './format-issues.ts';
import { applyProviderEnvDefaults } from './provider-env.ts';
import { readYaml } from './read-yaml.ts';
import { resolveConfigPaths } from './resolve-paths.ts';

export interface ParseConfigOptions {
  env: Env;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  /** How messages name the source, usually the file's absolute path. */
  fileLabel: string;
  /**
   * `turn_off`: a genai provider (or webhook) whose environment variable is unset is left out,
   * with a warning, instead of failing; for commands that never call a model. Default `fail`.
   */
  unsetGenaiSecrets?: 'fail' | 'turn_off';
}

export interface ParsedConfig {
  config: VigilConfig;
  /** Values substituted from the environment, to be masked wherever the config is shown. */
  secrets: readonly string[];
  /** What was turned off and why (see `unsetGenaiSecrets`); empty otherwise. */
  warnings: readonly string[];
}

/**
 * YAML text to a validated config: parse, substitute environment variables, validate, resolve
 * paths. Each stage reports all of its problems at once; a later stage does not run when an
 * earlier one failed, since its messages would only describe the earlier failure again.
 */
export function parseConfigText(text: string, options: ParseConfigOptions): ParsedConfig {
  const { env, baseDir, fileLabel } = options;
  const invalid = `Invalid configuration in ${fileLabel}`;

  const yaml = readYaml(text);
  if (!yaml.ok) throw new VigilError('config_invalid', invalid, { details: yaml.errors });

  const substituted = substituteEnv(yaml.value ?? {}, env);
  const lenient = options.unsetGenaiSecrets === 'turn_off' ? withoutUnsetGenaiSecrets(substituted.value, substituted.unset) : undefined;
  const unset = lenient?.unset ?? substituted.unset;
  if (unset.length > 0) {
    throw new VigilError('env_missing', `Environment variables used in ${fileLabel} are not set`, {
      details: unset.map(unsetLine),
    });
  }

  const result = vigilConfigSchema.safeParse(lenient?.value ?? substituted.value, { error: configErrorMap });
  if (!result.success) {
    throw new VigilError('config_invalid', invalid, { details: formatIssues(result.error.issues) });
  }
  return {
    config: applyProviderEnvDefaults(resolveConfigPaths(result.data, baseDir), env),
    secrets: substituted.secrets,
    warnings: lenient?.warnings ?? [],
  };
}
