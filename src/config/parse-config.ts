import { VigilError } from '../domain/errors.ts';
import { vigilConfigSchema, type VigilConfig } from './config.schema.ts';
import { substituteEnv, type Env } from './env-substitution.ts';
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
}

export interface ParsedConfig {
  config: VigilConfig;
  /** Values substituted from the environment, to be masked wherever the config is shown. */
  secrets: readonly string[];
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
  if (substituted.missing.length > 0) {
    throw new VigilError('env_missing', `Environment variables used in ${fileLabel} are not set`, {
      details: substituted.missing,
    });
  }

  const result = vigilConfigSchema.safeParse(substituted.value, { error: configErrorMap });
  if (!result.success) {
    throw new VigilError('config_invalid', invalid, { details: formatIssues(result.error.issues) });
  }
  return { config: applyProviderEnvDefaults(resolveConfigPaths(result.data, baseDir), env), secrets: substituted.secrets };
}
